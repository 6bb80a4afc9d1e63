// `make migrate` through the real CLI against a temp CLT_V8_HOME. No container is started here
// (test/container/migrate.test.ts starts the migrated clients), but the CLI and the clean-up
// (`remove-client --purge`, which runs `docker compose down`) talk to the engine: a container test.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseConfigText } from '../../app/config/load-config.ts';
import { verifyPassword } from '../../app/domain/password-hash.ts';
import { LEGACY_FIXTURE, treeHash } from '../fixtures/legacy/legacy-fixture.ts';
import { OpsHome } from '../support/ops.ts';

// Values of the fixture that must never be printed.
const FIXTURE_SECRETS = ['fake senha beta #1', 'fake-senha-alfa', 'fake-kentro-key-beta', 'fake-fgts-pass'];

describe('make migrate (files only)', () => {
  const home = new OpsHome();
  const before = treeHash(LEGACY_FIXTURE);
  after(async () => {
    await home.cleanup();
  });

  test('dry run: the full report, nothing written', async () => {
    const r = await home.ctl(['migrate', '--from', LEGACY_FIXTURE, '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^DRY RUN: nothing written/);
    assert.match(r.stdout, /parsed as text, never executed/);
    for (const port of [4000, 5000, 6000]) assert.match(r.stdout, new RegExp(`^client ${port} `, 'm'));
    assert.match(r.stdout, /V8_API_URL -> V8_BASE_URL/);
    assert.match(r.stdout, /KENTRO_TOKEN -> KENTRO_API_KEY/);
    assert.match(r.stdout, /kept as comments in the new file/);
    assert.match(r.stdout, /to fix \(\d+\):/);
    assert.doesNotMatch(r.stdout, /console password/);
    assert.ok(!existsSync(path.join(home.dir, 'clients')), 'no clients/ folder');
    assert.ok(!existsSync(path.join(home.dir, 'logs')), 'no logs/ folder');
    for (const s of FIXTURE_SECRETS) assert.ok(!r.stdout.includes(s), 'no value is printed');
  });

  test('real run: one 0600 config per port that the service accepts, passwords printed once', async () => {
    const r = await home.ctl(['migrate', '--from', LEGACY_FIXTURE]);
    assert.equal(r.code, 0, r.stderr);
    const passwords = [
      ...r.stdout.matchAll(/console password for \/config-v8 \(shown only now, keep it safe\): (\S+)/g),
    ].map((m) => m[1] as string);
    assert.equal(passwords.length, 3);
    for (const [i, port] of [4000, 5000, 6000].entries()) {
      const file = home.configFile(port);
      assert.equal(statSync(file).mode & 0o777, 0o640);
      assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
      const text = readFileSync(file, 'utf8');
      const loaded = parseConfigText(text, file);
      assert.equal(loaded.raw.PORT, port);
      assert.deepEqual(loaded.unknownKeys, [], 'leftovers are comments, not keys');
      assert.ok(verifyPassword(passwords[i] as string, loaded.raw.ADMIN_PASSWORD_HASH));
      assert.ok(!text.includes(passwords[i] as string), 'only the hash is stored');
      assert.ok(existsSync(path.join(home.dir, 'logs', String(port))));
    }
    const beta = parseConfigText(readFileSync(home.configFile(5000), 'utf8'), 'x').raw;
    assert.equal(beta.V8_PASSWORD, 'fake senha beta #1');
    assert.equal(beta.KENTRO_BASE_URL, 'https://corban-beta.atenderbem.test');
    for (const s of FIXTURE_SECRETS) assert.ok(!r.stdout.includes(s), 'no old value is printed');
    assert.match(r.stdout, /Start them with make up/);
  });

  test('a second run refuses to overwrite and changes nothing', async () => {
    const snapshot = readFileSync(home.configFile(5000));
    const r = await home.ctl(['migrate', '--from', LEGACY_FIXTURE]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /refusing to overwrite existing client\(s\): 4000 .*5000 .*6000 .*nothing was written/,
    );
    assert.deepEqual(readFileSync(home.configFile(5000)), snapshot);
    const one = await home.ctl(['migrate', '--from', LEGACY_FIXTURE, '--port', '5000', '--dry-run']);
    assert.equal(one.code, 2, 'a dry run refuses the same way');
  });

  test('PORT= migrates one port only; bad input is refused clearly', async () => {
    const other = new OpsHome();
    try {
      const r = await other.ctl(['migrate', '--from', LEGACY_FIXTURE, '--port', '6000']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(readdirSync(path.join(other.dir, 'clients')), ['6000']);
      const none = await other.ctl(['migrate', '--from', LEGACY_FIXTURE, '--port', '7000']);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /port 7000 is not a client of/);
      const missing = await other.ctl(['migrate']);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /FROM is required/);
      const notDir = await other.ctl(['migrate', '--from', path.join(other.dir, 'nope')]);
      assert.equal(notDir.code, 2);
      assert.match(notDir.stderr, /is not a folder/);
    } finally {
      await other.cleanup();
    }
  });

  test('the old tree is byte-for-byte unchanged and its ecosystem file never ran', () => {
    assert.equal(treeHash(LEGACY_FIXTURE), before);
    assert.ok(!existsSync(path.join(LEGACY_FIXTURE, 'config', 'EXECUTED')));
  });
});
