import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  FileOverrideStore,
  isOverridableKey,
  OVERRIDABLE_KEYS,
  OVERRIDES_FILE,
  OverridesFileError,
} from '../../app/config/overrides.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'overrides-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const AT = new Date('2026-02-03T10:00:00Z');

test('only the schema keys marked overridable can be overridden', () => {
  assert.deepEqual([...OVERRIDABLE_KEYS].sort(), [
    'V8_AUDIENCE',
    'V8_AUTH_URL',
    'V8_BASE_URL',
    'V8_CLIENT_ID',
    'V8_PASSWORD',
    'V8_PROVIDER',
    'V8_USERNAME',
  ]);
  assert.equal(isOverridableKey('API_TOKEN'), false);
  assert.equal(isOverridableKey('ADMIN_PASSWORD_HASH'), false);
});

test('no file: no overrides', () => {
  assert.deepEqual(new FileOverrideStore(tmp()).read(), { values: {}, updatedAt: null, ignoredKeys: [] });
});

test('write: private (0600), atomic (no temp file left), read back; an empty set deletes the file', async () => {
  const dir = tmp();
  const store = new FileOverrideStore(path.join(dir, 'nested'));
  await store.write({ V8_USERNAME: 'a@b.example', V8_PASSWORD: 'p4ss' }, AT);
  const file = path.join(dir, 'nested', OVERRIDES_FILE);
  assert.equal(store.location, file);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(path.join(dir, 'nested')), [OVERRIDES_FILE]);
  assert.deepEqual(store.read(), {
    values: { V8_USERNAME: 'a@b.example', V8_PASSWORD: 'p4ss' },
    updatedAt: AT.toISOString(),
    ignoredKeys: [],
  });
  const body = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(body.version, 1);

  await store.write({}, AT);
  assert.deepEqual(readdirSync(path.join(dir, 'nested')), []);
  await store.write({}, AT); // already absent: fine
});

test('write keeps only overridable keys, whatever it is handed', async () => {
  const store = new FileOverrideStore(tmp());
  await store.write({ V8_PROVIDER: 'CELCOIN', API_TOKEN: 'x' } as never, AT);
  assert.deepEqual(JSON.parse(readFileSync(store.location, 'utf8')).values, { V8_PROVIDER: 'CELCOIN' });
});

test('read ignores (and names) keys that cannot be overridden or are not strings', () => {
  const dir = tmp();
  writeFileSync(
    path.join(dir, OVERRIDES_FILE),
    JSON.stringify({ values: { V8_USERNAME: 'u@x.example', API_TOKEN: 'sneaky', V8_PROVIDER: 7 } }),
  );
  const read = new FileOverrideStore(dir).read();
  assert.deepEqual(read.values, { V8_USERNAME: 'u@x.example' });
  assert.deepEqual([...read.ignoredKeys].sort(), ['API_TOKEN', 'V8_PROVIDER']);
  assert.equal(read.updatedAt, null);
});

test('an unusable file is an OverridesFileError naming the file, never its content', () => {
  for (const text of ['{not json', '[]', '{"values": "V8_PASSWORD=secret-value"}']) {
    const dir = tmp();
    writeFileSync(path.join(dir, OVERRIDES_FILE), text);
    assert.throws(
      () => new FileOverrideStore(dir).read(),
      (err: unknown) =>
        err instanceof OverridesFileError &&
        err.message.startsWith(path.join(dir, OVERRIDES_FILE)) &&
        !err.message.includes('secret-value'),
    );
  }
});
