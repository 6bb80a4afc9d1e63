// The PM2 ecosystem file of the old service is read as text: tokenizer + literal parser, never run.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { EcosystemParseError, readEcosystem, tokenize } from '../../scripts/lib/legacy-ecosystem.ts';
import { REPO } from '../support/ops.ts';

const FIXTURE = path.join(REPO, 'test/fixtures/legacy/clt-v8-service/config/ecosystem.config.cjs');

describe('legacy ecosystem reader', () => {
  test('the fixture: apps, ports as text, spreads of a const, opaque values left alone', () => {
    const eco = readEcosystem(readFileSync(FIXTURE, 'utf8'));
    assert.deepEqual(
      eco.apps.map((a) => [a.name, a.env.PORT]),
      [
        ['clt-v8-api', '4000'],
        ['clt-v8-api-5000', '5000'],
        ['clt-v8-api-6000', '6000'],
        ['clt-v8-relatorios', undefined],
      ],
    );
    const legacy = eco.apps[0];
    assert.equal(legacy?.script, 'server.js');
    assert.equal(legacy?.envProduction.NODE_ENV, 'production');
    assert.equal(eco.apps[2]?.env.LOG_LEVEL, 'debug');
    assert.deepEqual(eco.apps[2]?.opaqueEnv, ['env.EXTRA_FROM_PM2']);
    // Reading it ran nothing: the side effect of executing it never happened.
    assert.ok(!existsSync(path.join(path.dirname(FIXTURE), 'EXECUTED')));
  });

  test('the shape of the AF source (module.exports with two apps, comments, numbers)', () => {
    const src = `module.exports = {
  apps: [
    {
      name: 'clt-v8-api',
      script: 'server.js',
      cwd: '/opt/exemplo/clt-v8-service',
      node_args: '--max-old-space-size=4096', // heap
      env: { NODE_ENV: 'development', PORT: 4000, NODE_OPTIONS: '--max-old-space-size=4096' },
      env_production: { NODE_ENV: 'production', PORT: 4000 },
      max_memory_restart: '3584M', // PM2 limit
      restart_delay: 4000,
      watch: false,
      ignore_watch: ['node_modules', 'logs'],
    },
    {
      name: 'clt-v8-api-5000',
      script: 'server-5000.js',
      env: { NODE_ENV: 'development', PORT: 5000 },
    }
  ]
};
`;
    const eco = readEcosystem(src);
    assert.deepEqual(
      eco.apps.map((a) => `${a.name}:${a.env.PORT}`),
      ['clt-v8-api:4000', 'clt-v8-api-5000:5000'],
    );
  });

  test('odd but literal syntax: quotes, keys in quotes, shorthand, exports.apps, no semicolons, regex', () => {
    const src = `#!/usr/bin/env node
/* a block comment with a } and a ' inside */
const apps = [
  { "name": "clt-v8-api-7000", 'script': \`server.js\`, env: { "PORT": 7_000, LABEL: 'a \\'quoted\\' value', U: '\\u00e9' } },
  ...[{ name: 'clt-v8-api-7001', env: { PORT: '7001' } }],
]
const re = /["'}]+/g
module.exports = { apps }
`;
    const eco = readEcosystem(src);
    assert.deepEqual(
      eco.apps.map((a) => [a.name, a.script, a.env.PORT]),
      [
        ['clt-v8-api-7000', 'server.js', '7000'],
        ['clt-v8-api-7001', undefined, '7001'],
      ],
    );
    assert.equal(eco.apps[0]?.env.LABEL, "a 'quoted' value");
    assert.equal(eco.apps[0]?.env.U, 'é');
    const viaExports = readEcosystem(`exports.apps = [{ name: 'x', env: { PORT: 8000 } }];`);
    assert.equal(viaExports.apps[0]?.env.PORT, '8000');
  });

  test('computed values are never evaluated: they are reported as opaque', () => {
    const src = `module.exports = { apps: [{
      name: 'clt-v8-api-' + 5000,
      env: { PORT: process.env.PORT || 5000, HOME_DIR: require('os').homedir(), OK: 'yes' },
    }] };`;
    const eco = readEcosystem(src);
    assert.equal(eco.apps[0]?.name, undefined);
    assert.deepEqual(eco.apps[0]?.opaqueEnv, ['env.PORT', 'env.HOME_DIR']);
    assert.equal(eco.apps[0]?.env.OK, 'yes');
    assert.match(eco.notes.join('\n'), /apps\[0\]\.name is not a literal/);
  });

  test('a file that would throw or exit when run is still only read', () => {
    const src = `process.exit(3); throw new Error('never');
module.exports = { apps: [{ name: 'clt-v8-api-6000', env: { PORT: 6000 } }] };`;
    assert.equal(readEcosystem(src).apps[0]?.env.PORT, '6000');
  });

  test('unreadable files fail with a reason and a line, never by running them', () => {
    assert.throws(() => readEcosystem("module.exports = { apps: [{ name: 'x }] }"), EcosystemParseError);
    assert.throws(() => readEcosystem('const x = 1;'), /no "module.exports = \.\.\." found/);
    assert.throws(
      () => readEcosystem("module.exports = { apps: require('./apps.json') }"),
      /not a literal list/,
    );
    assert.throws(
      () => readEcosystem('module.exports = {\n apps: [\n {\n name: "a",\n}}'),
      (err: Error) => err instanceof EcosystemParseError && /line \d+/.test(err.message),
    );
  });

  test('tokenizer: comments and strings do not confuse brackets', () => {
    const kinds = tokenize(`a = '}' // }\n/* ] */ b = "/" + \`\${x}\``).map((t) => t.kind);
    assert.deepEqual(kinds, ['ident', 'punct', 'string', 'ident', 'punct', 'string', 'punct', 'template']);
  });
});
