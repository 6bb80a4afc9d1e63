// A token revoked while calls wait in the pacer's queue: the queued calls go out with the NEW
// token (taken when the pacer lets them go), so V8 sees one new token request and almost no 401s.
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

test('queued calls pick up the token that replaced a revoked one', async () => {
  const fake = await startFakeV8();
  const account = DEFAULT_ACCOUNTS[0];
  assert.ok(account);
  const { logger, redactor } = createLogger({ port: 6999, clientName: 'rev', level: 'error', stdout: false });
  const maxConcurrency = 4;
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
    limits: { maxRps: 40, maxConcurrency, timeoutMs: 5000, tokenMarginS: 60 },
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'v8rev-')),
    clock: systemClock,
    redactor,
    logger,
  });
  try {
    await v8.client.listSimulationConfigs();
    const calls = 80;
    const all = Promise.all(Array.from({ length: calls }, () => v8.client.listSimulationConfigs()));
    // Revoke while most of the burst still waits in the pacer (40/s: about 2 s of queue).
    await new Promise((r) => setTimeout(r, 300));
    await fake.revokeTokens();
    const results = await all;
    assert.equal(results.length, calls);
    const stats = fake.stats();
    assert.equal(stats.tokenRequests[account.username], 2, 'the first token and one after the revocation');
    const unauthorized = fake
      .requests({ path: '/private-consignment/simulation/configs' })
      .filter((r) => r.status === 401);
    // Only calls already on the wire (at most maxConcurrency) can carry the revoked token.
    assert.ok(
      unauthorized.length <= maxConcurrency,
      `${unauthorized.length} calls went out with the revoked token`,
    );
  } finally {
    await fake.close();
  }
});
