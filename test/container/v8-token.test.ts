// The per-client V8 token cache in real containers. Two clients with DIFFERENT V8 accounts share ONE
// fake V8 running in this test process; each container reaches it through its own network's gateway,
// so the fake tells the clients apart by the Host header of each request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  bearerOf,
  ClientApi,
  configureClient,
  containerGateway,
  expectedGateway,
  type FakeV8Handle,
  startHostFake,
  v8KeysFor,
} from '../support/host-fake.ts';
import { docker, freePort, OpsHome, settleLogs, TEST_PREFIX } from '../support/ops.ts';

// Canary passwords: they must never show up anywhere but the config file and the fake.
const ACCOUNT_A = {
  username: 'operador.a@corban-a.example',
  password: 'CANARY-v8-password-A-5d0c2e71b9',
  clientId: 'ClientIdOfCorbanA000000000000001',
};
const ACCOUNT_B = {
  username: 'operador.b@corban-b.example',
  password: 'CANARY-v8-password-B-93fa6c04de',
  clientId: 'ClientIdOfCorbanB000000000000002',
};
const CALLS = 1000;

const home = new OpsHome();
let fake: FakeV8Handle;
let portA = 0;
let portB = 0;
let apiA: ClientApi;
let apiB: ClientApi;
let tokenA1 = '';
const name = (port: number) => `${TEST_PREFIX}-${port}`;

const tokenRequests = (username: string) => fake.stats().tokenRequests[username] ?? 0;
const bffRequests = () => fake.requests().filter((r) => r.path.startsWith('/private-consignment/'));
function lastBearer(username: string): string | undefined {
  const last = bffRequests()
    .filter((r) => r.account === username)
    .at(-1);
  return last ? bearerOf(last) : undefined;
}
/** Output of containers that a restart replaced (docker logs only shows the current one). */
const replacedOutput: string[] = [];

describe('V8 token cache per client, in containers', () => {
  before(async () => {
    fake = await startHostFake(29500 + Math.floor(Math.random() * 1500), {
      accounts: [ACCOUNT_A, ACCOUNT_B],
    });
    portA = await freePort(27000 + Math.floor(Math.random() * 700));
    portB = await freePort(portA + 1);
    const added = await Promise.all(
      [portA, portB].map((p) => home.ctl(['add-client', '--port', String(p), '--name', `Corban ${p}`])),
    );
    for (const r of added) assert.equal(r.code, 0, `add-client failed: ${r.stderr}`);
    // Both clients at once through the operator's edit + restart; a high rate so 1,000 calls
    // finish in seconds (the rate limit is exercised in v8-rate.test.ts).
    await Promise.all(
      [
        [portA, ACCOUNT_A],
        [portB, ACCOUNT_B],
      ].map(([port, account]) =>
        configureClient(home, port as number, {
          ...v8KeysFor(fake, expectedGateway(port as number), account as typeof ACCOUNT_A),
          V8_MAX_RPS: '100',
          V8_MAX_CONCURRENCY: '64',
          LOG_LEVEL: 'debug',
        }),
      ),
    );
    apiA = new ClientApi(home, portA);
    apiB = new ClientApi(home, portB);
  });

  after(async () => {
    await home.cleanup();
    await fake?.close();
  });

  test('each client reaches the shared fake through its own network gateway', () => {
    for (const port of [portA, portB]) {
      assert.equal(containerGateway(port), expectedGateway(port), `gateway of ${name(port)}`);
      const nets = docker([
        'inspect',
        '--format',
        '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}',
        name(port),
      ]);
      assert.equal(nets.stdout.trim(), `${name(port)}_default`);
    }
    assert.notEqual(expectedGateway(portA), expectedGateway(portB));
  });

  test('GET /v8/token before any call: not held, username masked', async () => {
    const r = await apiA.call('GET', '/v8/token');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      held: false,
      expiresAt: null,
      username: 'op********@corban-a.example',
      source: 'none',
    });
    assert.equal(tokenRequests(ACCOUNT_A.username), 0);
  });

  test(`${CALLS} concurrent calls through the published port cause exactly one token request`, async () => {
    const answers = await Promise.all(
      Array.from({ length: CALLS }, () => apiA.call('GET', '/simulation-configs')),
    );
    const statuses = new Map<number, number>();
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    assert.deepEqual([...statuses], [[200, CALLS]]);
    const stats = fake.stats();
    assert.equal(stats.tokenRequests[ACCOUNT_A.username], 1);
    assert.equal(stats.tokensIssued[ACCOUNT_A.username], 1);
    assert.equal(stats.requests[ACCOUNT_A.username], CALLS);
    // B, concurrently too: one token for its own account.
    const bAnswers = await Promise.all(
      Array.from({ length: 50 }, () => apiB.call('GET', '/simulation-configs')),
    );
    assert.ok(bAnswers.every((a) => a.status === 200));
    assert.deepEqual(fake.stats().tokenRequests, { [ACCOUNT_A.username]: 1, [ACCOUNT_B.username]: 1 });
    tokenA1 = lastBearer(ACCOUNT_A.username) ?? '';
    assert.ok(tokenA1.length > 40);
  });

  test("every request carries only the token issued to that client's account", () => {
    const gatewayOf = new Map([
      [expectedGateway(portA), ACCOUNT_A.username],
      [expectedGateway(portB), ACCOUNT_B.username],
    ]);
    const clientOf = (host: string | undefined) => gatewayOf.get((host ?? '').split(':')[0] ?? '');
    const all = fake.requests();
    const tokenCalls = all.filter((r) => r.path === '/oauth/token');
    assert.equal(tokenCalls.length, 2);
    for (const r of tokenCalls) {
      assert.equal(
        (r.body as { username?: string }).username,
        clientOf(r.headers.host),
        'token asked with its own login',
      );
    }
    const seen = new Map<string, Set<string>>();
    for (const r of bffRequests()) {
      const expected = clientOf(r.headers.host);
      assert.ok(expected, `unexpected Host ${r.headers.host}`);
      assert.equal(r.account, expected, `${r.method} ${r.path} from ${r.headers.host}`);
      assert.equal(r.status, 200);
      const set = seen.get(expected) ?? new Set<string>();
      set.add(bearerOf(r) ?? '');
      seen.set(expected, set);
    }
    const a = [...(seen.get(ACCOUNT_A.username) ?? [])];
    const b = [...(seen.get(ACCOUNT_B.username) ?? [])];
    assert.equal(a.length, 1, 'A used one token');
    assert.equal(b.length, 1, 'B used one token');
    assert.notEqual(a[0], b[0]);
    // The fake's own record of whom it issued each token to agrees (values shortened there).
    for (const t of fake.state().tokens) {
      const full = t.username === ACCOUNT_A.username ? a[0] : b[0];
      assert.ok(full?.endsWith(t.token.slice(-6)), `token of ${t.username}`);
    }
  });

  test('the token survives a container restart without a new token request', async () => {
    const before = fake.stats();
    const startedBefore = docker(['inspect', '--format', '{{.State.StartedAt}}', name(portA)]).stdout.trim();
    const old = docker(['logs', name(portA)]);
    replacedOutput.push(old.stdout, old.stderr);
    const r = await home.ctl(['restart', '--port', String(portA)]);
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(
      docker(['inspect', '--format', '{{.State.StartedAt}}', name(portA)]).stdout.trim(),
      startedBefore,
    );
    const status = await apiA.call('GET', '/v8/token');
    assert.equal(status.body.held, true);
    assert.equal(status.body.source, 'file', 'read back from the data volume');
    assert.equal(status.body.username, 'op********@corban-a.example');
    const call = await apiA.call('GET', '/simulation-configs');
    assert.equal(call.status, 200);
    assert.equal(lastBearer(ACCOUNT_A.username), tokenA1, 'the same token after the restart');
    assert.deepEqual(fake.stats().tokenRequests, before.tokenRequests);
  });

  test("DELETE /v8/token clears only that client's cache", async () => {
    const tokenB = lastBearer(ACCOUNT_B.username);
    const cleared = await apiA.call('DELETE', '/v8/token');
    assert.equal(cleared.status, 200);
    assert.deepEqual(cleared.body, { cleared: true });
    assert.equal((await apiA.call('GET', '/v8/token')).body.held, false);
    const statusB = await apiB.call('GET', '/v8/token');
    assert.equal(statusB.body.held, true);
    assert.equal(statusB.body.username, 'op********@corban-b.example');

    assert.equal((await apiB.call('GET', '/simulation-configs')).status, 200);
    assert.equal(tokenRequests(ACCOUNT_B.username), 1, 'B asked for no new token');
    assert.equal(lastBearer(ACCOUNT_B.username), tokenB);

    assert.equal((await apiA.call('GET', '/simulation-configs')).status, 200);
    assert.equal(tokenRequests(ACCOUNT_A.username), 2, 'A asked for exactly one new token');
    const tokenA2 = lastBearer(ACCOUNT_A.username);
    assert.ok(tokenA2 && tokenA2 !== tokenA1);
    assert.equal((await apiA.call('GET', '/v8/token')).body.source, 'v8');
  });

  test('canary: passwords and issued tokens never appear in a log file, container output or answer', async () => {
    for (const port of [portA, portB]) await settleLogs(home, port);
    const tokens = new Set(
      fake
        .requests()
        .map(bearerOf)
        .filter((t): t is string => t !== undefined),
    );
    const issued = Object.values(fake.stats().tokensIssued).reduce((a, b) => a + b, 0);
    assert.equal(tokens.size, issued, 'every issued token was seen in use, so all of them are checked');
    const everything = [...apiA.texts, ...apiB.texts, ...replacedOutput];
    assert.ok(replacedOutput.join('').includes('v8 token obtained'));
    for (const port of [portA, portB]) {
      for (const kind of ['out', 'error', 'combined'] as const) everything.push(home.readLog(port, kind));
      const logs = docker(['logs', name(port)]);
      everything.push(logs.stdout, logs.stderr);
    }
    const text = everything.join('\n');
    // The logs do describe the token work (debug level), just never with the secrets.
    assert.match(home.readLog(portA, 'combined'), /v8 token obtained/);
    assert.match(home.readLog(portA, 'combined'), /v8 token cleared/);
    for (const secret of [ACCOUNT_A.password, ACCOUNT_B.password, ...tokens]) {
      assert.ok(!text.includes(secret), `secret ${secret.slice(0, 8)}… leaked`);
    }
  });
});
