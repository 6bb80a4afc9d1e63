import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  ConfigError,
  loadConfig,
  parseConfigText,
  readProcessSettings,
} from '../../app/config/load-config.ts';
import { CONFIG_KEYS } from '../../app/config/schema.ts';

const BASE = `PORT=6000\nCLIENT_NAME=Empresa\nAPI_TOKEN=${'x'.repeat(32)}\n`;

function issuesOf(text: string) {
  try {
    parseConfigText(text, '/cfg/config-6000.env');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.issues;
  }
  assert.fail('expected a ConfigError');
}

test('a minimal file is valid; credentials stay empty, settings take documented defaults', () => {
  const c = parseConfigText(BASE, 'f');
  assert.equal(c.raw.V8_USERNAME, undefined);
  assert.equal(c.raw.V8_PASSWORD, undefined);
  assert.equal(c.raw.V8_CLIENT_ID, undefined);
  assert.equal(c.raw.KENTRO_API_KEY, undefined);
  assert.equal(c.raw.V8_PROVIDER, 'QI');
  assert.equal(c.raw.V8_AUTH_URL, 'https://auth.v8sistema.com/oauth/token');
  assert.equal(c.raw.V8_MAX_RPS, 2);
  assert.equal(c.sources.V8_AUTH_URL, 'default');
  assert.equal(c.sources.PORT, 'file');
});

test('KENTRO_TOKEN and KENTRO_API_URL (old names) are accepted and reported as renamed', () => {
  const c = parseConfigText(`${BASE}KENTRO_TOKEN=abc123\nKENTRO_API_URL=https://x.atenderbem.com\n`, 'f');
  assert.equal(c.raw.KENTRO_API_KEY, 'abc123');
  assert.equal(c.raw.KENTRO_BASE_URL, 'https://x.atenderbem.com');
  assert.deepEqual(
    c.renamed.map((r) => r.from),
    ['KENTRO_TOKEN', 'KENTRO_API_URL'],
  );
});

test('the canonical key wins over its old alias', () => {
  const c = parseConfigText(`${BASE}KENTRO_API_KEY=new\nKENTRO_TOKEN=old\n`, 'f');
  assert.equal(c.raw.KENTRO_API_KEY, 'new');
});

test('unknown keys are reported, not fatal', () => {
  const c = parseConfigText(`${BASE}SOMETHING_ELSE=1\n`, 'f');
  assert.deepEqual(c.unknownKeys, ['SOMETHING_ELSE']);
});

const badCases: [string, string, RegExp][] = [
  ['PORT=abc', 'PORT', /whole number/],
  ['PORT=80', 'PORT', /1024 and 65535/],
  ['API_TOKEN=short', 'API_TOKEN', /at least 24/],
  ['V8_PROVIDER=BANCO', 'V8_PROVIDER', /QI|CELCOIN/],
  ['V8_AUTH_URL=ftp://x', 'V8_AUTH_URL', /URL/i],
  ['V8_MAX_RPS=0', 'V8_MAX_RPS', /at least 1/],
  ['LOG_LEVEL=loud', 'LOG_LEVEL', /expected one of/],
  ['KENTRO_FORM_FIELDS={bad', 'KENTRO_FORM_FIELDS', /JSON object/],
  ['KENTRO_FORM_FIELDS={"cpf":"XYZ"}', 'KENTRO_FORM_FIELDS.cpf', /8 lowercase hex/],
  ['WEBHOOK_SECRET=abc', 'WEBHOOK_SECRET', /at least 16/],
  ['ADMIN_PASSWORD_HASH=plaintext-password', 'ADMIN_PASSWORD_HASH', /make set-admin-password/],
];
for (const [line, key, reason] of badCases) {
  test(`rejects ${line} naming ${key}, without echoing the value`, () => {
    const issues = issuesOf(`${BASE}${line}\n`);
    const issue = issues.find((i) => i.key === key);
    assert.ok(issue, `no issue for ${key}: ${JSON.stringify(issues)}`);
    assert.match(issue.reason, reason);
    const value = line.split('=').slice(1).join('=');
    if (value.length > 3) assert.ok(!JSON.stringify(issues).includes(value));
  });
}

test('CLIENT_NAME and API_TOKEN are required', () => {
  const keys = issuesOf('PORT=6000\n').map((i) => i.key);
  assert.deepEqual(keys.sort(), ['API_TOKEN', 'CLIENT_NAME']);
});

test('every key is documented with a kind', () => {
  for (const [key, doc] of Object.entries(CONFIG_KEYS)) {
    assert.ok(doc.doc.length > 10, `${key} lacks documentation`);
    assert.ok(['secret', 'credential', 'setting'].includes(doc.kind));
  }
});

test('overrides apply only to overridable keys and are marked as such', () => {
  const c = parseConfigText(`${BASE}V8_USERNAME=a@b.com\n`, 'f', {
    V8_USERNAME: 'c@d.com',
    API_TOKEN: 'y'.repeat(40),
  });
  assert.equal(c.raw.V8_USERNAME, 'c@d.com');
  assert.equal(c.sources.V8_USERNAME, 'override');
  assert.equal(c.raw.API_TOKEN, 'x'.repeat(32));
});

test('loadConfig reads exactly config-<PORT>.env and nothing else', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
  writeFileSync(path.join(dir, 'config.env'), BASE);
  writeFileSync(path.join(dir, 'config-6001.env'), BASE.replace('6000', '6001'));
  const settings = { port: 6000, configDir: dir, dataDir: dir, logDir: dir };
  assert.throws(
    () => loadConfig(settings),
    (e: ConfigError) => /file not found/.test(e.issues[0]?.reason ?? ''),
  );
  writeFileSync(path.join(dir, 'config-6000.env'), BASE.replace('PORT=6000', 'PORT=6002'));
  assert.throws(() => loadConfig(settings), /declares 6002 but this container runs on port 6000/);
  writeFileSync(path.join(dir, 'config-6000.env'), BASE);
  assert.equal(loadConfig(settings).file, path.join(dir, 'config-6000.env'));
});

test('the process must be given a valid PORT', () => {
  assert.throws(() => readProcessSettings({}), /PORT/);
  assert.throws(() => readProcessSettings({ PORT: '99999' }), /PORT/);
  assert.equal(readProcessSettings({ PORT: '6000' }).configDir, '/app/config');
});

test('EVIDENCE_RETENTION_DAYS: 1825 by default, its own key, and at least a year', () => {
  assert.equal(parseConfigText(BASE, 'f').raw.EVIDENCE_RETENTION_DAYS, 1825);
  assert.equal(
    parseConfigText(`${BASE}EVIDENCE_RETENTION_DAYS=3650\n`, 'f').raw.EVIDENCE_RETENTION_DAYS,
    3650,
  );
  assert.deepEqual(
    issuesOf(`${BASE}EVIDENCE_RETENTION_DAYS=30\n`).map((i) => i.key),
    ['EVIDENCE_RETENTION_DAYS'],
  );
});

test('PHONE_ADD_MOBILE_NINE: on by default, false turns it off, other values are refused', () => {
  assert.equal(parseConfigText(BASE, 'f').raw.PHONE_ADD_MOBILE_NINE, true);
  assert.equal(parseConfigText(`${BASE}PHONE_ADD_MOBILE_NINE=false\n`, 'f').raw.PHONE_ADD_MOBILE_NINE, false);
  const issues = issuesOf(`${BASE}PHONE_ADD_MOBILE_NINE=talvez\n`);
  assert.deepEqual(
    issues.map((i) => i.key),
    ['PHONE_ADD_MOBILE_NINE'],
  );
});
