// `make migrate START=1` end to end: a copy of the old-layout fixture (ports swapped for free ones,
// V8 URLs pointed at a fake V8 in this process) becomes three running clients that log in to V8 with
// the migrated credentials. The old tree is left byte-for-byte as it was and its ecosystem never ran.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import dotenv from 'dotenv';
import { type FakeV8Handle, startFakeV8 } from '../../sandbox/fake-v8/fake-v8-server.ts';
import { subnetForPort } from '../../scripts/lib/ports.ts';
import { copyFixture, FIXTURE_PORTS, LEGACY_FIXTURE, treeHash } from '../fixtures/legacy/legacy-fixture.ts';
import { docker, freePort, OpsHome, TEST_PREFIX } from '../support/ops.ts';

/** Containers reach the host at their network's gateway: the first address of the client's /28. */
function gatewayOf(port: number): string {
  const [net = ''] = subnetForPort(port).split('/');
  const parts = net.split('.').map(Number);
  parts[3] = (parts[3] ?? 0) + 1;
  return parts.join('.');
}

/** Reads the V8 account the fixture gives one old port (the credentials being migrated). */
function accountOf(file: string) {
  const env = dotenv.parse(readFileSync(file, 'utf8'));
  return {
    username: env.V8_USERNAME as string,
    password: env.V8_PASSWORD as string,
    clientId: env.V8_CLIENT_ID as string,
  };
}

describe('make migrate START=1 (real containers)', () => {
  const home = new OpsHome();
  const copy = mkdtempSync(path.join(os.tmpdir(), 'cltv8-legacy-copy-'));
  const ports: Record<number, number> = {};
  let fake: FakeV8Handle;
  let fixtureHash = '';
  let copyHash = '';

  before(async () => {
    fixtureHash = treeHash(LEGACY_FIXTURE);
    let from = 21000 + Math.floor(Math.random() * 9000);
    for (const old of FIXTURE_PORTS) {
      ports[old] = await freePort(from);
      from = (ports[old] as number) + 1;
    }
    const accounts = [
      accountOf(path.join(LEGACY_FIXTURE, 'config/config.env')),
      accountOf(path.join(LEGACY_FIXTURE, 'config/config-5000.env')),
      accountOf(path.join(LEGACY_FIXTURE, 'config/config-6000.env')),
    ];
    fake = await startFakeV8({ host: '0.0.0.0', port: await freePort(from + 1), accounts });
    copyFixture(copy, ports, (port, text) => {
      const base = `http://${gatewayOf(port)}:${fake.port}`;
      const eol = text.includes('\r\n') ? '\r\n' : '\n';
      const swapped = text
        .replace(/^V8_API_URL=[^\r\n]*/m, `V8_API_URL=${base}`)
        .replace(/^V8_AUTH_URL=[^\r\n]*/m, `V8_AUTH_URL=${base}/oauth/token`);
      return /^V8_AUTH_URL=/m.test(swapped) ? swapped : `${swapped}V8_AUTH_URL=${base}/oauth/token${eol}`;
    });
    copyHash = treeHash(copy);
  });

  after(async () => {
    for (const p of Object.values(ports)) await home.ctl(['remove-client', '--port', String(p), '--purge']);
    await home.cleanup();
    await fake?.close();
    rmSync(copy, { recursive: true, force: true });
  });

  test('three clients start healthy and log in to V8 with their migrated credentials', async () => {
    const started = Date.now();
    const r = await home.ctl(['migrate', '--from', copy, '--legacy-port', String(ports[4000]), '--start']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    for (const old of FIXTURE_PORTS) {
      const port = ports[old] as number;
      assert.match(r.stdout, new RegExp(`client ${port}: healthy`));
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(health.status, 200);
      const state = docker(['inspect', '--format', '{{.State.Status}}', `${TEST_PREFIX}-${port}`]);
      assert.equal(state.stdout.trim(), 'running');
    }
    console.log(`migrate + start of 3 clients: ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const files = {
      [ports[4000] as number]: 'config/config.env',
      [ports[5000] as number]: `config/config-${ports[5000]}.env`,
      [ports[6000] as number]: `config/config-${ports[6000]}.env`,
    };
    for (const [portText, oldFile] of Object.entries(files)) {
      const port = Number(portText);
      const account = accountOf(path.join(copy, oldFile));
      const token = dotenv.parse(readFileSync(home.configFile(port), 'utf8')).API_TOKEN;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/simulation-configs`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = await res.text();
      assert.equal(res.status, 200, `client ${port}: ${body}`);
      const logins = fake.requests({ path: '/oauth/token', account: account.username });
      assert.ok(logins.length >= 1, `client ${port} asked the fake V8 for a token as ${account.username}`);
      const form = logins[0]?.body as Record<string, string>;
      assert.equal(form.client_id, account.clientId);
      assert.equal(form.password, account.password);
      assert.equal(logins.at(-1)?.status, 200);
      const bff = fake.requests({ path: '/simulation/configs', account: account.username });
      assert.ok(
        bff.some((q) => q.status === 200),
        `client ${port} called the BFF with that account's token`,
      );
    }
  });

  test('the old trees are unchanged and their ecosystem file never ran', () => {
    assert.equal(treeHash(copy), copyHash);
    assert.equal(treeHash(LEGACY_FIXTURE), fixtureHash);
    assert.ok(!existsSync(path.join(copy, 'config', 'EXECUTED')));
    assert.ok(!existsSync(path.join(LEGACY_FIXTURE, 'config', 'EXECUTED')));
  });

  test('a second run refuses to overwrite the running clients', async () => {
    const r = await home.ctl(['migrate', '--from', copy, '--legacy-port', String(ports[4000]), '--start']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refusing to overwrite existing client/);
    for (const old of FIXTURE_PORTS) {
      assert.equal((await fetch(`http://127.0.0.1:${ports[old]}/health`)).status, 200);
    }
  });
});
