import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import type { V8Credentials } from '../../app/adapters/v8/v8-credentials.ts';
import { FileV8TokenCache, TOKEN_FILE } from '../../app/adapters/v8/v8-token-cache.ts';
import { createLogger } from '../../app/logging/logger.ts';
import { Redactor } from '../../app/logging/redact.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const CREDS: V8Credentials = {
  authUrl: 'http://127.0.0.1:1/oauth/token',
  baseUrl: 'http://127.0.0.1:1',
  clientId: 'client-id-fake',
  audience: 'https://bff.v8sistema.com',
  scope: 'offline_access',
  username: 'operador@corban.example',
  password: 'S3nh@Falsa-canary',
  provider: 'QI',
};

function setup(
  opts: { expiresInS?: number; marginS?: number; dataDir?: string; creds?: () => V8Credentials } = {},
) {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'v8-token-'));
  dirs.push(dataDir);
  const clock = new ManualClock();
  const redactor = new Redactor();
  const { logger } = createLogger({ port: 6000, clientName: 't', level: 'error', stdout: false, redactor });
  let n = 0;
  const cache = new FileV8TokenCache({
    credentials: opts.creds ?? (() => CREDS),
    fetchToken: async () => {
      n++;
      await new Promise((r) => setTimeout(r, 5));
      return { accessToken: `token-number-${n}`, expiresInS: opts.expiresInS ?? 3600 };
    },
    dataDir,
    clock,
    marginS: opts.marginS ?? 300,
    redactor,
    logger,
  });
  return { cache, clock, dataDir, redactor, requests: () => n };
}

test('1,000 concurrent callers share one token request', async () => {
  const s = setup();
  const tokens = await Promise.all(Array.from({ length: 1000 }, () => s.cache.getToken()));
  assert.equal(s.requests(), 1);
  assert.ok(tokens.every((t) => t === 'token-number-1'));
});

test('the token is refreshed once the margin before expiry is reached', async () => {
  const s = setup({ expiresInS: 3600, marginS: 300 });
  assert.equal(await s.cache.getToken(), 'token-number-1');
  s.clock.advance((3600 - 301) * 1000);
  assert.equal(await s.cache.getToken(), 'token-number-1');
  s.clock.advance(2000); // now inside the 300 s margin
  assert.equal(await s.cache.getToken(), 'token-number-2');
  assert.equal(s.requests(), 2);
});

test('a margin longer than the lifetime still uses the token for half its life', async () => {
  const s = setup({ expiresInS: 60, marginS: 300 });
  await s.cache.getToken();
  s.clock.advance(29_000);
  await s.cache.getToken();
  assert.equal(s.requests(), 1);
  s.clock.advance(2000);
  await s.cache.getToken();
  assert.equal(s.requests(), 2);
});

test('the file is private (0600), complete JSON, and a second cache on the same dir reuses it', async () => {
  const first = setup();
  await first.cache.getToken();
  const file = path.join(first.dataDir, TOKEN_FILE);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(saved.accessToken, 'token-number-1');
  assert.ok(!JSON.stringify(saved).includes(CREDS.password as string), 'no password in the file');

  const second = setup({ dataDir: first.dataDir });
  assert.equal(second.cache.status().source, 'file');
  assert.equal(await second.cache.getToken(), 'token-number-1');
  assert.equal(second.requests(), 0);
  assert.match(second.redactor.text('x token-number-1 y'), /\[REDACTED\]/);
});

test('a credential change invalidates the cached token (memory and file)', async () => {
  let creds = CREDS;
  const s = setup({ creds: () => creds });
  await s.cache.getToken();
  creds = { ...CREDS, password: 'another-password' };
  assert.equal(s.cache.status().held, false);
  assert.equal(await s.cache.getToken(), 'token-number-2');
  const again = setup({ dataDir: s.dataDir, creds: () => CREDS });
  assert.equal(again.cache.status().held, false, 'file holds the other account token');
});

test('invalidate(token) only drops the token it names; invalidate() clears memory and file', async () => {
  const s = setup();
  await s.cache.getToken();
  await s.cache.invalidate('some-older-token');
  assert.equal(await s.cache.getToken(), 'token-number-1');
  await s.cache.invalidate('token-number-1');
  assert.equal(await s.cache.getToken(), 'token-number-2');
  await s.cache.invalidate();
  assert.deepEqual(s.cache.status(), {
    held: false,
    expiresAt: null,
    username: 'op******@corban.example',
    source: 'none',
  });
  assert.throws(() => statSync(path.join(s.dataDir, TOKEN_FILE)), /ENOENT/);
});

test('an unreadable or foreign token file is ignored', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'v8-token-'));
  writeFileSync(path.join(dataDir, TOKEN_FILE), '{not json');
  const s = setup({ dataDir });
  assert.equal(await s.cache.getToken(), 'token-number-1');
  assert.equal(s.requests(), 1);
});

test('a failed token request is not cached: the next caller asks again', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'v8-token-'));
  dirs.push(dataDir);
  const redactor = new Redactor();
  const { logger } = createLogger({ port: 6000, clientName: 't', level: 'error', stdout: false, redactor });
  let calls = 0;
  const cache = new FileV8TokenCache({
    credentials: () => CREDS,
    fetchToken: async () => {
      calls++;
      if (calls === 1) throw new Error('auth down');
      return { accessToken: 'token-after-failure', expiresInS: 3600 };
    },
    dataDir,
    clock: new ManualClock(),
    marginS: 300,
    redactor,
    logger,
  });
  await assert.rejects(cache.getToken(), /auth down/);
  assert.equal(await cache.getToken(), 'token-after-failure');
});
