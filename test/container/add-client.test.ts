// `make add-client` end to end: the happy path ends healthy; every bad input fails with a clear
// message and leaves no file, container, volume or network behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { docker, freePort, OpsHome, TEST_IMAGE, TEST_PREFIX } from '../support/ops.ts';

const home = new OpsHome();
let existing = 0;

function leftovers(port: number) {
  return {
    dir: existsSync(path.join(home.dir, 'clients', String(port))),
    logs: existsSync(path.join(home.dir, 'logs', String(port))),
    container: docker(['inspect', `${TEST_PREFIX}-${port}`]).code === 0,
    volume: docker(['volume', 'inspect', `${TEST_PREFIX}-${port}_data`]).code === 0,
    network: docker(['network', 'inspect', `${TEST_PREFIX}-${port}_default`]).code === 0,
  };
}
const nothing = { dir: false, logs: false, container: false, volume: false, network: false };

describe('make add-client', () => {
  before(async () => {
    existing = await freePort(34000 + Math.floor(Math.random() * 3000));
  });
  after(async () => {
    await home.cleanup();
  });

  test('happy path: a healthy client from the template, files 0600, password printed once', async () => {
    const r = await home.ctl(['add-client', '--port', String(existing), '--name', "Corban D'Ávila & Filhos"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`client ${existing} is healthy`));
    const password = /shown only now, keep it safe\): (\S+)/.exec(r.stdout)?.[1];
    assert.ok(password && password.length >= 12);
    const file = home.configFile(existing);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /__[A-Z_]+__/, 'every placeholder is filled or emptied');
    assert.ok(!text.includes(password), 'only the hash of the console password is stored');
    assert.match(text, /^ADMIN_PASSWORD_HASH=scrypt\$/m);
    assert.match(text, /^API_TOKEN=[A-Za-z0-9_-]{40,}$/m);
    const token = /^API_TOKEN=(.*)$/m.exec(text)?.[1] ?? '';
    assert.deepEqual(await (await fetch(`http://127.0.0.1:${existing}/health`)).json(), { status: 'ok' });
    const health = (await (
      await fetch(`http://127.0.0.1:${existing}/health`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as Record<string, unknown>;
    assert.equal(health.client, "Corban D'Ávila & Filhos");
    assert.equal(health.port, existing);
    // Docker's first check runs one interval after start; until then it says "starting".
    const inspect = docker([
      'inspect',
      '--format',
      '{{.State.Status}} {{.State.Health.Status}}',
      `${TEST_PREFIX}-${existing}`,
    ]);
    assert.match(inspect.stdout.trim(), /^running (starting|healthy)$/);
    const status = await home.ctl(['status']);
    assert.match(
      status.stdout,
      new RegExp(`${existing}\\s+Corban D'Ávila & Filhos\\s+running\\s+(starting|healthy)`),
    );
    // Live figures from the client's own /metrics: no flow running, empty outbox, no V8 429 yet.
    assert.match(status.stdout, /FLOWS RUNNING\s+OUTBOX PENDING\/PARKED\s+V8 429/);
    assert.match(status.stdout, new RegExp(`${existing}\\s.*\\s0\\s+0/0\\s+0$`, 'm'));
  });

  const bad: { label: string; port: () => string; message: RegExp }[] = [
    { label: 'letters', port: () => 'abc', message: /PORT "abc" is not a number/ },
    { label: 'privileged port', port: () => '80', message: /PORT 80 is outside 1024-65535/ },
    { label: 'too large', port: () => '70000', message: /PORT 70000 is outside 1024-65535/ },
    { label: 'path traversal', port: () => '../x', message: /PORT "\.\.\/x" is not a number/ },
    { label: 'existing client', port: () => String(existing), message: /already exists/ },
  ];
  for (const c of bad) {
    test(`refuses ${c.label} with a clear message and leaves nothing`, async () => {
      const before = readdirSync(path.join(home.dir, 'clients')).sort();
      const r = await home.ctl(['add-client', '--port', c.port()]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, c.message);
      assert.deepEqual(readdirSync(path.join(home.dir, 'clients')).sort(), before);
      // The existing client is untouched by a refused duplicate.
      const res = await fetch(`http://127.0.0.1:${existing}/health`);
      assert.equal(res.status, 200);
    });
  }

  test('refuses a port another program listens on, and leaves nothing', async () => {
    const port = await freePort(37000 + Math.floor(Math.random() * 3000));
    const blocker = net.createServer().listen(port, '0.0.0.0');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const r = await home.ctl(['add-client', '--port', String(port)]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`port ${port} is already in use on this host`));
      assert.deepEqual(leftovers(port), nothing);
    } finally {
      blocker.close();
    }
  });

  test('a client that never becomes healthy is rolled back: no file, container, volume or network', async () => {
    const broken = `${TEST_PREFIX}-broken:latest`;
    const build = spawnSync('docker', ['build', '-q', '-t', broken, '-'], {
      input: `FROM ${TEST_IMAGE}\nCMD ["node", "-e", "process.exit(3)"]\n`,
      encoding: 'utf8',
    });
    assert.equal(build.status, 0, build.stderr);
    const port = await freePort(43000 + Math.floor(Math.random() * 3000));
    try {
      const r = await home.ctl(['add-client', '--port', String(port)], {
        CLT_V8_IMAGE: broken,
        HEALTH_TIMEOUT_S: '20',
      });
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`client ${port} did not become healthy`));
      assert.deepEqual(leftovers(port), nothing);
    } finally {
      docker(['rmi', '-f', broken]);
    }
  });

  test('SIGTERM (docker stop) drains and exits 0 within the grace period; make up brings it back', async () => {
    const name = `${TEST_PREFIX}-${existing}`;
    const stop = docker(['stop', '--time', '15', name]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(docker(['inspect', '--format', '{{.State.ExitCode}}', name]).stdout.trim(), '0');
    assert.match(home.readLog(existing, 'combined'), /"message":"stopped"/);
    const up = await home.ctl(['up', '--port', String(existing)]);
    assert.equal(up.code, 0, up.stderr);
    assert.equal((await fetch(`http://127.0.0.1:${existing}/health`)).status, 200);
  });

  test('remove-client archives config, logs and data, then frees the port for a fresh client', async () => {
    const port = await freePort(40000 + Math.floor(Math.random() * 3000));
    assert.equal((await home.ctl(['add-client', '--port', String(port)])).code, 0);
    const r = await home.ctl(['remove-client', '--port', String(port)]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(leftovers(port), nothing);
    const archives = readdirSync(path.join(home.dir, 'archive')).filter((d) => d.startsWith(`${port}-`));
    assert.equal(archives.length, 1);
    const archive = path.join(home.dir, 'archive', archives[0] ?? '');
    assert.ok(existsSync(path.join(archive, 'client', 'config.env')));
    assert.ok(existsSync(path.join(archive, 'logs', `combined-${port}.log`)));
    assert.ok(statSync(path.join(archive, 'data.tar.gz')).size > 0);
  });
});
