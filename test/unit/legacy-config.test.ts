// Old config files mapped onto the new schema: renames, generated secrets, leftovers as comments.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import dotenv from 'dotenv';
import { parseConfigText } from '../../app/config/load-config.ts';
import {
  type GeneratedSecrets,
  type MigratedConfig,
  mapLegacyConfig,
  renderMigratedConfig,
} from '../../scripts/lib/legacy-config.ts';
import { discoverLegacy } from '../../scripts/lib/legacy-layout.ts';
import { REPO } from '../support/ops.ts';

const FROM = path.join(REPO, 'test/fixtures/legacy/clt-v8-service');
const TEMPLATE = readFileSync(path.join(REPO, 'clients/template/config.env.template'), 'utf8');
const SECRETS: GeneratedSecrets = {
  API_TOKEN: 'generated-api-token-0123456789abcdef',
  WEBHOOK_SECRET: 'generated-webhook-secret-01',
  ADMIN_PASSWORD_HASH: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
};

function mapFixture(port: number, file: string, appName?: string, env?: Record<string, string>) {
  const text = readFileSync(path.join(FROM, file), 'utf8');
  return mapLegacyConfig({ port, file, text, appName, ecosystemEnv: env }, SECRETS);
}

function render(m: MigratedConfig): { text: string; values: Record<string, string> } {
  const text = renderMigratedConfig(TEMPLATE, m, { fromDir: '/opt/old', date: '2025-01-01T00:00:00Z' });
  return { text, values: dotenv.parse(text) };
}

describe('legacy config mapping', () => {
  test('config-5000.env (CRLF, quotes, inline comments, export, duplicates, odd and unknown keys)', () => {
    const text = readFileSync(path.join(FROM, 'config/config-5000.env'), 'utf8');
    assert.match(text, /\r\n/, 'the fixture keeps CRLF line endings');
    const m = mapFixture(5000, 'config/config-5000.env', 'clt-v8-api-5000', {
      PORT: '5000',
      NODE_ENV: 'production',
    });
    const { text: out, values } = render(m);
    assert.equal(values.V8_PASSWORD, 'fake senha beta #1', 'quoted value with a space and a # survives');
    assert.equal(values.V8_USERNAME, 'operador.beta@corban-exemplo.test');
    assert.equal(values.KENTRO_QUEUE_ID, '25', 'inline comment dropped');
    assert.equal(values.KENTRO_BASE_URL, 'https://corban-beta.atenderbem.test', 'trailing /int/ removed');
    assert.equal(values.KENTRO_API_KEY, 'fake-kentro-key-beta', 'KENTRO_API_KEY wins over KENTRO_TOKEN');
    assert.equal(values.V8_BASE_URL, 'https://bff.v8sistema.com');
    assert.equal(values.LOG_LEVEL, 'debug', 'winston "verbose" becomes debug');
    assert.equal(values.V8_MAX_RPS, '2', 'the invalid old value is not used');
    assert.equal(values.PORT, '5000');
    assert.equal(values.API_TOKEN, SECRETS.API_TOKEN);
    assert.deepEqual(
      m.renamed.map((r) => `${r.from}->${r.to}`),
      ['V8_API_URL->V8_BASE_URL', 'KENTRO_API_URL->KENTRO_BASE_URL'],
    );
    const commented = Object.fromEntries(m.commented.map((c) => [c.key, c.reason]));
    for (const k of [
      'KENTRO_TOKEN',
      'kentro_pipeline_id',
      'DEST_STAGE_ID',
      'HTTPS_PORT',
      'LOG_FILE',
      'FGTS_USER_1',
      'FGTS_PASS_1',
      'NODE_ENV',
      'V8_MAX_RPS',
    ]) {
      assert.ok(commented[k], `${k} kept as a comment`);
      if (k !== 'V8_MAX_RPS') assert.equal(values[k], undefined, `${k} is not an active line`);
    }
    assert.match(commented.kentro_pipeline_id ?? '', /did you mean KENTRO_PIPELINE_ID/);
    assert.match(out, /^# KENTRO_TOKEN=fake-kentro-token-beta-old$/m);
    assert.match(out, /^# V8_MAX_RPS=dois$/m);
    assert.match(m.notes.join('\n'), /V8_AUDIENCE is assigned more than once/);
    assert.match(m.problems.join('\n'), /V8_MAX_RPS: the old value is not valid here/);
    assert.match(m.problems.join('\n'), /CLIENT_NAME is "clt-v8-api-5000"/);
    // The service itself accepts the file.
    const loaded = parseConfigText(out, 'config-5000.env');
    assert.equal(loaded.raw.PORT, 5000);
    assert.deepEqual(loaded.unknownKeys, []);
    assert.doesNotMatch(out, /__[A-Z_]+__/);
  });

  test('the legacy config.env: dead V8 host replaced, old names renamed, its PORT ignored', () => {
    const m = mapFixture(4000, 'config/config.env', 'clt-v8-api');
    const { text, values } = render(m);
    assert.equal(values.V8_BASE_URL, 'https://bff.v8sistema.com');
    assert.equal(values.V8_AUTH_URL, '', 'absent in the old file: the schema default applies');
    assert.equal(
      parseConfigText(text, 'config.env').raw.V8_AUTH_URL,
      'https://auth.v8sistema.com/oauth/token',
    );
    assert.match(m.changed.map((c) => c.note).join('\n'), /api\.v8digital\.com no longer answers/);
    assert.equal(values.KENTRO_API_KEY, 'fake-kentro-token-alfa', 'KENTRO_TOKEN -> KENTRO_API_KEY');
    assert.equal(values.KENTRO_QUEUE_ID, '25', 'QUEUE_ID -> KENTRO_QUEUE_ID');
    assert.equal(values.PORT, '4000');
    assert.match(m.notes.join('\n'), /says PORT=5000; the client runs on 4000/);
    assert.equal(parseConfigText(text, 'config.env').raw.PORT, 4000);
  });

  test('PM2 env wins over the file; placeholders are reported and left empty', () => {
    const m = mapFixture(6000, 'config/config-6000.env', 'clt-v8-api-6000', {
      PORT: '6000',
      LOG_LEVEL: 'debug',
    });
    const { values } = render(m);
    assert.equal(values.LOG_LEVEL, 'debug');
    assert.equal(values.CLIENT_NAME, 'Corban Exemplo Gama Ltda');
    assert.equal(values.V8_PASSWORD, 'fake-senha-gama-$HOME-"aspas"', 'no expansion, quotes kept');
    assert.equal(values.KENTRO_RESPONSIBLE_ID, '');
    assert.match(m.problems.join('\n'), /KENTRO_RESPONSIBLE_ID: the old value .* placeholder/);
    assert.ok(!m.generated.includes('CLIENT_NAME'));
  });

  test('secrets of an old file are never reused; the report never holds a value', () => {
    const m = mapLegacyConfig(
      {
        port: 7000,
        file: 'x.env',
        text: 'API_TOKEN=old-token-that-must-not-survive\nV8_PASSWORD=s3cr3t-value\n',
      },
      SECRETS,
    );
    assert.equal(m.values.API_TOKEN, SECRETS.API_TOKEN);
    const report = JSON.stringify({ ...m, values: undefined, commented: m.commented.map((c) => c.reason) });
    assert.ok(!report.includes('s3cr3t-value'));
    assert.ok(!report.includes('old-token-that-must-not-survive'));
  });
});

describe('legacy layout', () => {
  test('the fixture: three clients, config.env as 4000, the example file ignored', () => {
    const layout = discoverLegacy(FROM);
    assert.deepEqual(
      layout.clients.map((c) => [c.port, c.file, c.appName]),
      [
        [4000, 'config/config.env', 'clt-v8-api'],
        [5000, 'config/config-5000.env', 'clt-v8-api-5000'],
        [6000, 'config/config-6000.env', 'clt-v8-api-6000'],
      ],
    );
    assert.equal(layout.ecosystemFile, 'config/ecosystem.config.cjs');
    assert.match(layout.notes.join('\n'), /clt-v8-relatorios: no PORT/);
  });

  test('config.env is not migrated when config-4000.env exists; LEGACY_PORT moves it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cltv8-legacy-'));
    try {
      cpSync(FROM, dir, { recursive: true });
      writeFileSync(path.join(dir, 'config/config-4000.env'), 'V8_USERNAME=x@y.test\n');
      const layout = discoverLegacy(dir);
      assert.equal(layout.clients.find((c) => c.port === 4000)?.file, 'config/config-4000.env');
      assert.match(
        layout.notes.join('\n'),
        /config\/config\.env not migrated: config\/config-4000\.env exists/,
      );
      const moved = discoverLegacy(dir, { legacyPort: 4100 });
      assert.equal(moved.clients.find((c) => c.port === 4100)?.file, 'config/config.env');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an app without its config file is a problem; FROM must be a folder', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cltv8-legacy-'));
    try {
      cpSync(FROM, dir, { recursive: true });
      rmSync(path.join(dir, 'config/config-6000.env'));
      const layout = discoverLegacy(dir);
      assert.match(
        layout.problems.join('\n'),
        /clt-v8-api-6000 \(port 6000\) has no config\/config-6000\.env/,
      );
      assert.throws(() => discoverLegacy(path.join(dir, 'nope')), /is not a folder/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
