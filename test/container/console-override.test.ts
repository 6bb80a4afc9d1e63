// Credentials saved in the /config-v8 console override the read-only file, survive `make restart`
// (the container is recreated; the override lives in the data volume) and can be reverted.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ConsoleSession } from '../support/console-session.ts';
import { docker, freePort, OpsHome, TEST_PREFIX } from '../support/ops.ts';

const OVERRIDE_USER = 'console.override@corban-restart.example';
const OVERRIDE_PASSWORD = 'CANARY-override-password-5a1c';

describe('console overrides in a real container', () => {
  const home = new OpsHome();
  let port = 0;
  let password = '';
  let token = '';
  let fileHash = '';
  // One console sign-in for the whole file: it must survive both restarts (sessions live in the store).
  let c: ConsoleSession;
  const hashFile = () =>
    createHash('sha256')
      .update(readFileSync(home.configFile(port)))
      .digest('hex');
  const config = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/config`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { keys: { key: string; value: string; source: string }[] };
    return Object.fromEntries(body.keys.map((k) => [k.key, k]));
  };
  const health = async () =>
    (await (
      await fetch(`http://127.0.0.1:${port}/health`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { v8Username: string | null };

  before(async () => {
    port = await freePort(24000 + Math.floor(Math.random() * 3000));
    const r = await home.ctl(['add-client', '--port', String(port), '--name', 'Override']);
    assert.equal(r.code, 0, r.stderr);
    password = /shown only now, keep it safe\): (\S+)/.exec(r.stdout)?.[1] ?? '';
    token = /^API_TOKEN=(.*)$/m.exec(readFileSync(home.configFile(port), 'utf8'))?.[1] ?? '';
    fileHash = hashFile();
  });
  after(async () => {
    await home.cleanup();
  });

  test('saved credentials take precedence at once, masked, without touching the file', async () => {
    c = new ConsoleSession(`http://127.0.0.1:${port}`);
    await c.login(password);
    const saved = await c.call('POST', '/config-v8/api/credentials', {
      V8_USERNAME: OVERRIDE_USER,
      V8_PASSWORD: OVERRIDE_PASSWORD,
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.ok(!JSON.stringify(saved.body).includes(OVERRIDE_PASSWORD));
    const keys = await config();
    assert.equal(keys.V8_USERNAME?.source, 'override');
    assert.equal(keys.V8_USERNAME?.value, 'co**************@corban-restart.example');
    assert.equal(keys.V8_PASSWORD?.source, 'override');
    assert.equal(keys.V8_PASSWORD?.value, 'definido');
    assert.equal((await health()).v8Username, 'co**************@corban-restart.example');
    assert.equal(hashFile(), fileHash, 'the read-only config file is never written');
    const mode = docker([
      'exec',
      `${TEST_PREFIX}-${port}`,
      'stat',
      '-c',
      '%a',
      '/app/data/config-overrides.json',
    ]);
    assert.equal(mode.stdout.trim(), '600');
  });

  test('make restart recreates the container; the override is still in force and the console session still valid', async () => {
    const before = docker(['inspect', '--format', '{{.Id}}', `${TEST_PREFIX}-${port}`]).stdout.trim();
    const r = await home.ctl(['restart', '--port', String(port)]);
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(
      docker(['inspect', '--format', '{{.Id}}', `${TEST_PREFIX}-${port}`]).stdout.trim(),
      before,
    );
    const keys = await config();
    assert.equal(keys.V8_USERNAME?.source, 'override');
    assert.equal((await health()).v8Username, 'co**************@corban-restart.example');
    const shown = await home.ctl(['config', '--port', String(port)]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /V8_USERNAME\s+co\*+@corban-restart\.example\s+override/);
    assert.ok(!shown.stdout.includes(OVERRIDE_PASSWORD));
    const still = await c.call('GET', '/config-v8/api/config');
    assert.equal(still.status, 200, 'signed in before the restart, still signed in after it');
  });

  test('revert (same session, same CSRF token as before the restart) brings the file value back, also after another restart', async () => {
    const reverted = await c.call('DELETE', '/config-v8/api/credentials');
    assert.equal(reverted.status, 200, JSON.stringify(reverted.body));
    assert.notEqual((await config()).V8_USERNAME?.source, 'override');
    assert.equal((await health()).v8Username, null);
    assert.equal((await home.ctl(['restart', '--port', String(port)])).code, 0);
    assert.notEqual((await config()).V8_USERNAME?.source, 'override');
    for (const kind of ['out', 'error', 'combined'] as const) {
      assert.ok(!home.readLog(port, kind).includes(OVERRIDE_PASSWORD), `password in ${kind} log`);
    }
  });
});
