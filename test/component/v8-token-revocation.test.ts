// A token revoked while calls wait in the pacer's queue: the queued calls go out with the NEW
// token (taken when the pacer lets them go), so V8 sees one new token request and almost no 401s.
// The pacer runs on manual time: the revocation happens at a known point (the queue stalled on
// its rate window, nothing on the wire), whatever the machine's load.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../../app/adapters/clock.ts';
import { createV8 } from '../../app/adapters/v8/create-v8.ts';
import { createLogger } from '../../app/logging/logger.ts';
import { DEFAULT_ACCOUNTS, DEFAULT_CLIENT_ID } from '../../sandbox/fake-v8/accounts.ts';
import { startFakeV8 } from '../../sandbox/fake-v8/fake-v8-server.ts';
import { waitUntil } from '../support/flow-harness.ts';
import { manualTime } from '../support/manual-time.ts';

test('queued calls pick up the token that replaced a revoked one', async () => {
  const fake = await startFakeV8();
  const account = DEFAULT_ACCOUNTS[0];
  assert.ok(account);
  const { logger, redactor } = createLogger({ port: 6999, clientName: 'rev', level: 'error', stdout: false });
  const maxConcurrency = 4;
  const maxRps = 40;
  const time = manualTime();
  const v8 = createV8({
    credentials: () => ({
      authUrl: `${fake.url}/oauth/token`,
      baseUrl: fake.url,
      clientId: DEFAULT_CLIENT_ID,
      audience: 'https://bff.v8sistema.com',
      scope: 'offline_access',
      username: account.username,
      password: account.password,
      provider: 'QI',
    }),
    limits: { maxRps, maxConcurrency, timeoutMs: 30_000, tokenMarginS: 60 },
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'v8rev-')),
    clock: systemClock,
    pacerClock: time.clock,
    pacerSchedule: time.schedule,
    pacerWindowMs: 1000,
    redactor,
    logger,
  });
  try {
    const calls = 80;
    const all = Promise.all(Array.from({ length: calls }, () => v8.client.listSimulationConfigs()));
    // The first window's budget goes out (token request included), then the queue waits for time.
    await waitUntil(
      () => v8.pacer.waiting > 0 && v8.pacer.running === 0 && time.pending() > 0,
      20_000,
      () => `the pacer to stall on its window (waiting ${v8.pacer.waiting}, running ${v8.pacer.running})`,
    );
    const sentBefore = fake.requests({ path: '/private-consignment/simulation/configs' }).length;
    assert.ok(sentBefore > 0 && sentBefore < calls, `${sentBefore} calls left before the revocation`);
    await fake.revokeTokens();
    let done = false;
    void all.then(() => {
      done = true;
    });
    // Manual time moves only while the pacer waits for it (nothing on the wire): a call that is
    // retried after a real-time backoff on a busy machine re-enters the queue and is let out later.
    await waitUntil(
      async () => {
        if (!done && v8.pacer.running === 0 && time.pending() > 0) await time.tick(100);
        return done;
      },
      120_000,
      () => `all ${calls} calls to finish (waiting ${v8.pacer.waiting}, running ${v8.pacer.running})`,
    );
    const results = await all;
    assert.equal(results.length, calls);
    const stats = fake.stats();
    assert.equal(stats.tokenRequests[account.username], 2, 'the first token and one after the revocation');
    const unauthorized = fake
      .requests({ path: '/private-consignment/simulation/configs' })
      .filter((r) => r.status === 401);
    assert.ok(unauthorized.length >= 1, 'the revoked token was refused at least once');
    // Only calls let out together right after the revocation (at most maxConcurrency) can carry it.
    assert.ok(
      unauthorized.length <= maxConcurrency,
      `${unauthorized.length} calls went out with the revoked token`,
    );
  } finally {
    await fake.close();
  }
});
