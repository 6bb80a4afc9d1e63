// The /config-v8 console, its sign-in, the config API and the old /config/v8 routes: the real app
// (buildApp) on an ephemeral port, a temp config file and data volume, a stub V8 on 127.0.0.1.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import { openStore, type Store } from '../../app/adapters/store/store.ts';
import { createV8 } from '../../app/adapters/v8/create-v8.ts';
import { TOKEN_FILE } from '../../app/adapters/v8/v8-token-cache.ts';
import { buildApp } from '../../app/app.ts';
import { loadEffectiveConfig } from '../../app/config/effective-config.ts';
import { OVERRIDES_FILE } from '../../app/config/overrides.ts';
import { hashPassword } from '../../app/domain/password-hash.ts';
import { createLogger } from '../../app/logging/logger.ts';
import { waitUntil } from '../support/wait.ts';

// ---------------------------------------------------------------------------------------------
// Canaries: none of these may ever appear in a response body or header (or a log line).
// ---------------------------------------------------------------------------------------------
const ADMIN_PASSWORD = 'admin-CANARY-senha-0123';
const ADMIN_HASH = hashPassword(ADMIN_PASSWORD);
const API_TOKEN = 'api-token-CANARY-0123456789abcdef';
const KENTRO_KEY = 'kentro-key-CANARY-4242';
const WEBHOOK_SECRET = 'webhook-secret-CANARY-0123';
const V8_PASSWORD = 'v8-pass-CANARY-file-9!';
const V8_NEW_PASSWORD = 'v8-pass-CANARY-new-7?';
const TOKEN_PREFIX = 'tok-CANARY';
const CANARIES = [
  ADMIN_PASSWORD,
  ADMIN_HASH,
  API_TOKEN,
  KENTRO_KEY,
  WEBHOOK_SECRET,
  V8_PASSWORD,
  V8_NEW_PASSWORD,
];

const V8_USERNAME = 'operador@corban.example';
const V8_NEW_USERNAME = 'novo.login@corban.example';
const CLIENT_ID = 'ClientIdCANARY000000000000000001';
const PORT = 6561;

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

// ---------------------------------------------------------------------------------------------
// Stub V8: Auth0 password grant (two accounts) + one BFF route, recording every request.
// ---------------------------------------------------------------------------------------------
interface Seen {
  readonly method: string;
  readonly path: string;
  readonly form: Record<string, string>;
}

class V8Stub {
  readonly seen: Seen[] = [];
  readonly tokens = new Set<string>();
  readonly accounts = new Map([
    [V8_USERNAME, V8_PASSWORD],
    [V8_NEW_USERNAME, V8_NEW_PASSWORD],
  ]);
  url = '';
  private server: Server | undefined;

  tokenRequests(): Seen[] {
    return this.seen.filter((s) => s.path === '/oauth/token');
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://stub');
    const form = (req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')
      ? Object.fromEntries(new URLSearchParams(text))
      : {};
    this.seen.push({ method: req.method ?? 'GET', path: url.pathname, form });
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/oauth/token') {
      if (form.client_id !== CLIENT_ID)
        return reply(401, { error: 'invalid_client', error_description: 'bad client' });
      if (this.accounts.get(form.username ?? '') !== form.password) {
        return reply(403, { error: 'invalid_grant', error_description: 'Wrong email or password.' });
      }
      const token = `${TOKEN_PREFIX}-${randomUUID()}`;
      this.tokens.add(token);
      return reply(200, { access_token: token, token_type: 'Bearer', expires_in: 86400 });
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !this.tokens.has(bearer)) return reply(401, { message: 'Unauthorized' });
    if (url.pathname === '/private-consignment/simulation/configs') return reply(200, { configs: [] });
    return reply(404, { message: 'not here' });
  }
}

// ---------------------------------------------------------------------------------------------
// The app under test, built like main.ts builds it (config file + overrides in the data volume).
// ---------------------------------------------------------------------------------------------
interface AppOptions {
  readonly configDir?: string;
  readonly dataDir?: string;
  readonly adminHash?: string | null;
  /** true, or a TRUST_PROXY list. */
  readonly trustProxy?: boolean | string;
  readonly loginGlobalLimit?: number;
  readonly clock?: ManualClock;
  /** Open the client's SQLite store in dataDir (console sessions are kept there). */
  readonly withStore?: boolean;
}

interface TestApp {
  readonly base: string;
  readonly configDir: string;
  readonly dataDir: string;
  readonly logDir: string;
  readonly configFile: string;
  close(): Promise<void>;
}

function configText(stub: V8Stub, o: AppOptions): string {
  const hash = o.adminHash === undefined ? ADMIN_HASH : o.adminHash;
  return [
    `PORT=${PORT}`,
    'CLIENT_NAME=Corban <Teste> & Cia',
    `API_TOKEN=${API_TOKEN}`,
    hash ? `ADMIN_PASSWORD_HASH=${hash}` : '',
    `WEBHOOK_SECRET=${WEBHOOK_SECRET}`,
    o.trustProxy ? `TRUST_PROXY=${o.trustProxy === true ? 'true' : o.trustProxy}` : '',
    o.loginGlobalLimit ? `CONSOLE_LOGIN_GLOBAL_LIMIT=${o.loginGlobalLimit}` : '',
    `V8_AUTH_URL=${stub.url}/oauth/token`,
    `V8_BASE_URL=${stub.url}`,
    `V8_CLIENT_ID=${CLIENT_ID}`,
    `V8_USERNAME=${V8_USERNAME}`,
    `V8_PASSWORD=${V8_PASSWORD}`,
    'KENTRO_BASE_URL=https://corban.atenderbem.example',
    `KENTRO_API_KEY=${KENTRO_KEY}`,
    'KENTRO_QUEUE_ID=12',
    'KENTRO_PIPELINE_ID=3',
    'KENTRO_STAGE_MARGIN_FOUND=21',
    '',
  ].join('\n');
}

const openApps: TestApp[] = [];
after(async () => {
  for (const a of openApps) {
    await a.close();
    for (const d of [a.configDir, a.dataDir, a.logDir]) rmSync(d, { recursive: true, force: true });
  }
});

async function startApp(stub: V8Stub, o: AppOptions = {}): Promise<TestApp> {
  const configDir = o.configDir ?? tmp('console-cfg-');
  const dataDir = o.dataDir ?? tmp('console-data-');
  const logDir = tmp('console-logs-');
  const configFile = path.join(configDir, `config-${PORT}.env`);
  if (!existsSync(configFile)) writeFileSync(configFile, configText(stub, o), { mode: 0o600 });
  const settings = { port: PORT, configDir, dataDir, logDir };
  const { effective } = loadEffectiveConfig(settings);
  const config = effective.current();
  const clock = o.clock ?? new ManualClock(Date.now());
  const { logger, redactor, close } = createLogger({
    port: PORT,
    clientName: config.clientName,
    level: 'info',
    logDir,
    stdout: false,
  });
  for (const s of [config.http.apiToken, config.v8.password, config.kentro.apiKey, config.webhook.secret]) {
    redactor.addSecret(s);
  }
  const v8 = createV8({
    credentials: () => effective.current().v8,
    limits: config.v8,
    dataDir,
    clock,
    redactor,
    logger,
  });
  const store: Store | undefined = o.withStore ? openStore({ dataDir, clock }) : undefined;
  const app = buildApp({
    config,
    logger,
    redactor,
    clock,
    startedAt: clock.now(),
    v8,
    effective,
    ...(store ? { store } : {}),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  let closed: Promise<void> | undefined;
  const handle: TestApp = {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    configDir,
    dataDir,
    logDir,
    configFile,
    close: () => {
      closed ??= (async () => {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
        store?.close();
        await close();
      })();
      return closed;
    },
  };
  openApps.push(handle);
  return handle;
}

// ---------------------------------------------------------------------------------------------
// A tiny browser: a cookie jar, the CSRF token the page would hold, and a secret check on EVERY answer.
// ---------------------------------------------------------------------------------------------
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON.
  readonly body: any;
}

let answersChecked = 0;

function assertNoSecrets(where: string, a: { headers: Headers; text: string }): void {
  const headerText = [...a.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
  for (const secret of CANARIES) {
    assert.ok(!a.text.includes(secret), `${where}: body leaks a secret`);
    assert.ok(!headerText.includes(secret), `${where}: headers leak a secret`);
  }
  assert.ok(!a.text.includes(TOKEN_PREFIX), `${where}: body leaks a V8 token`);
  assert.ok(!headerText.includes(TOKEN_PREFIX), `${where}: headers leak a V8 token`);
  answersChecked++;
}

class Browser {
  readonly cookies = new Map<string, string>();
  csrf = '';
  readonly base: string;
  readonly extraHeaders: Record<string, string>;

  constructor(base: string, extraHeaders: Record<string, string> = {}) {
    this.base = base;
    this.extraHeaders = extraHeaders;
  }

  async call(
    method: string,
    urlPath: string,
    o: { body?: unknown; csrf?: boolean | string; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...this.extraHeaders, ...o.headers };
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    const csrf = o.csrf === undefined || o.csrf === true ? this.csrf : o.csrf === false ? '' : o.csrf;
    if (csrf) headers['x-csrf-token'] = csrf;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + urlPath, {
      method,
      headers,
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const answer = { status: res.status, headers: res.headers, text, body };
    assertNoSecrets(`${method} ${urlPath}`, answer);
    return answer;
  }

  async session(): Promise<Answer> {
    const a = await this.call('GET', '/config-v8/api/session');
    assert.equal(a.status, 200);
    this.csrf = a.body.csrfToken;
    return a;
  }

  async login(password = ADMIN_PASSWORD): Promise<Answer> {
    await this.session();
    const a = await this.call('POST', '/config-v8/login', { body: { password } });
    if (a.status === 200) this.csrf = a.body.csrfToken;
    return a;
  }
}

async function bearer(app: TestApp, urlPath: string): Promise<Answer> {
  const res = await fetch(app.base + urlPath, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  const text = await res.text();
  const answer = { status: res.status, headers: res.headers, text, body: JSON.parse(text) };
  assertNoSecrets(`GET ${urlPath} (bearer)`, answer);
  return answer;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON view of /config.
function key(view: any, name: string): { value: unknown; source: string; kind: string } {
  // biome-ignore lint/suspicious/noExplicitAny: JSON view of /config.
  const k = view.keys.find((x: any) => x.key === name);
  assert.ok(k, `key ${name} listed`);
  return k;
}

const CONSOLE_STATE_CHANGES: readonly [string, string, unknown?][] = [
  ['POST', '/config-v8/api/test', {}],
  ['POST', '/config-v8/api/credentials', { V8_USERNAME: 'x@y.example' }],
  ['DELETE', '/config-v8/api/credentials'],
  ['DELETE', '/config-v8/api/credentials/V8_USERNAME'],
  ['POST', '/config-v8/logout'],
];
const LEGACY_STATE_CHANGES: readonly [string, string, unknown?][] = [
  ['POST', '/config/v8/salvar', { username: 'x@y.example' }],
  ['POST', '/config/v8/testar', {}],
];

// =============================================================================================

describe('/config-v8 console', async () => {
  const stub = await new V8Stub().start();
  after(() => stub.stop());
  const clock = new ManualClock(Date.now());
  const app = await startApp(stub, { clock });
  const configBefore = readFileSync(app.configFile);
  const configMtime = statSync(app.configFile).mtimeMs;

  test('the page is pt-BR, knows its client and port, has no inline code, and a strict CSP', async () => {
    const b = new Browser(app.base);
    const page = await b.call('GET', '/config-v8');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.text, /<html lang="pt-BR">/);
    assert.ok(page.text.includes('Corban &lt;Teste&gt; &amp; Cia'), 'client name, HTML-escaped');
    assert.ok(!page.text.includes('<Teste>'));
    assert.ok(page.text.includes(`porta <span id="cliente-porta">${PORT}</span>`));
    assert.ok(page.text.includes('id="painel"'), 'a place for the dashboard');
    // No inline script, style block, style attribute or event handler attribute.
    for (const m of page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      assert.match(m[1] ?? '', /\bsrc="\/config-v8\/assets\/[a-z-]+\.js"/);
      assert.equal((m[2] ?? '').trim(), '');
    }
    assert.doesNotMatch(page.text, /<style\b/i);
    assert.doesNotMatch(page.text, /\sstyle=/i);
    assert.doesNotMatch(page.text, /\son[a-z]+=/i);
    assert.doesNotMatch(page.text, /javascript:/i);

    const csp = page.headers.get('content-security-policy') ?? '';
    for (const d of [
      "default-src 'self'",
      "frame-ancestors 'none'",
      "form-action 'self'",
      "script-src 'self'",
    ]) {
      assert.ok(csp.includes(d), `CSP has ${d}`);
    }
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('cache-control'), 'no-store');

    const js = await b.call('GET', '/config-v8/assets/console.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.ok(js.headers.get('content-security-policy')?.includes("default-src 'self'"));
    const css = await b.call('GET', '/config-v8/assets/console.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /text\/css/);
    assert.equal((await b.call('GET', '/config-v8/assets/../config-v8.html')).status, 404);
  });

  test('GET /config-v8/api/session: anonymous, with a CSRF token and the client identity', async () => {
    const b = new Browser(app.base);
    const s = await b.session();
    assert.equal(s.body.authenticated, false);
    assert.equal(s.body.port, PORT);
    assert.equal(s.body.client, 'Corban <Teste> & Cia');
    assert.equal(typeof s.body.csrfToken, 'string');
    assert.ok(b.cookies.has(`cltv8-${PORT}-csrf`));
    assert.equal(s.body.passwordHash, undefined);
  });

  test('401 without a session on every console API and legacy route, CSRF token or not', async () => {
    const b = new Browser(app.base);
    await b.session();
    const reads: [string, string][] = [
      ['GET', '/config-v8/api/config'],
      ['GET', '/config/v8/atual'],
    ];
    for (const [method, url, body] of [...reads, ...CONSOLE_STATE_CHANGES, ...LEGACY_STATE_CHANGES]) {
      for (const csrf of [true, false]) {
        const a = await b.call(method, url, { body, csrf });
        assert.equal(a.status, 401, `${method} ${url}`);
        if (url.startsWith('/config/v8/')) {
          assert.equal(a.body.success, false);
          assert.equal(a.body.resultado, null);
          assert.equal(a.body.code, 'unauthorized');
        } else {
          assert.equal(a.body.error.code, 'unauthorized');
        }
        assert.match(a.text, /sess[aã]o/);
      }
    }
    // A made-up session id is no session either.
    const forged = new Browser(app.base);
    forged.cookies.set(`cltv8-${PORT}-sid`, 'x'.repeat(43));
    assert.equal((await forged.call('GET', '/config-v8/api/config')).status, 401);
  });

  test('sign-in: CSRF required, wrong password 401 in pt-BR, then a strict HttpOnly session cookie', async () => {
    const b = new Browser(app.base);
    await b.session();
    const noCsrf = await b.call('POST', '/config-v8/login', {
      body: { password: ADMIN_PASSWORD },
      csrf: false,
    });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.body.error.code, 'forbidden');

    const wrong = await b.call('POST', '/config-v8/login', { body: { password: 'nope-nope-nope' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.message, 'senha incorreta');
    assert.ok(!b.cookies.has(`cltv8-${PORT}-sid`));

    const before = b.csrf;
    const ok = await b.call('POST', '/config-v8/login', { body: { password: ADMIN_PASSWORD } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.ok, true);
    assert.notEqual(ok.body.csrfToken, before, 'a new CSRF token bound to the session');
    const sid = ok.headers.getSetCookie().find((c) => c.startsWith(`cltv8-${PORT}-sid=`)) ?? '';
    assert.match(sid, /; HttpOnly/i);
    assert.match(sid, /; SameSite=Strict/i);
    assert.match(sid, /; Path=\//i);
    assert.doesNotMatch(sid, /; Secure/i, 'plain http: no Secure flag');
    assert.match(sid.split(';')[0] ?? '', /=[A-Za-z0-9_-]{43}$/, '256-bit random id');

    // The token of the sign-in form does not work for the session.
    const stale = await b.call('POST', '/config-v8/api/test', { body: {}, csrf: before });
    assert.equal(stale.status, 403);
    b.csrf = ok.body.csrfToken;
    const s = await b.session();
    assert.equal(s.body.authenticated, true);
    assert.equal(s.body.csrfToken, ok.body.csrfToken, 'the session token is reused while valid');
  });

  test('403 without a valid CSRF token on every state change (session present)', async () => {
    const b = new Browser(app.base);
    assert.equal((await b.login()).status, 200);
    const other = new Browser(app.base);
    assert.equal((await other.login()).status, 200);
    for (const [method, url, body] of [...CONSOLE_STATE_CHANGES, ...LEGACY_STATE_CHANGES]) {
      for (const csrf of [false, 'forged.token', other.csrf]) {
        const a = await b.call(method, url, { body, csrf });
        assert.equal(a.status, 403, `${method} ${url} with ${csrf === false ? 'no' : 'a foreign'} token`);
        if (url.startsWith('/config/v8/')) assert.equal(a.body.success, false);
        else assert.equal(a.body.error.code, 'forbidden');
      }
    }
    // Nothing was changed by any of them.
    assert.ok(!existsSync(path.join(app.dataDir, OVERRIDES_FILE)));
    assert.equal((await b.call('GET', '/config-v8/api/config')).status, 200, 'still signed in');
  });

  test('GET /api/v1/config (bearer) and /config-v8/api/config (session): masked values and sources', async () => {
    const unauth = await fetch(`${app.base}/api/v1/config`);
    assert.equal(unauth.status, 401);
    const a = await bearer(app, '/api/v1/config');
    assert.equal(a.status, 200);
    const v = a.body;
    assert.equal(v.port, PORT);
    assert.deepEqual(key(v, 'V8_PASSWORD'), { ...key(v, 'V8_PASSWORD'), value: 'definido', source: 'file' });
    for (const k of ['API_TOKEN', 'ADMIN_PASSWORD_HASH', 'KENTRO_API_KEY', 'WEBHOOK_SECRET']) {
      assert.equal(key(v, k).value, 'definido', k);
      assert.equal(key(v, k).kind, 'secret');
    }
    assert.equal(key(v, 'V8_USERNAME').value, 'op******@corban.example');
    assert.equal(key(v, 'V8_USERNAME').source, 'file');
    assert.equal(key(v, 'V8_CLIENT_ID').value, 'Clie****');
    assert.equal(key(v, 'V8_PROVIDER').value, 'QI');
    assert.equal(key(v, 'V8_PROVIDER').source, 'default');
    assert.equal(key(v, 'KENTRO_QUEUE_ID').value, 12);
    assert.equal(key(v, 'KENTRO_STAGE_MARGIN_FOUND').value, 21);
    assert.equal(key(v, 'KENTRO_STAGE_PAID').value, null);
    assert.equal(key(v, 'KENTRO_BASE_URL').value, 'https://corban.atenderbem.example');
    assert.ok(!a.text.includes(CLIENT_ID));

    const b = new Browser(app.base);
    await b.login();
    const c = await b.call('GET', '/config-v8/api/config');
    assert.equal(c.status, 200);
    assert.deepEqual(c.body, v);
  });

  test('Testar conexão: wrong then right credentials, nothing saved after either', async () => {
    const b = new Browser(app.base);
    await b.login();
    const before = stub.tokenRequests().length;

    const wrong = await b.call('POST', '/config-v8/api/test', {
      body: { V8_USERNAME: V8_NEW_USERNAME, V8_PASSWORD: 'definitely-wrong' },
    });
    assert.equal(wrong.status, 200);
    assert.equal(wrong.body.ok, false);
    assert.equal(wrong.body.code, 'auth_failed');
    assert.equal(wrong.body.v8Message, 'Wrong email or password.');
    assert.match(wrong.body.message, /V8 recusou/);

    const right = await b.call('POST', '/config-v8/api/test', {
      body: { V8_USERNAME: V8_NEW_USERNAME, V8_PASSWORD: V8_NEW_PASSWORD },
    });
    assert.equal(right.status, 200);
    assert.equal(right.body.ok, true);
    assert.equal(right.body.expiresIn, 86400);
    assert.equal(right.body.username, 'no********@corban.example');

    // An omitted password means "the current one".
    const current = await b.call('POST', '/config-v8/api/test', { body: {} });
    assert.equal(current.body.ok, true);

    const grants = stub.tokenRequests().slice(before);
    assert.deepEqual(
      grants.map((g) => [g.form.username, g.form.password]),
      [
        [V8_NEW_USERNAME, 'definitely-wrong'],
        [V8_NEW_USERNAME, V8_NEW_PASSWORD],
        [V8_USERNAME, V8_PASSWORD],
      ],
    );
    // Nothing saved, nothing applied.
    assert.ok(!existsSync(path.join(app.dataDir, OVERRIDES_FILE)));
    const v = (await bearer(app, '/api/v1/config')).body;
    assert.equal(key(v, 'V8_USERNAME').source, 'file');
    assert.equal(key(v, 'V8_USERNAME').value, 'op******@corban.example');

    const bad = await b.call('POST', '/config-v8/api/test', { body: { V8_AUTH_URL: 'not a url' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.fields[0].field, 'V8_AUTH_URL');
  });

  test('Salvar: applied at once (token cache invalidated), stored 0600 in the data volume, file untouched', async () => {
    const b = new Browser(app.base);
    await b.login();
    // A V8 call with the file's login: one token for V8_USERNAME.
    const first = await bearer(app, '/api/v1/simulation-configs');
    assert.equal(first.status, 200);
    assert.ok(existsSync(path.join(app.dataDir, TOKEN_FILE)));
    const n = stub.tokenRequests().length;
    assert.equal(stub.tokenRequests().at(-1)?.form.username, V8_USERNAME);
    await bearer(app, '/api/v1/simulation-configs');
    assert.equal(stub.tokenRequests().length, n, 'token reused before the save');

    const refused = await b.call('POST', '/config-v8/api/credentials', {
      body: { API_TOKEN: 'x'.repeat(40) },
    });
    assert.equal(refused.status, 400, 'only overridable keys');
    const invalid = await b.call('POST', '/config-v8/api/credentials', {
      body: { V8_USERNAME: V8_NEW_USERNAME, V8_PROVIDER: 'BANCO' },
    });
    assert.equal(invalid.status, 400);
    assert.deepEqual(
      // biome-ignore lint/suspicious/noExplicitAny: error body.
      invalid.body.error.fields.map((f: any) => f.field),
      ['V8_PROVIDER'],
    );
    assert.equal((await b.call('POST', '/config-v8/api/credentials', { body: {} })).status, 400);
    assert.ok(!existsSync(path.join(app.dataDir, OVERRIDES_FILE)), 'nothing stored after refusals');

    const saved = await b.call('POST', '/config-v8/api/credentials', {
      body: { V8_USERNAME: V8_NEW_USERNAME, V8_PASSWORD: V8_NEW_PASSWORD, V8_CLIENT_ID: '' },
    });
    assert.equal(saved.status, 200);
    assert.deepEqual(saved.body.saved, ['V8_USERNAME', 'V8_PASSWORD']);
    assert.equal(key(saved.body.config, 'V8_USERNAME').value, 'no********@corban.example');

    const v = (await bearer(app, '/api/v1/config')).body;
    assert.equal(key(v, 'V8_USERNAME').value, 'no********@corban.example');
    assert.equal(key(v, 'V8_USERNAME').source, 'override');
    assert.equal(key(v, 'V8_PASSWORD').source, 'override');
    assert.equal(key(v, 'V8_PASSWORD').value, 'definido');
    assert.equal(key(v, 'V8_CLIENT_ID').source, 'file');
    assert.ok(v.overridesUpdatedAt);

    // The old login's token is gone from memory and disk; the next V8 call logs in again, with the new login.
    assert.ok(!existsSync(path.join(app.dataDir, TOKEN_FILE)), 'token file deleted by the save');
    const after = await bearer(app, '/api/v1/simulation-configs');
    assert.equal(after.status, 200);
    assert.equal(stub.tokenRequests().length, n + 1);
    assert.deepEqual(
      [stub.tokenRequests().at(-1)?.form.username, stub.tokenRequests().at(-1)?.form.password],
      [V8_NEW_USERNAME, V8_NEW_PASSWORD],
    );

    const file = path.join(app.dataDir, OVERRIDES_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(stored.values, { V8_USERNAME: V8_NEW_USERNAME, V8_PASSWORD: V8_NEW_PASSWORD });
    assert.deepEqual(
      readdirSync(app.dataDir).filter((f) => f.endsWith('.tmp')),
      [],
      'no temp file left behind',
    );
    assert.deepEqual(readFileSync(app.configFile), configBefore, 'the config file is never written');
    assert.equal(statSync(app.configFile).mtimeMs, configMtime);
  });

  test('a new app instance on the same volume (a restart) keeps the override', async () => {
    const restarted = await startApp(stub, { configDir: app.configDir, dataDir: app.dataDir });
    const v = (await bearer(restarted, '/api/v1/config')).body;
    assert.equal(key(v, 'V8_USERNAME').source, 'override');
    assert.equal(key(v, 'V8_USERNAME').value, 'no********@corban.example');
    const n = stub.tokenRequests().length;
    await fetch(`${restarted.base}/api/v1/v8/token`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    assert.equal((await bearer(restarted, '/api/v1/simulation-configs')).status, 200);
    assert.equal(stub.tokenRequests().length, n + 1);
    assert.equal(stub.tokenRequests().at(-1)?.form.username, V8_NEW_USERNAME);
    await restarted.close();
  });

  test('Reverter: one key, then all; the source goes back to the file', async () => {
    const b = new Browser(app.base);
    await b.login();
    const one = await b.call('DELETE', '/config-v8/api/credentials/V8_PASSWORD');
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.reverted, ['V8_PASSWORD']);
    assert.equal(key(one.body.config, 'V8_PASSWORD').source, 'file');
    assert.equal(key(one.body.config, 'V8_USERNAME').source, 'override');
    assert.equal((await b.call('DELETE', '/config-v8/api/credentials/API_TOKEN')).status, 400);

    const all = await b.call('DELETE', '/config-v8/api/credentials');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.reverted, ['V8_USERNAME']);
    const v = (await bearer(app, '/api/v1/config')).body;
    assert.equal(key(v, 'V8_USERNAME').source, 'file');
    assert.equal(key(v, 'V8_USERNAME').value, 'op******@corban.example');
    assert.equal(v.overridesUpdatedAt, null);
    assert.ok(!existsSync(path.join(app.dataDir, OVERRIDES_FILE)));

    const n = stub.tokenRequests().length;
    assert.equal((await bearer(app, '/api/v1/simulation-configs')).status, 200);
    assert.equal(stub.tokenRequests().length, n + 1, 'reverting also logs in again');
    assert.equal(stub.tokenRequests().at(-1)?.form.username, V8_USERNAME);
    assert.deepEqual(readFileSync(app.configFile), configBefore);
  });

  test('legacy /config/v8 routes answer in the old envelope behind the same sign-in', async () => {
    const b = new Browser(app.base);
    await b.login();
    const atual = await b.call('GET', '/config/v8/atual');
    assert.equal(atual.status, 200);
    assert.equal(atual.body.success, true);
    assert.equal(typeof atual.body.message, 'string');
    assert.deepEqual(atual.body.config, { username: 'op******@corban.example', password: '***' });
    assert.equal(atual.body.resultado.username, 'op******@corban.example');
    assert.equal(atual.body.resultado.password, 'definido');
    assert.equal(atual.body.resultado.client_id, 'Clie****');
    assert.equal(atual.body.resultado.provider, 'QI');
    assert.equal(atual.body.resultado.sources.username, 'file');

    const wrong = await b.call('POST', '/config/v8/testar', {
      body: { username: V8_NEW_USERNAME, password: 'wrong-wrong' },
    });
    assert.equal(wrong.status, 200);
    assert.equal(wrong.body.success, false);
    assert.match(wrong.body.message, /Wrong email or password\./);
    const right = await b.call('POST', '/config/v8/testar', {
      body: { username: V8_NEW_USERNAME, password: V8_NEW_PASSWORD },
    });
    assert.equal(right.body.success, true);
    assert.equal(right.body.resultado.expires_in, 86400);
    assert.deepEqual(right.body.token_info, { expires_in: 86400, token_type: 'Bearer' });
    assert.ok(!existsSync(path.join(app.dataDir, OVERRIDES_FILE)));

    const saved = await b.call('POST', '/config/v8/salvar', {
      body: { username: V8_NEW_USERNAME, V8_PASSWORD: V8_NEW_PASSWORD, provider: 'CELCOIN' },
    });
    assert.equal(saved.status, 200);
    assert.equal(saved.body.success, true);
    assert.equal(saved.body.message, 'Configuração salva com sucesso');
    assert.deepEqual(saved.body.config, { username: 'no********@corban.example' });
    assert.deepEqual(saved.body.resultado.saved, ['V8_USERNAME', 'V8_PASSWORD', 'V8_PROVIDER']);
    assert.equal(saved.body.resultado.username, 'no********@corban.example');
    const v = (await bearer(app, '/api/v1/config')).body;
    assert.equal(key(v, 'V8_PROVIDER').value, 'CELCOIN');
    assert.equal(key(v, 'V8_PROVIDER').source, 'override');

    const invalid = await b.call('POST', '/config/v8/salvar', { body: { provider: 'BANCO' } });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.success, false);
    assert.equal(invalid.body.resultado, null);
    assert.equal(invalid.body.code, 'invalid_data');
    assert.equal(invalid.body.error, 'Dados inválidos');

    assert.equal((await b.call('DELETE', '/config-v8/api/credentials')).status, 200);
  });

  test('a restart keeps the console session and its CSRF token; the store holds only the id hash', async () => {
    const stub = await new V8Stub().start();
    const clock = new ManualClock(Date.now());
    const first = await startApp(stub, { withStore: true, clock });
    const b = new Browser(first.base);
    assert.equal((await b.login()).status, 200);
    const cookie = [...b.cookies].find(([k]) => k.endsWith('-sid'));
    assert.ok(cookie, 'a session cookie was set');
    await first.close();

    const db = new DatabaseSync(path.join(first.dataDir, 'store.sqlite'));
    const rows = db.prepare('SELECT id_hash FROM console_sessions').all() as { id_hash: string }[];
    db.close();
    assert.equal(rows.length, 1, 'one stored session');
    assert.equal(rows[0]?.id_hash, createHash('sha256').update(cookie[1]).digest('hex'));
    assert.ok(
      !readFileSync(path.join(first.dataDir, 'store.sqlite')).includes(cookie[1]),
      'the raw id is not stored',
    );

    clock.advance(10 * 60_000);
    const second = await startApp(stub, {
      withStore: true,
      clock,
      configDir: first.configDir,
      dataDir: first.dataDir,
    });
    const again = new Browser(second.base);
    for (const [k, v] of b.cookies) again.cookies.set(k, v);
    again.csrf = b.csrf;
    assert.equal((await again.call('GET', '/config-v8/api/config')).status, 200, 'still signed in');
    assert.equal((await again.call('POST', '/config-v8/logout')).status, 200, 'the CSRF token still holds');
    assert.equal((await again.call('GET', '/config-v8/api/config')).status, 401, 'signed out now');
    await stub.stop();
  });

  test('logout ends the session; an idle session expires', async () => {
    const b = new Browser(app.base);
    await b.login();
    const out = await b.call('POST', '/config-v8/logout');
    assert.equal(out.status, 200);
    assert.equal((await b.call('GET', '/config-v8/api/config')).status, 401);

    const idle = new Browser(app.base);
    await idle.login();
    clock.advance(29 * 60_000);
    assert.equal(
      (await idle.call('GET', '/config-v8/api/config')).status,
      200,
      'activity restarts the idle time',
    );
    clock.advance(29 * 60_000);
    assert.equal((await idle.call('GET', '/config-v8/api/config')).status, 200);
    clock.advance(31 * 60_000);
    assert.equal((await idle.call('GET', '/config-v8/api/config')).status, 401);
    assert.equal((await idle.session()).body.authenticated, false);
  });

  test('no secret reached the logs either', async () => {
    await app.close(); // flushes the log files
    const logs = readdirSync(app.logDir)
      .map((f) => readFileSync(path.join(app.logDir, f), 'utf8'))
      .join('\n');
    assert.ok(logs.includes('console: V8 settings saved'), 'the log was written');
    for (const secret of CANARIES) assert.ok(!logs.includes(secret), 'log leaks a secret');
    assert.ok(answersChecked > 100, `every answer was checked for secrets (${answersChecked})`);
  });
});

describe('console sign-in limits and switches', async () => {
  const stub = await new V8Stub().start();
  after(() => stub.stop());

  test('login attempts are limited per IP: the 6th is 429 with Retry-After, even with the right password', async () => {
    const app = await startApp(stub);
    const b = new Browser(app.base);
    await b.session();
    for (let i = 1; i <= 5; i++) {
      const a = await b.call('POST', '/config-v8/login', { body: { password: `wrong-${i}` } });
      assert.equal(a.status, 401, `attempt ${i}`);
    }
    const sixth = await b.call('POST', '/config-v8/login', { body: { password: ADMIN_PASSWORD } });
    assert.equal(sixth.status, 429);
    assert.equal(sixth.body.error.code, 'rate_limited');
    assert.match(sixth.body.error.message, /muitas tentativas/);
    const retryAfter = Number(sixth.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`);
    assert.ok(!b.cookies.has(`cltv8-${PORT}-sid`));
  });

  test('a caller that is not a listed proxy cannot pick its address: rotating X-Forwarded-For still gets 429 after 5', async () => {
    // The peer is 127.0.0.1; only 10.9.9.9 may speak for others.
    const app = await startApp(stub, { trustProxy: '10.9.9.9' });
    for (let i = 1; i <= 5; i++) {
      const b = new Browser(app.base, { 'x-forwarded-for': `203.0.113.${i}` });
      await b.session();
      const a = await b.call('POST', '/config-v8/login', { body: { password: `wrong-${i}` } });
      assert.equal(a.status, 401, `attempt ${i}`);
    }
    const b = new Browser(app.base, { 'x-forwarded-for': '198.51.100.77' });
    await b.session();
    const sixth = await b.call('POST', '/config-v8/login', { body: { password: ADMIN_PASSWORD } });
    assert.equal(sixth.status, 429);
    assert.match(sixth.body.error.message, /muitas tentativas de entrada: aguarde/);
  });

  test('a global failed sign-in budget holds even when every attempt comes from another (trusted) address', async () => {
    // The peer is the trusted proxy: each X-Forwarded-For is a real, distinct client with its own 5.
    const app = await startApp(stub, { trustProxy: '127.0.0.1, ::1', loginGlobalLimit: 8 });
    for (let i = 1; i <= 8; i++) {
      const b = new Browser(app.base, { 'x-forwarded-for': `203.0.113.${i}` });
      await b.session();
      const a = await b.call('POST', '/config-v8/login', { body: { password: `wrong-${i}` } });
      assert.equal(a.status, 401, `attempt ${i} (its address has used 1 of 5)`);
    }
    const fresh = new Browser(app.base, { 'x-forwarded-for': '198.51.100.9' });
    const ninth = await fresh.login();
    assert.equal(ninth.status, 429, 'the shared budget is spent, even for the right password');
    assert.match(ninth.body.error.message, /senha errada neste console: entrada suspensa/);
    assert.ok(Number(ninth.headers.get('retry-after')) > 0);
    assert.ok(!fresh.cookies.has(`cltv8-${PORT}-sid`));
    await waitUntil(
      () => readFileSync(path.join(app.logDir, `combined-${PORT}.log`), 'utf8').includes('"scope":"all"'),
      5000,
      () => 'the exhausted global budget was not logged',
    );
  });

  test('successful sign-ins do not use up the attempts', async () => {
    const app = await startApp(stub);
    for (let i = 0; i < 7; i++) assert.equal((await new Browser(app.base).login()).status, 200);
  });

  test('without ADMIN_PASSWORD_HASH the console is off: 503 with the command, no password accepted', async () => {
    const app = await startApp(stub, { adminHash: null });
    const page = await new Browser(app.base).call('GET', '/config-v8');
    assert.equal(page.status, 200);
    for (const password of [ADMIN_PASSWORD, '', 'anything']) {
      const b = new Browser(app.base);
      const a = await b.login(password);
      if (password === '') {
        assert.equal(a.status, 400);
        continue;
      }
      assert.equal(a.status, 503);
      assert.equal(
        a.body.error.message,
        `console desativado: defina a senha com make set-admin-password PORT=${PORT}`,
      );
      assert.ok(!b.cookies.has(`cltv8-${PORT}-sid`));
      assert.equal((await b.call('GET', '/config-v8/api/config')).status, 401);
    }
  });

  test('behind a TLS proxy (TRUST_PROXY=true, X-Forwarded-Proto: https) the cookies are Secure and __Host-', async () => {
    const app = await startApp(stub, { trustProxy: true });
    const b = new Browser(app.base, { 'x-forwarded-proto': 'https' });
    const a = await b.login();
    assert.equal(a.status, 200);
    const cookies = a.headers.getSetCookie();
    const sid = cookies.find((c) => c.startsWith(`__Host-cltv8-${PORT}-sid=`)) ?? '';
    assert.match(sid, /; Secure/i);
    assert.match(sid, /; HttpOnly/i);
    assert.match(sid, /; SameSite=Strict/i);
    assert.equal((await b.call('GET', '/config-v8/api/config')).status, 200);
    assert.equal((await b.call('POST', '/config-v8/api/test', { body: {} })).body.ok, true);
  });
});
