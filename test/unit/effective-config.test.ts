import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { AppConfig } from '../../app/config/app-config.ts';
import { EffectiveConfig, loadEffectiveConfig } from '../../app/config/effective-config.ts';
import { ConfigError } from '../../app/config/load-config.ts';
import { FileOverrideStore, MemoryOverrideStore, OVERRIDES_FILE } from '../../app/config/overrides.ts';

const PORT = 6570;
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function client(fileText: string, overrides?: string) {
  const root = mkdtempSync(path.join(tmpdir(), 'effective-'));
  dirs.push(root);
  const settings = {
    port: PORT,
    configDir: path.join(root, 'config'),
    dataDir: path.join(root, 'data'),
    logDir: path.join(root, 'logs'),
  };
  mkdirSync(settings.configDir, { recursive: true });
  mkdirSync(settings.dataDir, { recursive: true });
  writeFileSync(path.join(settings.configDir, `config-${PORT}.env`), fileText);
  if (overrides !== undefined) writeFileSync(path.join(settings.dataDir, OVERRIDES_FILE), overrides);
  return settings;
}

const FILE = [
  `PORT=${PORT}`,
  'CLIENT_NAME=Efetiva',
  'API_TOKEN=effective-config-token-0123456789',
  'V8_USERNAME=arquivo@corban.example',
  'V8_PASSWORD=senha-do-arquivo',
  'V8_CLIENT_ID=client-id-0001',
  '',
].join('\n');

const overridesFile = (values: Record<string, unknown>) =>
  JSON.stringify({ version: 1, updatedAt: '2026-01-02T03:04:05.000Z', values });

test('start: the config file alone when there are no overrides', () => {
  const { effective, notices } = loadEffectiveConfig(client(FILE));
  assert.equal(effective.current().v8.username, 'arquivo@corban.example');
  assert.equal(effective.current().loaded.sources.V8_USERNAME, 'file');
  assert.deepEqual(effective.overrides(), {});
  assert.deepEqual(notices, []);
});

test('start: overrides from the data volume win over the file, with source "override"', () => {
  const settings = client(
    FILE,
    overridesFile({ V8_USERNAME: 'console@corban.example', V8_PROVIDER: 'CELCOIN' }),
  );
  const { effective, notices } = loadEffectiveConfig(settings);
  const c = effective.current();
  assert.equal(c.v8.username, 'console@corban.example');
  assert.equal(c.v8.provider, 'CELCOIN');
  assert.equal(c.v8.password, 'senha-do-arquivo');
  assert.equal(c.loaded.sources.V8_USERNAME, 'override');
  assert.equal(c.loaded.sources.V8_PASSWORD, 'file');
  assert.equal(effective.updatedAt(), '2026-01-02T03:04:05.000Z');
  assert.deepEqual(
    notices.map((n) => [n.level, n.message]),
    [['info', 'console overrides in force']],
  );
});

test('start: invalid or unreadable overrides do not stop the client; it runs on its file and says so', () => {
  for (const body of ['{broken', overridesFile({ V8_AUTH_URL: 'not a url' })]) {
    const { effective, notices } = loadEffectiveConfig(client(FILE, body));
    assert.equal(effective.current().v8.username, 'arquivo@corban.example');
    assert.deepEqual(effective.overrides(), {});
    assert.equal(notices.length, 1);
    assert.equal(notices[0]?.level, 'error');
    assert.ok(!JSON.stringify(notices).includes('not a url'), 'names keys and reasons, not values');
  }
});

test('start: a bad config file still refuses to start, overrides or not', () => {
  const bad = FILE.replace('API_TOKEN=effective-config-token-0123456789', 'API_TOKEN=short');
  assert.throws(
    () => loadEffectiveConfig(client(bad, overridesFile({ V8_USERNAME: 'x@y.example' }))),
    ConfigError,
  );
  // A file that declares another port than the container's.
  const other = client(FILE);
  writeFileSync(path.join(other.configDir, `config-${PORT + 1}.env`), FILE);
  assert.throws(
    () => loadEffectiveConfig({ ...other, port: PORT + 1 }),
    (err: unknown) => err instanceof ConfigError && err.issues[0]?.key === 'PORT',
  );
});

test('update: validated, stored, swapped in, announced; the file is not re-read', async () => {
  const settings = client(FILE);
  const { effective } = loadEffectiveConfig(settings);
  const seen: [string | undefined, string | undefined][] = [];
  effective.onChange((next, previous) => seen.push([previous.v8.username, next.v8.username]));
  // Editing the file after start changes nothing until a restart.
  writeFileSync(path.join(settings.configDir, `config-${PORT}.env`), FILE.replace('arquivo@', 'editado@'));

  const at = new Date('2026-03-01T00:00:00Z');
  const { config } = await effective.update((cur) => ({ ...cur, V8_USERNAME: 'novo@corban.example' }), at);
  assert.equal(config.v8.username, 'novo@corban.example');
  assert.equal(effective.current(), config);
  assert.deepEqual(seen, [['arquivo@corban.example', 'novo@corban.example']]);
  assert.equal(effective.updatedAt(), at.toISOString());
  const stored = JSON.parse(readFileSync(path.join(settings.dataDir, OVERRIDES_FILE), 'utf8'));
  assert.deepEqual(stored.values, { V8_USERNAME: 'novo@corban.example' });

  await effective.update(() => ({}), at);
  assert.equal(
    effective.current().v8.username,
    'arquivo@corban.example',
    'back to the file as read at start',
  );
  assert.equal(effective.updatedAt(), null);
});

test('update: an invalid value changes nothing, in memory or on disk', async () => {
  const settings = client(FILE);
  const { effective } = loadEffectiveConfig(settings);
  let calls = 0;
  effective.onChange(() => calls++);
  await assert.rejects(
    effective.update((cur) => ({ ...cur, V8_BASE_URL: 'ftp://nope' }), new Date()),
    (err: unknown) => err instanceof ConfigError && err.issues[0]?.key === 'V8_BASE_URL',
  );
  assert.equal(calls, 0);
  assert.equal(effective.current().loaded.sources.V8_BASE_URL, 'default');
  assert.deepEqual(new FileOverrideStore(settings.dataDir).read().values, {});
});

test('update: concurrent changes are applied one after the other, none lost', async () => {
  const { effective } = loadEffectiveConfig(client(FILE), new MemoryOverrideStore());
  await Promise.all([
    effective.update((cur) => ({ ...cur, V8_USERNAME: 'a@corban.example' }), new Date()),
    effective.update((cur) => ({ ...cur, V8_PROVIDER: 'CELCOIN' }), new Date()),
    effective.update((cur) => ({ ...cur, V8_BASE_URL: 'ftp://invalid' }), new Date()).catch(() => 'refused'),
  ]);
  assert.deepEqual(effective.overrides(), { V8_USERNAME: 'a@corban.example', V8_PROVIDER: 'CELCOIN' });
});

test('a listener that throws does not undo the change', async () => {
  const errors: unknown[] = [];
  const { effective } = loadEffectiveConfig(client(FILE), new MemoryOverrideStore(), (e) => errors.push(e));
  effective.onChange(() => {
    throw new Error('listener failed');
  });
  await effective.update(() => ({ V8_PROVIDER: 'CELCOIN' }), new Date());
  assert.equal(effective.current().v8.provider, 'CELCOIN');
  assert.equal(errors.length, 1);
});

test('fixed: shows a configuration and refuses any change', async () => {
  const { effective: real } = loadEffectiveConfig(client(FILE));
  const fixed = EffectiveConfig.fixed(real.current() as AppConfig);
  assert.equal(fixed.preview({}), real.current());
  assert.throws(() => fixed.preview({ V8_PROVIDER: 'CELCOIN' }));
  await assert.rejects(fixed.update(() => ({ V8_PROVIDER: 'CELCOIN' }), new Date()));
});
