// Pacing in a real container: a burst of 60 calls through one client with V8_MAX_RPS=5 reaches
// the fake V8 at no more than 5 requests in any second, and every caller still gets its answer.
// The fake enforces the same limit (429 + Retry-After above 5/s), so a pacing slip would show up
// as a 429 at the fake even if the client's GET retry then hid it from the caller.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type ApiAnswer,
  ClientApi,
  configureClient,
  expectedGateway,
  type FakeV8Handle,
  startHostFake,
  v8KeysFor,
} from '../support/host-fake.ts';
import { freePort, OpsHome, settleLogs } from '../support/ops.ts';

const ACCOUNT = {
  username: 'operador.rate@corban-r.example',
  password: 'rate-test-password-0a1b2c3d',
  clientId: 'ClientIdOfCorbanR000000000000003',
};
const MAX_RPS = 5;
// 60 calls at 5/s span 12 windows: enough to show the budget is used and never exceeded.
const BURST = 60;

const home = new OpsHome();
let fake: FakeV8Handle;
let port = 0;
let api: ClientApi;

/** A non-2xx answer is acceptable only when it explains itself: our code and a Retry-After. */
function explained(a: ApiAnswer): boolean {
  const retryAfter = Number(a.headers.get('retry-after'));
  return (
    ((a.status === 429 && a.body?.error?.code === 'rate_limited') ||
      (a.status === 503 && a.body?.error?.code === 'upstream_unavailable')) &&
    Number.isInteger(retryAfter) &&
    retryAfter >= 1
  );
}

describe(`V8_MAX_RPS=${MAX_RPS} in a container`, () => {
  before(async () => {
    fake = await startHostFake(29500 + Math.floor(Math.random() * 1500), {
      accounts: [ACCOUNT],
      maxRps: MAX_RPS,
    });
    port = await freePort(28500 + Math.floor(Math.random() * 800));
    const r = await home.ctl(['add-client', '--port', String(port), '--name', 'Corban Rate']);
    assert.equal(r.code, 0, r.stderr);
    // Plenty of concurrency allowed, so the rate limit alone has to hold the line.
    await configureClient(home, port, {
      ...v8KeysFor(fake, expectedGateway(port), ACCOUNT),
      V8_MAX_RPS: String(MAX_RPS),
      V8_MAX_CONCURRENCY: '64',
      V8_TIMEOUT_MS: '15000',
    });
    api = new ClientApi(home, port);
  });

  after(async () => {
    await home.cleanup();
    await fake?.close();
  });

  test(`a burst of ${BURST} calls never exceeds ${MAX_RPS} requests per second at the fake`, async () => {
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: BURST }, () => api.call('GET', '/simulation-configs')),
    );
    const seconds = (Date.now() - started) / 1000;
    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
    console.log(
      `[v8-rate] ${BURST} calls answered in ${seconds.toFixed(1)} s: ${JSON.stringify([...byStatus])}`,
    );

    const unexplained = answers.filter((a) => !(a.status >= 200 && a.status < 300) && !explained(a));
    assert.deepEqual(
      unexplained.map((a) => [a.status, a.body]),
      [],
      'every answer is a 2xx or a 429/503 with its code and Retry-After',
    );
    // The pacer queues instead of refusing: in practice every caller gets its 2xx.
    assert.deepEqual([...byStatus], [[200, BURST]]);

    const stats = fake.stats();
    assert.equal(stats.requests[ACCOUNT.username], BURST, 'one BFF request per call, none repeated');
    assert.ok(
      (stats.maxRequestsPerSecond[ACCOUNT.username] ?? 0) <= MAX_RPS,
      `fake saw ${stats.maxRequestsPerSecond[ACCOUNT.username]} requests in one second`,
    );
    assert.equal(stats.maxRequestsPerSecond[ACCOUNT.username], MAX_RPS, 'and the budget was used');
    assert.equal(stats.sent429, 0);
    assert.deepEqual(stats.rateLimited, {});
    assert.equal(stats.tokenRequests[ACCOUNT.username], 1);
  });

  test('no error and no repeated call in the client logs', async () => {
    await settleLogs(home, port);
    const lines = home
      .readLog(port, 'error')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const unexpected = lines.filter((l) => {
      const e = JSON.parse(l) as { level: string; message: string };
      return e.level === 'error' || /v8 call (will be repeated|failed)|circuit breaker/.test(e.message);
    });
    assert.deepEqual(unexpected, []);
  });
});
