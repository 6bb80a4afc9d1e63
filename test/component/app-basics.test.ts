// The HTTP shell every client serves, started in-process on an ephemeral port.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import { buildApp } from '../../app/app.ts';
import { toAppConfig } from '../../app/config/app-config.ts';
import { parseConfigText } from '../../app/config/load-config.ts';
import { createLogger } from '../../app/logging/logger.ts';

const TOKEN = 'component-test-token-0123456789';
const settings = { port: 6555, configDir: '/cfg', dataDir: '/tmp/unused-data', logDir: '/tmp/unused-logs' };

describe('HTTP basics', () => {
  let base = '';
  let close: () => void = () => {};
  const clock = new ManualClock();

  before(async () => {
    const loaded = parseConfigText(
      `PORT=6555\nCLIENT_NAME=Basics\nAPI_TOKEN=${TOKEN}\nV8_USERNAME=fulano@corban.com.br\n`,
      '/cfg/config-6555.env',
    );
    const config = toAppConfig(loaded, settings);
    const { logger, redactor } = createLogger({
      port: 6555,
      clientName: 'Basics',
      level: 'error',
      stdout: false,
    });
    const startedAt = clock.now();
    clock.advance(42_000);
    // Only the deps this shell needs; feature routers get their own component tests.
    const app = buildApp({ config, logger, redactor, clock, startedAt } as Parameters<typeof buildApp>[0]);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  after(() => close());

  test('GET /health without a token is liveness only: nothing about the client', async () => {
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
    const wrong = await fetch(`${base}/health`, { headers: { authorization: 'Bearer not-the-token' } });
    assert.equal(wrong.status, 401);
    const wrongBody = await wrong.text();
    for (const leak of ['Basics', '6555', 'config-6555', 'fu****'])
      assert.ok(!wrongBody.includes(leak), leak);
  });

  test('GET /health with the token describes this client without secrets', async () => {
    const res = await fetch(`${base}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.status, 'ok');
    assert.equal(body.port, 6555);
    assert.equal(body.client, 'Basics');
    assert.equal(body.configFile, '/cfg/config-6555.env');
    assert.equal(body.v8Username, 'fu****@corban.com.br');
    assert.equal(body.uptimeS, 42);
    assert.match(String(body.version), /^\d+\.\d+\.\d+/);
    assert.ok(!JSON.stringify(body).includes(TOKEN));
  });

  test('security headers from helmet and a request id on every answer', async () => {
    const res = await fetch(`${base}/health`, { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(res.headers.get('content-security-policy'));
    assert.equal(res.headers.get('x-powered-by'), null);
    assert.equal(res.headers.get('x-request-id'), 'abc-123');
    const res2 = await fetch(`${base}/health`, { headers: { 'x-request-id': 'bad id with spaces' } });
    assert.match(res2.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  test('unknown routes get a JSON 404', async () => {
    const res = await fetch(`${base}/nowhere`);
    assert.equal(res.status, 404);
    const body = (await res.json()) as { error: { code: string }; requestId: string };
    assert.equal(body.error.code, 'not_found');
    assert.ok(body.requestId);
  });

  test('the API demands this client bearer token before anything else', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }]) {
      const res = await fetch(`${base}/api/v1/anything`, { method: 'POST', headers, body: '{broken' });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthorized');
    }
  });

  test('malformed JSON is a 400 naming the body; an oversized body is a 413', async () => {
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const bad = await fetch(`${base}/api/v1/anything`, { method: 'POST', headers: auth, body: '{broken' });
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: { code: string; fields: { field: string }[] } };
    assert.equal(body.error.code, 'invalid_data');
    assert.equal(body.error.fields[0]?.field, 'body');
    const big = await fetch(`${base}/api/v1/anything`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }),
    });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: { code: string } }).error.code, 'payload_too_large');
  });
});
