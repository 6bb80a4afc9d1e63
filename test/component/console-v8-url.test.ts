// Issue 10, item 1: a signed-in console user (or a stolen session) tries to send the stored V8
// password to a URL of their choosing through "Testar conexão", "Salvar" and the old
// /config/v8/testar|salvar routes. A recording "attacker" server on 127.0.0.1 must never receive a
// request; the real (file-configured) V8 stub keeps receiving the token requests.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import { createV8 } from '../../app/adapters/v8/create-v8.ts';
import type { HostResolver } from '../../app/adapters/v8/v8-host-guard.ts';
import { buildApp } from '../../app/app.ts';
import { loadEffectiveConfig } from '../../app/config/effective-config.ts';
import { OVERRIDES_FILE } from '../../app/config/overrides.ts';
import { hashPassword } from '../../app/domain/password-hash.ts';
import { createLogger } from '../../app/logging/logger.ts';
import { ConsoleSession } from '../support/console-session.ts';

const ADMIN_PASSWORD = 'admin-senha-url-0123';
const API_TOKEN = 'api-token-url-test-0123456789abcdef';
const V8_PASSWORD = 'v8-STORED-password-CANARY';
const CLIENT_ID = 'ClientIdUrlTest00000000000000001';
const V8_USERNAME = 'operador@corban.example';
const BODY_CANARY = 'INTERNAL-BODY-CANARY';
const PORT = 6571;

/** Records every request; answers like a token endpoint would, to make an exfiltration "work". */
class Recorder {
  readonly seen: { path: string; body: string; auth: string | undefined }[] = [];
  /** How the V8 stub answers /oauth/token (the attacker always answers with a token). */
  mode: 'token' | 'text403' | 'status500' | 'huge' | 'reset' | 'garbage200' = 'token';
  url = '';
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  tokenRequests(): { path: string; body: string }[] {
    return this.seen.filter((s) => s.path === '/oauth/token');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.seen.push({ path, body: Buffer.concat(chunks).toString('utf8'), auth: req.headers.authorization });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path !== '/oauth/token') return json(200, { configs: [] });
    switch (this.mode) {
      case 'text403':
        res.writeHead(403, { 'content-type': 'text/plain' });
        return void res.end(`${BODY_CANARY}: internal service banner`);
      case 'status500':
        return json(500, { message: `${BODY_CANARY} stack trace` });
      case 'huge':
        return json(200, { access_token: 'tok', expires_in: 60, pad: BODY_CANARY.repeat(40_000) });
      case 'garbage200':
        res.writeHead(200, { 'content-type': 'text/html' });
        return void res.end(`<html>${BODY_CANARY}</html>`);
      case 'reset':
        return void req.socket.destroy();
      default:
        return json(200, {
          access_token: `tok-${this.seen.length}`,
          token_type: 'Bearer',
          expires_in: 86400,
        });
    }
  }
}

// Names of V8's domain point wherever the test says; nothing else resolves.
const DNS: Record<string, string> = {
  'auth2.v8sistema.com': '104.16.0.1',
  'bff2.v8sistema.com': '104.16.0.2',
  'loop.v8sistema.com': '127.0.0.1',
  'meta.v8sistema.com': '169.254.169.254',
  'lan.v8sistema.com': '10.0.0.5',
  'mapped.v8sistema.com': '::ffff:127.0.0.1',
  'mixed.v8sistema.com': '192.168.1.1',
};
const resolveHost: HostResolver = async (host) => {
  const address = DNS[host];
  if (address === undefined) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  const extra = host === 'mixed.v8sistema.com' ? [{ address: '104.16.0.9', family: 4 }] : [];
  return [...extra, { address, family: address.includes(':') ? 6 : 4 }];
};

interface TestApp {
  readonly base: string;
  readonly dataDir: string;
}

const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function startApp(v8: Recorder, o: { dataDir?: string } = {}): Promise<TestApp> {
  const configDir = mkdtempSync(path.join(tmpdir(), 'url-cfg-'));
  const dataDir = o.dataDir ?? mkdtempSync(path.join(tmpdir(), 'url-data-'));
  const logDir = mkdtempSync(path.join(tmpdir(), 'url-logs-'));
  writeFileSync(
    path.join(configDir, `config-${PORT}.env`),
    [
      `PORT=${PORT}`,
      'CLIENT_NAME=Corban URL',
      `API_TOKEN=${API_TOKEN}`,
      `ADMIN_PASSWORD_HASH=${hashPassword(ADMIN_PASSWORD)}`,
      `V8_AUTH_URL=${v8.url}/oauth/token`,
      `V8_BASE_URL=${v8.url}`,
      `V8_CLIENT_ID=${CLIENT_ID}`,
      `V8_USERNAME=${V8_USERNAME}`,
      `V8_PASSWORD=${V8_PASSWORD}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
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
  redactor.addSecret(V8_PASSWORD);
  const v8Access = createV8({
    credentials: () => effective.current().v8,
    limits: config.v8,
    dataDir,
    clock,
    redactor,
    logger,
  });
  const app = buildApp({
    config,
    logger,
    redactor,
    clock,
    startedAt: clock.now(),
    v8: v8Access,
    effective,
    resolveHost,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  cleanup.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await close();
    for (const d of [configDir, dataDir, logDir]) rmSync(d, { recursive: true, force: true });
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, dataDir };
}

async function bearerV8Call(app: TestApp): Promise<number> {
  const res = await fetch(`${app.base}/api/v1/simulation-configs`, {
    headers: { authorization: `Bearer ${API_TOKEN}` },
  });
  await res.text();
  return res.status;
}

// biome-ignore lint/suspicious/noExplicitAny: error bodies are read loosely.
const fieldsOf = (body: any): string[] => (body?.error?.fields ?? []).map((f: { field: string }) => f.field);

describe('V8 URLs from the console: the stored password never leaves for a typed URL', async () => {
  const v8 = await new Recorder().start();
  const attacker = await new Recorder().start();
  cleanup.push(
    () => v8.stop(),
    () => attacker.stop(),
  );
  const app = await startApp(v8);
  const b = new ConsoleSession(app.base);
  await b.login(ADMIN_PASSWORD);

  const hostileUrls = [
    `${attacker.url}/oauth/token`,
    `https://127.0.0.1:${attacker.port}/oauth/token`,
    `https://localhost:${attacker.port}/oauth/token`,
    'https://evil.v8sistema.com.attacker.example/oauth/token',
    'https://v8sistema.com.attacker.example/oauth/token',
    'http://auth2.v8sistema.com/oauth/token',
    'https://user:pw@auth2.v8sistema.com/oauth/token',
    'https://auth2.v8sistema.com:8443/oauth/token',
    'https://loop.v8sistema.com/oauth/token',
    'https://meta.v8sistema.com/latest/meta-data/',
    'https://lan.v8sistema.com/oauth/token',
    'https://mapped.v8sistema.com/oauth/token',
    'https://mixed.v8sistema.com/oauth/token',
    'https://nxdomain.v8sistema.com/oauth/token',
    'file:///etc/passwd',
    'gopher://127.0.0.1:25/',
  ];

  test('"Testar conexão" to a typed URL: 400 naming the URL, with or without a password; nothing sent', async () => {
    for (const url of hostileUrls) {
      for (const body of [{ V8_AUTH_URL: url }, { V8_AUTH_URL: url, V8_PASSWORD: 'attacker-guess' }]) {
        const a = await b.call('POST', '/config-v8/api/test', body);
        assert.equal(a.status, 400, `${url}: ${JSON.stringify(a.body)}`);
        assert.ok(fieldsOf(a.body).includes('V8_AUTH_URL'), `${url} named: ${fieldsOf(a.body)}`);
        assert.equal(
          fieldsOf(a.body).includes('V8_PASSWORD'),
          body.V8_PASSWORD === undefined,
          `${url}: password required only when missing`,
        );
        assert.ok(!JSON.stringify(a.body).includes(V8_PASSWORD));
      }
      const base = await b.call('POST', '/config-v8/api/test', {
        V8_BASE_URL: url.replace('/oauth/token', ''),
      });
      assert.equal(base.status, 400, `base ${url}`);
      assert.ok(fieldsOf(base.body).includes('V8_BASE_URL'));
    }
    assert.equal(attacker.seen.length, 0, 'the attacker received nothing');
    assert.equal(v8.tokenRequests().length, 0, 'no test login was made at all');
  });

  test('"Salvar" of a typed URL is refused and stores nothing; later V8 calls still go to V8', async () => {
    for (const url of hostileUrls.slice(0, 4)) {
      const a = await b.call('POST', '/config-v8/api/credentials', {
        V8_AUTH_URL: url,
        V8_BASE_URL: url.replace('/oauth/token', ''),
        V8_PASSWORD: 'attacker-guess',
      });
      assert.equal(a.status, 400, url);
      assert.deepEqual(fieldsOf(a.body), ['V8_AUTH_URL', 'V8_BASE_URL']);
    }
    assert.ok(!existsSync(path.join(app.dataDir, OVERRIDES_FILE)), 'nothing stored');
    assert.equal(await bearerV8Call(app), 200);
    const grants = v8.tokenRequests();
    assert.equal(grants.length, 1);
    assert.equal(new URLSearchParams(grants[0]?.body).get('password'), V8_PASSWORD);
    assert.equal(attacker.seen.length, 0, 'no token request and no bearer token reached the attacker');
  });

  test('the old /config/v8/testar and /salvar refuse the same URLs in their envelope', async () => {
    for (const route of ['/config/v8/testar', '/config/v8/salvar']) {
      for (const body of [
        { auth_url: `${attacker.url}/oauth/token` },
        { auth_url: 'https://loop.v8sistema.com/oauth/token', password: 'x' },
        { base_url: attacker.url, username: 'other@corban.example' },
        { V8_AUTH_URL: `${attacker.url}/oauth/token`, auth_url: `${v8.url}/oauth/token` },
      ]) {
        const a = await b.call('POST', route, body);
        assert.equal(a.status, 400, `${route} ${JSON.stringify(body)}`);
        // biome-ignore lint/suspicious/noExplicitAny: legacy envelope.
        const envelope = a.body as any;
        // The old routes' error envelope (docs/LEGACY-CONTRACT.md): `error` is the old text, the stable
        // code is `code`, the bad fields are `campo` (first) and `fields` (all).
        assert.equal(envelope.success, false);
        assert.equal(envelope.error, 'Dados inválidos');
        assert.equal(envelope.code, 'invalid_data');
        const named = (envelope.fields as { field: string }[]).map((f) => f.field);
        assert.ok(
          named.some((f) => f === 'V8_AUTH_URL' || f === 'V8_BASE_URL'),
          `${route} names the URL: ${named}`,
        );
        assert.ok(['V8_AUTH_URL', 'V8_BASE_URL'].includes(envelope.campo), `campo ${envelope.campo}`);
        assert.ok(!JSON.stringify(envelope).includes(V8_PASSWORD), 'the stored password is not echoed');
      }
    }
    assert.equal(attacker.seen.length, 0);
    assert.ok(!existsSync(path.join(app.dataDir, OVERRIDES_FILE)));
  });

  test("V8's own hosts are accepted, but only with the password in the same request", async () => {
    const blank = await b.call('POST', '/config-v8/api/credentials', {
      V8_AUTH_URL: 'https://auth2.v8sistema.com/oauth/token',
      V8_BASE_URL: 'https://bff2.v8sistema.com',
    });
    assert.equal(blank.status, 400);
    assert.deepEqual(fieldsOf(blank.body), ['V8_PASSWORD']);
    assert.ok(!existsSync(path.join(app.dataDir, OVERRIDES_FILE)));

    const saved = await b.call('POST', '/config-v8/api/credentials', {
      V8_AUTH_URL: 'https://AUTH2.v8sistema.com/oauth/token',
      V8_BASE_URL: 'https://bff2.v8sistema.com',
      V8_PASSWORD: 'new-v8-password',
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const stored = JSON.parse(readFileSync(path.join(app.dataDir, OVERRIDES_FILE), 'utf8')).values;
    assert.equal(stored.V8_BASE_URL, 'https://bff2.v8sistema.com');
    assert.equal(stored.V8_PASSWORD, 'new-v8-password');

    // Back to the file's URL (the sandbox/fake one) is allowed too, again with the password.
    const back = await b.call('POST', '/config-v8/api/credentials', {
      V8_AUTH_URL: `${v8.url}/oauth/token`,
      V8_BASE_URL: v8.url,
      V8_PASSWORD,
    });
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.equal((await b.call('DELETE', '/config-v8/api/credentials')).status, 200);
    assert.ok(!existsSync(path.join(app.dataDir, OVERRIDES_FILE)));
  });

  test('the URL in force may be re-sent without the password (the page sends it pre-filled)', async () => {
    const before = v8.tokenRequests().length;
    const a = await b.call('POST', '/config-v8/api/test', {
      V8_AUTH_URL: `${v8.url}/oauth/token`,
      V8_BASE_URL: v8.url,
    });
    assert.equal(a.status, 200);
    assert.equal((a.body as { ok: boolean }).ok, true);
    assert.equal(v8.tokenRequests().length, before + 1);
    assert.equal(new URLSearchParams(v8.tokenRequests().at(-1)?.body).get('password'), V8_PASSWORD);
  });

  test('the test never echoes an answer and tells failures apart by nothing but V8 refusals', async () => {
    const outcomes = [];
    for (const mode of ['status500', 'huge', 'reset', 'garbage200'] as const) {
      v8.mode = mode;
      const a = await b.call('POST', '/config-v8/api/test', {});
      assert.equal(a.status, 200, mode);
      assert.ok(!JSON.stringify(a.body).includes(BODY_CANARY), `${mode}: upstream body echoed`);
      outcomes.push(a.body);
    }
    for (const o of outcomes) assert.deepEqual(o, outcomes[0], 'one outcome for every failure');
    assert.deepEqual(outcomes[0], {
      ok: false,
      code: 'upstream_unavailable',
      message: 'não foi possível obter um token da V8 (sem resposta válida)',
      v8Message: null,
    });
    v8.mode = 'text403';
    const refused = await b.call('POST', '/config-v8/api/test', {});
    assert.equal((refused.body as { code: string }).code, 'auth_failed');
    assert.ok(!JSON.stringify(refused.body).includes(BODY_CANARY), 'a text body is not V8 words');
    v8.mode = 'token';
  });

  test('a foreign URL override saved by an older version is dropped at start', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'url-data-old-'));
    writeFileSync(
      path.join(dataDir, OVERRIDES_FILE),
      JSON.stringify({
        version: 1,
        updatedAt: new Date().toISOString(),
        values: {
          V8_AUTH_URL: `${attacker.url}/oauth/token`,
          V8_BASE_URL: attacker.url,
          V8_PROVIDER: 'CELCOIN',
        },
      }),
      { mode: 0o600 },
    );
    const restarted = await startApp(v8, { dataDir });
    const before = v8.tokenRequests().length;
    assert.equal(await bearerV8Call(restarted), 200);
    assert.equal(v8.tokenRequests().length, before + 1);
    assert.equal(attacker.seen.length, 0, 'the attacker received nothing after the restart either');
    const cfg = (await fetch(`${restarted.base}/api/v1/config`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    }).then((r) => r.json())) as { keys: { key: string; source: string }[] };
    const source = (k: string) => cfg.keys.find((x) => x.key === k)?.source;
    assert.equal(source('V8_AUTH_URL'), 'file');
    assert.equal(source('V8_PROVIDER'), 'override', 'other overrides still apply');
  });
});

describe('"Testar conexão" has one attempt budget for the console and the old /config/v8/testar', async () => {
  const v8 = await new Recorder().start();
  cleanup.push(() => v8.stop());
  const app = await startApp(v8);
  const b = new ConsoleSession(app.base);
  await b.login(ADMIN_PASSWORD);

  test('20 tests in 5 minutes across both routes, then 429; refusals before V8 do not count', async () => {
    for (let i = 0; i < 5; i++) {
      const refused = await b.call('POST', '/config/v8/testar', { auth_url: 'https://lan.v8sistema.com/x' });
      assert.equal(refused.status, 400, 'a refused URL never reaches V8 and is not counted');
    }
    for (let i = 0; i < 20; i++) {
      const route = i % 2 === 0 ? '/config-v8/api/test' : '/config/v8/testar';
      assert.equal((await b.call('POST', route, {})).status, 200, `test ${i + 1} on ${route}`);
    }
    assert.equal(v8.tokenRequests().length, 20);
    const legacy = await b.call('POST', '/config/v8/testar', {});
    assert.equal(legacy.status, 429);
    // biome-ignore lint/suspicious/noExplicitAny: legacy envelope.
    assert.equal((legacy.body as any).success, false);
    assert.equal((await b.call('POST', '/config-v8/api/test', {})).status, 429);
    assert.equal(v8.tokenRequests().length, 20, 'no login at V8 past the limit');
  });
});
