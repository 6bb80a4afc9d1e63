// Over plain HTTP from another machine the console refuses to sign in (the password would cross the
// network in clear text) unless CONSOLE_ALLOW_INSECURE_HTTP=true; over HTTPS through the TLS front
// (TRUST_PROXY=true, X-Forwarded-Proto: https) and from the host itself it signs in (issue 10, item 9).
// A remote peer is simulated by giving the accepted socket a non-loopback remoteAddress.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import { createV8 } from '../../app/adapters/v8/create-v8.ts';
import { buildApp } from '../../app/app.ts';
import { loadEffectiveConfig } from '../../app/config/effective-config.ts';
import { isLoopback } from '../../app/domain/console-transport.ts';
import { hashPassword } from '../../app/domain/password-hash.ts';
import { createLogger } from '../../app/logging/logger.ts';

const PORT = 6571;
const PASSWORD = 'senha-do-console-https-1';
const HASH = hashPassword(PASSWORD);
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

async function start(keys: string[], peer: string | undefined): Promise<{ base: string; logDir: string }> {
  const dirs = ['cfg', 'data', 'logs'].map((p) => mkdtempSync(path.join(tmpdir(), `console-https-${p}-`)));
  const [configDir, dataDir, logDir] = dirs as [string, string, string];
  writeFileSync(
    path.join(configDir, `config-${PORT}.env`),
    [
      `PORT=${PORT}`,
      'CLIENT_NAME=Corban HTTPS',
      `API_TOKEN=${'a'.repeat(32)}`,
      `ADMIN_PASSWORD_HASH=${HASH}`,
      'V8_AUTH_URL=http://127.0.0.1:9/oauth/token',
      'V8_BASE_URL=http://127.0.0.1:9',
      'V8_CLIENT_ID=ClientId00000000000000000000001',
      'V8_USERNAME=op@corban.example',
      'V8_PASSWORD=v8-pass-https-test',
      'KENTRO_BASE_URL=https://corban.atenderbem.example',
      'KENTRO_API_KEY=kentro-key-https',
      'KENTRO_QUEUE_ID=12',
      'KENTRO_PIPELINE_ID=3',
      ...keys,
      '',
    ].join('\n'),
  );
  const { effective } = loadEffectiveConfig({ port: PORT, configDir, dataDir, logDir });
  const config = effective.current();
  const clock = new ManualClock(Date.now());
  const { logger, redactor, close } = createLogger({
    port: PORT,
    clientName: config.clientName,
    level: 'info',
    logDir,
    stdout: false,
  });
  const v8 = createV8({
    credentials: () => effective.current().v8,
    limits: config.v8,
    dataDir,
    clock,
    redactor,
    logger,
  });
  const app = buildApp({ config, logger, redactor, clock, startedAt: clock.now(), v8, effective });
  const server: Server = app.listen(0, '127.0.0.1');
  // What a connection from another machine looks like to the app (the socket's own address).
  if (peer) {
    server.on('connection', (s: Socket) => Object.defineProperty(s, 'remoteAddress', { value: peer }));
  }
  await new Promise((r) => server.once('listening', r));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, logDir };
}

/** Session + CSRF token, then the sign-in; returns its status and body. */
async function signIn(base: string, headers: Record<string, string> = {}) {
  const s = await fetch(`${base}/config-v8/api/session`, { headers });
  const cookie = s.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken } = (await s.json()) as { csrfToken: string };
  const r = await fetch(`${base}/config-v8/login`, {
    method: 'POST',
    headers: { ...headers, cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({ password: PASSWORD }),
  });
  return {
    status: r.status,
    body: (await r.json()) as { ok?: boolean; error?: { code: string; message: string } },
    setCookie: r.headers.getSetCookie(),
  };
}

test('plain HTTP from another machine: refused with 403 before the password is checked, no session', async () => {
  const { base } = await start([], '203.0.113.7');
  const r = await signIn(base);
  assert.equal(r.status, 403, JSON.stringify(r.body));
  assert.equal(r.body.error?.code, 'forbidden');
  assert.match(r.body.error?.message ?? '', /só por HTTPS.*CONSOLE_ALLOW_INSECURE_HTTP=true/);
  assert.ok(!r.setCookie.some((c) => /session/i.test(c) && !/Max-Age=0/i.test(c)), 'no session cookie');
});

test('the same request with a forged X-Forwarded-Proto is still refused without TRUST_PROXY', async () => {
  const { base } = await start([], '203.0.113.8');
  const r = await signIn(base, { 'x-forwarded-proto': 'https' });
  assert.equal(r.status, 403);
});

test('through the TLS front (TRUST_PROXY=true, X-Forwarded-Proto: https) it signs in', async () => {
  const { base } = await start(['TRUST_PROXY=true'], '172.18.0.2');
  const r = await signIn(base, { 'x-forwarded-proto': 'https' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.ok, true);
});

test('CONSOLE_ALLOW_INSECURE_HTTP=true lets plain HTTP from another machine sign in', async () => {
  const { base } = await start(['CONSOLE_ALLOW_INSECURE_HTTP=true'], '203.0.113.9');
  assert.equal((await signIn(base)).status, 200);
});

test('from the host itself (loopback) plain HTTP signs in', async () => {
  const { base } = await start([], undefined);
  assert.equal((await signIn(base)).status, 200);
});

const loopbackTable: [string | undefined, boolean][] = [
  ['127.0.0.1', true],
  ['127.9.8.7', true],
  ['::1', true],
  ['::ffff:127.0.0.1', true],
  ['10.128.0.1', false],
  ['::ffff:10.0.0.1', false],
  ['172.17.0.1', false],
  ['fe80::1', false],
  ['', false],
  [undefined, false],
];
for (const [address, expected] of loopbackTable) {
  test(`isLoopback(${JSON.stringify(address)}) = ${expected}`, () => {
    assert.equal(isLoopback(address), expected);
  });
}
