import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { type Clock, ManualClock, systemClock } from '../../app/adapters/clock.ts';
import { createV8, type V8Access } from '../../app/adapters/v8/create-v8.ts';
import { TOKEN_FILE } from '../../app/adapters/v8/v8-token-cache.ts';
import { buildApp } from '../../app/app.ts';
import { toAppConfig } from '../../app/config/app-config.ts';
import { parseConfigText } from '../../app/config/load-config.ts';
import { ERROR_CODES } from '../../app/domain/app-error.ts';
import { createLogger } from '../../app/logging/logger.ts';
import { waitUntil } from '../support/flow-harness.ts';
import { type ManualTime, manualTime } from '../support/manual-time.ts';

// ---------------------------------------------------------------------------------------------
// A small stub of V8 (Auth0 token endpoint + BFF) on 127.0.0.1, recording every request.
// ---------------------------------------------------------------------------------------------

const PASSWORD = 'PASSWORD-CANARY-S3nh@';
const TOKEN_PREFIX = 'tok-CANARY';
const USERNAME = 'operador@corban.example';
const CLIENT_ID = 'FakeClientId0000000000000000001';
const API_TOKEN = 'api-token-for-tests-0123456789abcdef';
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const CPF = '52998224725';
const CPF2 = '11144477735';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly at: number;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly delayMs?: number;
}

type Intercept = (req: Seen) => Reply | undefined;

interface StubConsult {
  id: string;
  status: string;
  documentNumber: string;
  name: string;
  createdAt: string;
}

class V8Stub {
  readonly seen: Seen[] = [];
  readonly tokens = new Set<string>();
  expiresIn = 3600;
  configsAsArray = false;
  intercept: Intercept | undefined;
  /** When requests are stamped: real time by default, a manual clock for pacing tests. */
  now: () => number = () => performance.now();
  readonly consults = new Map<string, StubConsult>();
  private server: Server | undefined;
  private n = 0;
  url = '';

  get tokenRequests(): number {
    return this.seen.filter((s) => s.path === '/oauth/token').length;
  }

  bff(method?: string, pathPrefix?: string): Seen[] {
    return this.seen.filter(
      (s) =>
        s.path !== '/oauth/token' &&
        (method === undefined || s.method === method) &&
        (pathPrefix === undefined || s.path.startsWith(pathPrefix)),
    );
  }

  revokeAll(): void {
    this.tokens.clear();
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = this.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://stub');
    const type = req.headers['content-type'] ?? '';
    let body: unknown = text;
    if (type.includes('json') && text) body = JSON.parse(text);
    else if (type.includes('x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(text));
    const seen: Seen = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body, at };
    this.seen.push(seen);
    const reply = this.intercept?.(seen) ?? this.route(seen, req.headers.authorization);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    const isText = typeof reply.body === 'string';
    res.writeHead(reply.status, {
      'content-type': isText ? 'text/plain' : 'application/json',
      ...reply.headers,
    });
    res.end(reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body));
  }

  private route(s: Seen, authorization: string | undefined): Reply {
    if (s.path === '/oauth/token' && s.method === 'POST') {
      const f = s.body as Record<string, string>;
      if (f.grant_type !== 'password' || f.client_id !== CLIENT_ID || !f.audience || !f.scope) {
        return { status: 401, body: { error: 'invalid_client', error_description: 'bad client' } };
      }
      if (f.username !== USERNAME || f.password !== PASSWORD) {
        return {
          status: 403,
          body: { error: 'invalid_grant', error_description: 'Wrong email or password.' },
        };
      }
      const token = `${TOKEN_PREFIX}-${++this.n}-${randomUUID()}`;
      this.tokens.add(token);
      return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: this.expiresIn } };
    }
    const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!bearer || !this.tokens.has(bearer)) return { status: 401, body: { message: 'Unauthorized' } };

    const b = (s.body ?? {}) as Record<string, unknown>;
    const m = (re: RegExp) => re.exec(s.path);
    if (s.method === 'POST' && s.path === '/private-consignment/consult') {
      const cpf = String(b.borrowerDocumentNumber);
      const phone = b.signerPhone as Record<string, unknown> | undefined;
      if (typeof phone?.phoneNumber !== 'string') {
        return {
          status: 400,
          body: { message: ['signerPhone.phoneNumber must be a string'], statusCode: 400 },
        };
      }
      const active = [...this.consults.values()].find(
        (c) => c.documentNumber === cpf && !['SUCCESS', 'REJECTED', 'FAILED'].includes(c.status),
      );
      if (active) {
        return {
          status: 400,
          body: {
            type: 'consult_already_exists_by_user_and_document_number',
            title: 'Bad Request',
            status: 400,
            detail: 'Já existe uma consulta ativa para este documento.',
          },
        };
      }
      const id = randomUUID();
      this.consults.set(id, {
        id,
        status: 'WAITING_CONSENT',
        documentNumber: cpf,
        name: String(b.signerName),
        createdAt: new Date().toISOString(),
      });
      return { status: 201, body: { id } };
    }
    let hit = m(/^\/private-consignment\/consult\/([^/]+)\/authorize$/);
    if (s.method === 'POST' && hit) {
      const c = this.consults.get(hit[1] as string);
      if (!c) return { status: 404, body: { message: 'consult not found' } };
      if (c.status !== 'WAITING_CONSENT') {
        return {
          status: 400,
          body: { type: 'consult_already_approved', detail: `Consulta já aprovada ID ${c.id}` },
        };
      }
      c.status = 'SUCCESS';
      return { status: 200, body: 'Successful response' };
    }
    if (s.method === 'GET' && s.path === '/private-consignment/consult') {
      for (const k of ['startDate', 'endDate', 'limit', 'page', 'provider']) {
        if (!s.query.get(k)) return { status: 400, body: { message: [`${k} should not be empty`] } };
      }
      const search = s.query.get('search');
      const status = s.query.get('status');
      const items = [...this.consults.values()]
        .filter((c) => (!search || c.documentNumber.includes(search)) && (!status || c.status === status))
        .reverse()
        .map((c) => this.consultBody(c));
      return { status: 200, body: { data: items, pages: { totalPages: 1 } } };
    }
    hit = m(/^\/private-consignment\/consult\/([^/]+)$/);
    if (s.method === 'GET' && hit) {
      const c = this.consults.get(hit[1] as string);
      return c
        ? { status: 200, body: this.consultBody(c) }
        : { status: 404, body: { message: 'consult not found' } };
    }
    if (s.method === 'GET' && s.path === '/private-consignment/simulation/configs') {
      const configs = [
        {
          id: 'cfg-1',
          slug: 'clt-padrao-qi',
          monthly_interest_rate: '1.99',
          number_of_installments: ['12', '24', '36'],
        },
        { id: 'cfg-2', slug: 'clt-seguro-qi', monthly_interest_rate: '2.49', number_of_installments: ['24'] },
      ];
      return { status: 200, body: this.configsAsArray ? configs : { configs } };
    }
    if (s.method === 'POST' && s.path === '/private-consignment/simulation') {
      if (b.installment_face_value !== undefined && b.disbursed_amount !== undefined) {
        return {
          status: 422,
          body: { message: 'send only one of installment_face_value, disbursed_amount' },
        };
      }
      if (Number(b.installment_face_value) > 512.37) {
        return {
          status: 400,
          body: {
            type: 'simulation_installment_value_above_margin',
            title: 'Bad Request',
            detail: 'Valor da parcela acima da margem disponível',
          },
        };
      }
      return {
        status: 200,
        body: {
          id_simulation: 'sim-1',
          installment_value: Number(b.installment_face_value ?? 350),
          number_of_installments: b.number_of_installments,
          operation_amount: 8400,
          issue_amount: 5650.12,
          disbursed_issue_amount: 5412.8,
          iof_amount: 112.45,
          monthly_interest_rate: 1.99,
          provider: b.provider,
          simulation_config_id: b.config_id,
          disbursement_option: { cet: 2.35, final_disbursement_amount: 5400.5, first_due_date: '2026-03-07' },
        },
      };
    }
    if (s.method === 'POST' && s.path === '/private-consignment/operation') {
      return {
        status: 201,
        body: { id: 'op-1', formalization_url: 'https://formalizacao.example/assinar/x' },
      };
    }
    if (s.method === 'GET' && s.path === '/private-consignment/operation') {
      return {
        status: 200,
        body: {
          data: [
            {
              operationId: 'op-1',
              contractNumber: 'CCB-1',
              name: 'MARIA',
              documentNumber: CPF,
              status: 'formalization',
              disbursedIssueAmount: '5412.80',
            },
            { operationId: 'op-2', documentNumber: CPF2, status: 'paid' },
          ],
        },
      };
    }
    hit = m(/^\/private-consignment\/operation\/([^/]+)$/);
    if (s.method === 'GET' && hit) {
      return {
        status: 200,
        body: {
          id: hit[1],
          status: 'pending',
          pendency_reason: 'Chave PIX inválida',
          formalization_url: 'https://formalizacao.example/assinar/x',
          operation_data: {
            issue_amount: '5650.12',
            installment_face_value: 350,
            number_of_installments: 24,
          },
        },
      };
    }
    if (s.method === 'POST' && /^\/private-consignment\/operation\/[^/]+\/cancel$/.test(s.path)) {
      return { status: 200 };
    }
    if (
      s.method === 'PATCH' &&
      /^\/private-consignment\/operation\/[^/]+\/pendency\/payment-data$/.test(s.path)
    ) {
      return { status: 200, body: {} };
    }
    if (s.method === 'POST' && /^\/user\/webhook\/private-consignment\/(consult|operation)$/.test(s.path)) {
      return { status: 200, body: {} };
    }
    return { status: 404, body: { message: `no stub route ${s.method} ${s.path}` } };
  }

  private consultBody(c: StubConsult): Record<string, unknown> {
    const success = c.status === 'SUCCESS';
    return {
      id: c.id,
      status: c.status,
      description: null,
      documentNumber: c.documentNumber,
      name: c.name,
      createdAt: c.createdAt,
      availableMarginValue: success ? '512.37' : null,
      simulationLimit: success
        ? {
            monthMin: 6,
            monthMax: 96,
            installmentsMin: 6,
            installmentsMax: 96,
            valueMin: 500,
            valueMax: 25000,
          }
        : null,
      somethingNew: { tolerated: true },
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The real app on an ephemeral port, configured from env text like a client's config file.
// ---------------------------------------------------------------------------------------------

const tmpDirs: string[] = [];
const logDirs: string[] = [];
const responseTexts: string[] = [];
const running: TestApp[] = [];

function tmp(prefix: string): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}

interface AppOptions {
  readonly env?: Record<string, string>;
  readonly dataDir?: string;
  readonly clock?: Clock;
  readonly breaker?: { failureThreshold: number; coolDownMs: number };
  readonly pacerWindowMs?: number;
  /** Drives the pacer with manual time instead of the real clock. */
  readonly pacerTime?: ManualTime;
}

interface TestApp {
  readonly url: string;
  readonly v8: V8Access;
  readonly dataDir: string;
  readonly sleeps: number[];
  call(
    method: string,
    path: string,
    body?: unknown,
    raw?: string,
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers are read loosely in assertions
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

async function startApp(stub: V8Stub, o: AppOptions = {}): Promise<TestApp> {
  const env: Record<string, string> = {
    PORT: '6000',
    CLIENT_NAME: 'Corban Teste',
    API_TOKEN,
    LOG_LEVEL: 'debug',
    PUBLIC_BASE_URL: 'https://api.corban.example:6000/',
    WEBHOOK_SECRET,
    V8_AUTH_URL: `${stub.url}/oauth/token`,
    V8_BASE_URL: stub.url,
    V8_CLIENT_ID: CLIENT_ID,
    V8_USERNAME: USERNAME,
    V8_PASSWORD: PASSWORD,
    V8_MAX_RPS: '100',
    V8_MAX_CONCURRENCY: '16',
    V8_TIMEOUT_MS: '1000',
    V8_TOKEN_MARGIN_S: '300',
    ...o.env,
  };
  const text = Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  const dataDir = o.dataDir ?? tmp('v8-data-');
  const logDir = tmp('v8-logs-');
  logDirs.push(logDir);
  const config = toAppConfig(parseConfigText(text, 'config-6000.env'), {
    port: 6000,
    configDir: '/nonexistent',
    dataDir,
    logDir,
  });
  const {
    logger,
    redactor,
    close: closeLogger,
  } = createLogger({
    port: 6000,
    clientName: config.clientName,
    level: 'debug',
    logDir,
    stdout: false,
  });
  for (const s of [config.http.apiToken, config.v8.password, config.webhook.secret]) redactor.addSecret(s);
  const clock = o.clock ?? systemClock;
  const sleeps: number[] = [];
  const v8 = createV8({
    credentials: () => config.v8,
    limits: config.v8,
    dataDir,
    clock,
    redactor,
    logger,
    ...(o.breaker ? { breaker: o.breaker } : {}),
    ...(o.pacerWindowMs !== undefined ? { pacerWindowMs: o.pacerWindowMs } : {}),
    ...(o.pacerTime ? { pacerClock: o.pacerTime.clock, pacerSchedule: o.pacerTime.schedule } : {}),
    // Retry waits are recorded (to check Retry-After was honoured) instead of slept.
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
  const app = buildApp({ config, logger, redactor, clock, startedAt: clock.now(), v8 });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  let closed = false;
  const t: TestApp = {
    url,
    v8,
    dataDir,
    sleeps,
    async call(method, p, body, raw) {
      const res = await fetch(`${url}${p}`, {
        method,
        headers: {
          authorization: `Bearer ${API_TOKEN}`,
          ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      responseTexts.push(text, JSON.stringify([...res.headers]));
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeLogger();
    },
  };
  running.push(t);
  return t;
}

async function setup(o: AppOptions = {}) {
  const stub = await new V8Stub().start();
  const app = await startApp(stub, o);
  return { stub, app };
}

const stubs: V8Stub[] = [];
async function withStub(o: AppOptions = {}) {
  const s = await setup(o);
  stubs.push(s.stub);
  return s;
}

after(async () => {
  for (const a of running) await a.close();
  for (const s of stubs) await s.stop();
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** Runs `count` calls with at most `limit` in flight; answers in call order. */
async function inParallel<T>(count: number, limit: number, call: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await call(i);
      }
    }),
  );
  return out;
}

const consultBody = (over: Record<string, unknown> = {}) => ({
  cpf: '529.982.247-25',
  name: 'MARIA TESTE DA SILVA',
  birthDate: '1990-04-15',
  gender: 'female',
  email: 'maria.teste@example.com',
  phone: '(11) 91234-5678',
  ...over,
});

const operationBody = (over: Record<string, unknown> = {}) => ({
  simulationId: 'sim-1',
  borrower: {
    name: 'MARIA TESTE DA SILVA',
    email: 'maria.teste@example.com',
    phone: '+55 11 91234-5678',
    address: {
      street: 'Rua Exemplo',
      number: '100',
      complement: 'Apto 1',
      neighborhood: 'Centro',
      city: 'São Paulo',
      state: 'sp',
      postalCode: '01000-000',
    },
    birthDate: '1990-04-15',
    motherName: 'ANA TESTE DA SILVA',
    documentIssuer: 'SSP',
    gender: 'female',
    maritalStatus: 'single',
    cpf: CPF,
    identityDocument: { type: 'rg', number: '000000000', issueDate: '2015-01-20' },
    bank: { transferMethod: 'pix', pixKey: CPF, pixKeyType: 'cpf' },
  },
  ...over,
});

// ---------------------------------------------------------------------------------------------
// Happy paths
// ---------------------------------------------------------------------------------------------

test('consult flow: create (201), authorize (text answer), get with margin and limits, list by CPF', async () => {
  const { stub, app } = await withStub();
  const created = await app.call('POST', '/consults', consultBody());
  assert.equal(created.status, 201);
  assert.equal(created.body.status, 'WAITING_CONSENT');
  assert.equal(created.body.existing, false);
  const sent = stub.bff('POST', '/private-consignment/consult')[0]?.body as Record<string, unknown>;
  assert.deepEqual(sent, {
    borrowerDocumentNumber: CPF,
    gender: 'female',
    birthDate: '1990-04-15',
    signerName: 'MARIA TESTE DA SILVA',
    signerEmail: 'maria.teste@example.com',
    signerPhone: { countryCode: '55', areaCode: '11', phoneNumber: '912345678' },
    provider: 'QI',
  });

  const auth = await app.call('POST', `/consults/${created.body.id}/authorize`);
  assert.equal(auth.status, 200);
  assert.deepEqual(auth.body, { id: created.body.id, authorized: true, alreadyApproved: false });
  const again = await app.call('POST', `/consults/${created.body.id}/authorize`);
  assert.equal(again.status, 200, 'consult_already_approved counts as success');
  assert.equal(again.body.alreadyApproved, true);

  const one = await app.call('GET', `/consults/${created.body.id}`);
  assert.equal(one.status, 200);
  assert.equal(one.body.status, 'SUCCESS');
  assert.equal(one.body.terminal, true);
  assert.equal(one.body.margin, 512.37);
  assert.deepEqual(one.body.limits, {
    installmentsMin: 6,
    installmentsMax: 96,
    valueMin: 500,
    valueMax: 25000,
  });

  const list = await app.call('GET', `/consults?cpf=${CPF}&status=success&from=2020-01-01&limit=10`);
  assert.equal(list.status, 200);
  assert.equal(list.body.items.length, 1);
  assert.equal(list.body.items[0].id, created.body.id);
  const q = stub.bff('GET', '/private-consignment/consult').at(-1)?.query as URLSearchParams;
  assert.equal(q.get('search'), CPF);
  assert.equal(q.get('status'), 'SUCCESS');
  assert.equal(q.get('startDate'), '2020-01-01T00:00:00.000Z');
  assert.equal(q.get('limit'), '10');
  assert.equal(q.get('page'), '1');
  assert.equal(q.get('provider'), 'QI');

  const missing = await app.call('GET', '/consults/does-not-exist');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'not_found');
});

test('create consult answered consult_already_exists resolves to the existing consult', async () => {
  const { stub, app } = await withStub();
  const first = await app.call('POST', '/consults', consultBody());
  const second = await app.call('POST', '/consults', consultBody({ provider: 'QI' }));
  assert.equal(second.status, 200);
  assert.deepEqual(second.body, { id: first.body.id, status: 'WAITING_CONSENT', existing: true });
  assert.equal(stub.bff('POST', '/private-consignment/consult').length, 2, 'the POST was not repeated');
  const lookup = stub.bff('GET', '/private-consignment/consult').at(-1);
  assert.equal(lookup?.query.get('search'), CPF);
});

test('simulation configs (both shapes) and simulations (XOR, business refusal)', async () => {
  const { stub, app } = await withStub();
  for (const asArray of [false, true]) {
    stub.configsAsArray = asArray;
    const configs = await app.call('GET', '/simulation-configs');
    assert.equal(configs.status, 200);
    assert.deepEqual(configs.body.configs, [
      {
        id: 'cfg-1',
        slug: 'clt-padrao-qi',
        monthlyInterestRate: 1.99,
        installments: [12, 24, 36],
        insured: false,
      },
      { id: 'cfg-2', slug: 'clt-seguro-qi', monthlyInterestRate: 2.49, installments: [24], insured: true },
    ]);
  }

  const sim = await app.call('POST', '/simulations', {
    consultId: 'c-1',
    configId: 'cfg-1',
    installments: 24,
    installmentValue: '350.00',
  });
  assert.equal(sim.status, 201);
  assert.equal(sim.body.id, 'sim-1');
  assert.equal(sim.body.disbursedAmount, 5400.5);
  assert.equal(sim.body.cet, 2.35);
  assert.deepEqual(stub.bff('POST', '/private-consignment/simulation').at(-1)?.body, {
    consult_id: 'c-1',
    config_id: 'cfg-1',
    number_of_installments: 24,
    provider: 'QI',
    installment_face_value: 350,
  });

  const neither = await app.call('POST', '/simulations', {
    consultId: 'c-1',
    configId: 'cfg-1',
    installments: 24,
  });
  assert.equal(neither.status, 201);
  const sentNeither = stub.bff('POST', '/private-consignment/simulation').at(-1)?.body as Record<
    string,
    unknown
  >;
  assert.ok(!('installment_face_value' in sentNeither) && !('disbursed_amount' in sentNeither));

  const byAmount = await app.call('POST', '/simulations', {
    consultId: 'c-1',
    configId: 'cfg-1',
    installments: 24,
    disbursedAmount: 5000,
    provider: 'CELCOIN',
  });
  assert.equal(byAmount.status, 201);
  const sentAmount = stub.bff('POST', '/private-consignment/simulation').at(-1)?.body as Record<
    string,
    unknown
  >;
  assert.equal(sentAmount.disbursed_amount, 5000);
  assert.equal(sentAmount.provider, 'CELCOIN');

  const above = await app.call('POST', '/simulations', {
    consultId: 'c-1',
    configId: 'cfg-1',
    installments: 24,
    installmentValue: 900,
  });
  assert.equal(above.status, 422);
  assert.equal(above.body.error.code, 'rejected');
  assert.equal(above.body.error.detail.type, 'simulation_installment_value_above_margin');
  assert.equal(above.body.error.detail.detail, 'Valor da parcela acima da margem disponível');
});

test('operations: create, list, get, cancel, payment-data', async () => {
  const { stub, app } = await withStub();
  const created = await app.call('POST', '/operations', operationBody());
  assert.equal(created.status, 201);
  assert.deepEqual(created.body, {
    id: 'op-1',
    formalizationUrl: 'https://formalizacao.example/assinar/x',
    status: 'pending',
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON body read loosely in assertions
  const sent = stub.bff('POST', '/private-consignment/operation')[0]?.body as any;
  assert.equal(sent.simulation_id, 'sim-1');
  assert.deepEqual(sent.borrower.phone, { country_code: '55', area_code: '11', number: '912345678' });
  assert.equal(sent.borrower.address.state, 'SP');
  assert.equal(sent.borrower.address.postal_code, '01000000');
  assert.equal(sent.borrower.individual_document_number, CPF);
  assert.equal(sent.borrower.person_type, 'natural');
  assert.equal(sent.borrower.political_exposition, false);
  assert.deepEqual(sent.borrower.bank, { transfer_method: 'pix', pix_key: CPF, pix_key_type: 'cpf' });

  const list = await app.call('GET', `/operations?cpf=${CPF}`);
  assert.equal(list.status, 200);
  assert.equal(list.body.items.length, 1);
  assert.equal(list.body.items[0].id, 'op-1');
  assert.equal(list.body.items[0].disbursedAmount, 5412.8);
  assert.equal(list.body.items[0].terminal, false);

  const one = await app.call('GET', '/operations/op-1?provider=QI');
  assert.equal(one.status, 200);
  assert.equal(one.body.status, 'pending');
  assert.equal(one.body.pendencyReason, 'Chave PIX inválida');
  assert.equal(one.body.issueAmount, 5650.12);
  assert.equal(one.body.installments, 24);

  const cancel = await app.call('POST', '/operations/op-1/cancel', { description: 'Cliente desistiu' });
  assert.equal(cancel.status, 200);
  assert.deepEqual(stub.bff('POST', '/private-consignment/operation/op-1/cancel')[0]?.body, {
    cancel_reason: 'invalid_data:other',
    cancel_description: 'Cliente desistiu',
    provider: 'QI',
  });

  const pay = await app.call('PATCH', '/operations/op-1/payment-data', {
    bank: { transferMethod: 'pix', pixKey: '(11) 91234-5678', pixKeyType: 'phone' },
  });
  assert.equal(pay.status, 200);
  assert.deepEqual(stub.bff('PATCH')[0]?.body, {
    bank: { transfer_method: 'pix', pix_key: '+5511912345678', pix_key_type: 'phone' },
  });
});

test('webhook registration: configured URL for both kinds, secret never echoed; explicit url accepted', async () => {
  const { stub, app } = await withStub();
  const r = await app.call('POST', '/v8/webhooks/register');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.registered, ['consult', 'operation']);
  assert.equal(r.body.url, 'https://api.corban.example:6000/webhooks/v8/[REDACTED]');
  const hooks = stub.bff('POST', '/user/webhook/');
  assert.deepEqual(
    hooks.map((h) => [h.path, (h.body as { url: string }).url]),
    [
      [
        '/user/webhook/private-consignment/consult',
        `https://api.corban.example:6000/webhooks/v8/${WEBHOOK_SECRET}`,
      ],
      [
        '/user/webhook/private-consignment/operation',
        `https://api.corban.example:6000/webhooks/v8/${WEBHOOK_SECRET}`,
      ],
    ],
  );
  const explicit = await app.call('POST', '/v8/webhooks/register', { url: 'https://other.example/hook' });
  assert.equal(explicit.status, 200);
  assert.equal(explicit.body.url, 'https://other.example/hook');
});

test('webhook registration without PUBLIC_BASE_URL / WEBHOOK_SECRET -> 503 not_configured naming them', async () => {
  const { stub, app } = await withStub({ env: { PUBLIC_BASE_URL: '', WEBHOOK_SECRET: '' } });
  const r = await app.call('POST', '/v8/webhooks/register', {});
  assert.equal(r.status, 503);
  assert.equal(r.body.error.code, 'not_configured');
  assert.match(r.body.error.message, /PUBLIC_BASE_URL and WEBHOOK_SECRET/);
  assert.equal(stub.seen.length, 0);
  const explicit = await app.call('POST', '/v8/webhooks/register', { url: 'https://other.example/hook' });
  assert.equal(explicit.status, 200);
});

test('openapi.json is an OpenAPI 3.1 document listing every API route with its schemas and the error shape', async () => {
  const { app } = await withStub();
  const r = await app.call('GET', '/openapi.json');
  assert.equal(r.status, 200);
  assert.equal(r.body.openapi, '3.1.0');
  const ops = Object.entries(r.body.paths as Record<string, Record<string, unknown>>).flatMap(([p, m]) =>
    Object.keys(m).map((method) => `${method.toUpperCase()} ${p}`),
  );
  assert.deepEqual(ops.sort(), [
    'DELETE /v8/token',
    'GET /batches',
    'GET /batches/{id}',
    'GET /batches/{id}/events',
    'GET /batches/{id}/results.csv',
    'GET /consults',
    'GET /consults/{id}',
    'GET /consults/{id}/evidence',
    'GET /flows',
    'GET /flows/{id}',
    'GET /operations',
    'GET /operations/{id}',
    'GET /outbox',
    'GET /simulation-configs',
    'GET /v8/token',
    'PATCH /operations/{id}/payment-data',
    'POST /batches',
    'POST /batches/{id}/cancel',
    'POST /consults',
    'POST /consults/{id}/authorize',
    'POST /flows',
    'POST /flows/{id}/proposal',
    'POST /operations',
    'POST /operations/{id}/cancel',
    'POST /outbox/{id}/drop',
    'POST /outbox/{id}/retry',
    'POST /simulations',
    'POST /v8/webhooks/register',
  ]);
  const create = r.body.paths['/consults'].post;
  assert.deepEqual(create.requestBody.content['application/json'].schema.required, [
    'cpf',
    'name',
    'birthDate',
    'gender',
    'email',
    'phone',
  ]);
  assert.equal(create.responses['400'].content['application/json'].schema.$ref, '#/components/schemas/Error');
  assert.ok(r.body.components.schemas.Error.properties.error.properties.fields);
  assert.deepEqual(
    [...r.body.components.schemas.Error.properties.error.properties.code.enum].sort(),
    [...ERROR_CODES].sort(),
    'the document lists every ErrorCode, no more, no less',
  );
  const listParams = r.body.paths['/consults'].get.parameters.map((p: { name: string }) => p.name);
  assert.deepEqual(listParams, ['cpf', 'status', 'from', 'to', 'page', 'limit', 'provider']);
});

// ---------------------------------------------------------------------------------------------
// Token cache
// ---------------------------------------------------------------------------------------------

test('1,000 API calls, 100 at a time -> exactly one token request', async () => {
  // Pacing is not what this test is about: a tiny window lets the burst through quickly. The
  // callers are limited to 100 connections so a busy machine's accept queue is not what is tested,
  // and the V8 timeout is generous for the same reason.
  const { stub, app } = await withStub({
    env: { V8_MAX_CONCURRENCY: '64', V8_TIMEOUT_MS: '30000' },
    pacerWindowMs: 1,
  });
  const answers = await inParallel(1000, 100, () => app.call('GET', '/simulation-configs'));
  assert.ok(answers.every((a) => a.status === 200));
  assert.equal(stub.tokenRequests, 1);
  assert.equal(stub.bff('GET').length, 1000);
  const form = stub.seen.find((s) => s.path === '/oauth/token')?.body as Record<string, string>;
  assert.deepEqual(Object.keys(form).sort(), [
    'audience',
    'client_id',
    'grant_type',
    'password',
    'scope',
    'username',
  ]);
  assert.equal(form.grant_type, 'password');
  assert.equal(form.scope, 'offline_access');
});

test('the token is refreshed before it expires (margin V8_TOKEN_MARGIN_S), not before', async () => {
  const clock = new ManualClock();
  const { stub, app } = await withStub({ clock });
  await app.call('GET', '/simulation-configs');
  clock.advance((3600 - 301) * 1000);
  await app.call('GET', '/simulation-configs');
  assert.equal(stub.tokenRequests, 1);
  clock.advance(2000);
  const status = await app.call('GET', '/simulation-configs');
  assert.equal(status.status, 200);
  assert.equal(stub.tokenRequests, 2);
});

test('the token is persisted (0600) and reused by a second app on the same data dir; GET /v8/token shows it', async () => {
  const { stub, app } = await withStub();
  const before = await app.call('GET', '/v8/token');
  assert.deepEqual(before.body, {
    held: false,
    expiresAt: null,
    username: 'op******@corban.example',
    source: 'none',
  });
  await app.call('GET', '/simulation-configs');
  const file = path.join(app.dataDir, TOKEN_FILE);
  assert.ok(existsSync(file));
  const { statSync } = await import('node:fs');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const held = await app.call('GET', '/v8/token');
  assert.equal(held.body.held, true);
  assert.equal(held.body.source, 'v8');
  await app.close();

  const second = await startApp(stub, { dataDir: app.dataDir });
  const fromFile = await second.call('GET', '/v8/token');
  assert.equal(fromFile.body.held, true);
  assert.equal(fromFile.body.source, 'file');
  assert.equal(fromFile.body.expiresAt, held.body.expiresAt);
  assert.equal((await second.call('GET', '/simulation-configs')).status, 200);
  assert.equal(stub.tokenRequests, 1, 'the restart did not authenticate again');

  const changed = await startApp(stub, { dataDir: app.dataDir, env: { V8_CLIENT_ID: 'AnotherClient' } });
  assert.equal(
    (await changed.call('GET', '/v8/token')).body.held,
    false,
    'another account: the file is not used',
  );
});

test('a 401 mid-session (token revoked) recovers with exactly one new token request', async () => {
  const { stub, app } = await withStub();
  await app.call('GET', '/simulation-configs');
  assert.equal(stub.tokenRequests, 1);
  stub.revokeAll();
  const answers = await Promise.all(Array.from({ length: 20 }, () => app.call('GET', '/simulation-configs')));
  assert.ok(answers.every((a) => a.status === 200));
  assert.equal(stub.tokenRequests, 2);
  // A POST is repeated after a 401 too: V8 did not process a request it refused to authenticate.
  stub.revokeAll();
  const created = await app.call('POST', '/consults', consultBody());
  assert.equal(created.status, 201);
  assert.equal(stub.tokenRequests, 3);
});

test('a 401 that persists after one re-authentication answers auth_failed without looping', async () => {
  const { stub, app } = await withStub();
  stub.intercept = (s) =>
    s.path === '/oauth/token' ? undefined : { status: 401, body: { message: 'Unauthorized' } };
  const r = await app.call('GET', '/simulation-configs');
  assert.equal(r.status, 502);
  assert.equal(r.body.error.code, 'auth_failed');
  assert.equal(stub.tokenRequests, 2);
  assert.equal(stub.bff('GET').length, 2);
});

test('wrong V8 password -> 502 auth_failed with V8 description, never the password', async () => {
  const { app } = await withStub({ env: { V8_PASSWORD: 'wrong-password-value' } });
  const r = await app.call('GET', '/simulation-configs');
  assert.equal(r.status, 502);
  assert.equal(r.body.error.code, 'auth_failed');
  assert.equal(r.body.error.detail.errorDescription, 'Wrong email or password.');
  assert.ok(!JSON.stringify(r.body).includes('wrong-password-value'));
});

test('DELETE /v8/token clears memory and file; the next call authenticates again', async () => {
  const { stub, app } = await withStub();
  await app.call('GET', '/simulation-configs');
  const del = await app.call('DELETE', '/v8/token');
  assert.equal(del.status, 200);
  assert.deepEqual(del.body, { cleared: true });
  assert.equal(existsSync(path.join(app.dataDir, TOKEN_FILE)), false);
  assert.equal((await app.call('GET', '/v8/token')).body.held, false);
  await app.call('GET', '/simulation-configs');
  assert.equal(stub.tokenRequests, 2);
});

// ---------------------------------------------------------------------------------------------
// Validation and configuration: nothing reaches V8
// ---------------------------------------------------------------------------------------------

const VALIDATION: [name: string, method: string, p: string, body: unknown, fields: string[]][] = [
  ['cpf wrong check digits', 'POST', '/consults', consultBody({ cpf: '529.982.247-24' }), ['cpf']],
  ['cpf with 10 digits', 'POST', '/consults', consultBody({ cpf: '5299822472' }), ['cpf']],
  ['cpf with letters', 'POST', '/consults', consultBody({ cpf: '5299822472a' }), ['cpf']],
  ['cpf all the same digit', 'POST', '/consults', consultBody({ cpf: '111.111.111-11' }), ['cpf']],
  ['birthDate not ISO', 'POST', '/consults', consultBody({ birthDate: '15/04/1990' }), ['birthDate']],
  [
    'birthDate not a calendar day',
    'POST',
    '/consults',
    consultBody({ birthDate: '1990-02-30' }),
    ['birthDate'],
  ],
  ['gender M', 'POST', '/consults', consultBody({ gender: 'M' }), ['gender']],
  ['email', 'POST', '/consults', consultBody({ email: 'maria' }), ['email']],
  ['phone without DDD', 'POST', '/consults', consultBody({ phone: '91234-5678' }), ['phone']],
  ['provider unknown', 'POST', '/consults', consultBody({ provider: 'BANCO' }), ['provider']],
  [
    'every bad field is named',
    'POST',
    '/consults',
    { cpf: '123', birthDate: 'x', gender: 'x', email: 'x', phone: 'x' },
    ['cpf', 'name', 'birthDate', 'gender', 'email', 'phone'],
  ],
  ['no body', 'POST', '/consults', undefined, ['body']],
  [
    'both installmentValue and disbursedAmount',
    'POST',
    '/simulations',
    { consultId: 'c-1', configId: 'cfg-1', installments: 24, installmentValue: 300, disbursedAmount: 5000 },
    ['installmentValue', 'disbursedAmount'],
  ],
  [
    'negative amount, zero installments, missing consultId',
    'POST',
    '/simulations',
    { configId: 'cfg-1', installments: 0, installmentValue: -5 },
    ['consultId', 'installments', 'installmentValue'],
  ],
  [
    'amount not a number',
    'POST',
    '/simulations',
    { consultId: 'c', configId: 'c', installments: 12, disbursedAmount: 'muito' },
    ['disbursedAmount'],
  ],
  [
    'list query',
    'GET',
    '/consults?cpf=123&from=ontem&limit=500&page=0',
    undefined,
    ['cpf', 'from', 'page', 'limit'],
  ],
  ['list window reversed', 'GET', '/consults?from=2025-03-02&to=2025-03-01', undefined, ['to']],
  ['operations list cpf', 'GET', '/operations?cpf=00000000000', undefined, ['cpf']],
  ['bad consult id', 'POST', '/consults/bad%20id!/authorize', undefined, ['id']],
  ['bad operation id', 'GET', '/operations/..%2F..', undefined, ['id']],
  ['operation without borrower', 'POST', '/operations', { simulationId: 'sim-1' }, ['borrower']],
  [
    'operation borrower fields',
    'POST',
    '/operations',
    operationBody({
      borrower: {
        ...operationBody().borrower,
        cpf: '52998224724',
        maritalStatus: 'x',
        address: { street: 'R' },
      },
    }),
    ['borrower.address.number', 'borrower.maritalStatus', 'borrower.cpf'],
  ],
  [
    'payment data transfer method',
    'PATCH',
    '/operations/op-1/payment-data',
    { bank: { transferMethod: 'doc' } },
    ['bank.transferMethod'],
  ],
  [
    'payment data bad pix phone',
    'PATCH',
    '/operations/op-1/payment-data',
    { bank: { transferMethod: 'pix', pixKey: '123', pixKeyType: 'phone' } },
    ['bank.pixKey'],
  ],
  [
    'cancel description too long',
    'POST',
    '/operations/op-1/cancel',
    { description: 'x'.repeat(201) },
    ['description'],
  ],
  ['webhook url not http', 'POST', '/v8/webhooks/register', { url: 'ftp://example.com/x' }, ['url']],
];

test('validation table: each bad input -> 400 invalid_data naming the fields, and no call to V8', async () => {
  const { stub, app } = await withStub();
  for (const [name, method, p, body, fields] of VALIDATION) {
    const r = await app.call(method, p, body);
    assert.equal(r.status, 400, `${name}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'invalid_data', name);
    const named = (r.body.error.fields as { field: string; reason: string }[]).map((f) => f.field);
    for (const f of fields) assert.ok(named.includes(f), `${name}: ${f} not in ${JSON.stringify(named)}`);
    for (const f of r.body.error.fields) assert.ok(f.reason.length > 0, `${name}: empty reason`);
  }
  const notJson = await app.call('POST', '/consults', undefined, '{"cpf": ');
  assert.equal(notJson.status, 400);
  assert.deepEqual(notJson.body.error.fields, [{ field: 'body', reason: 'is not valid JSON' }]);
  assert.equal(stub.seen.length, 0, 'the stub received no request at all');
});

test('V8 routes need the API bearer token: 401 without it, nothing sent to V8', async () => {
  const { stub, app } = await withStub();
  const res = await fetch(`${app.url}/consults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(consultBody()),
  });
  assert.equal(res.status, 401);
  responseTexts.push(await res.text());
  assert.equal(stub.seen.length, 0);
});

test('without V8 credentials every V8 route answers 503 not_configured naming the keys (not the values)', async () => {
  const { stub, app } = await withStub({ env: { V8_USERNAME: '', V8_PASSWORD: '', V8_CLIENT_ID: '' } });
  const routes: [string, string, unknown?][] = [
    ['GET', '/v8/token'],
    ['DELETE', '/v8/token'],
    ['POST', '/v8/webhooks/register'],
    ['POST', '/consults', consultBody()],
    ['POST', '/consults/abc/authorize'],
    ['GET', '/consults'],
    ['GET', '/consults/abc'],
    ['GET', '/simulation-configs'],
    ['POST', '/simulations', {}],
    ['POST', '/operations', {}],
    ['GET', '/operations'],
    ['GET', '/operations/abc'],
    ['POST', '/operations/abc/cancel'],
    ['PATCH', '/operations/abc/payment-data', {}],
  ];
  for (const [method, p, body] of routes) {
    const r = await app.call(method, p, body);
    assert.equal(r.status, 503, `${method} ${p}`);
    assert.equal(r.body.error.code, 'not_configured');
    assert.match(r.body.error.message, /V8_CLIENT_ID, V8_USERNAME, V8_PASSWORD/);
  }
  assert.equal(stub.seen.length, 0);
  assert.equal((await app.call('GET', '/openapi.json')).status, 200, 'the document does not need V8');
});

test('only the password missing: the message names V8_PASSWORD only', async () => {
  const { app } = await withStub({ env: { V8_PASSWORD: '' } });
  const r = await app.call('GET', '/simulation-configs');
  assert.equal(r.status, 503);
  assert.match(r.body.error.message, /fill in V8_PASSWORD in/);
});

// ---------------------------------------------------------------------------------------------
// Respecting V8: retries, 429, breaker, timeouts, pacing
// ---------------------------------------------------------------------------------------------

test('429 on a GET is retried honouring Retry-After; on a POST it is surfaced as rate_limited', async () => {
  const { stub, app } = await withStub();
  let limited = 0;
  stub.intercept = (s) => {
    if (s.path === '/private-consignment/simulation/configs' && limited++ === 0) {
      return { status: 429, body: 'Limite de requisições excedido', headers: { 'retry-after': '1' } };
    }
    if (s.path === '/private-consignment/consult' && s.method === 'POST') {
      return {
        status: 429,
        body: { message: 'Limite de requisições excedido' },
        headers: { 'retry-after': '3' },
      };
    }
    return undefined;
  };
  const r = await app.call('GET', '/simulation-configs');
  assert.equal(r.status, 200);
  assert.equal(stub.bff('GET', '/private-consignment/simulation/configs').length, 2);
  assert.deepEqual(app.sleeps, [1000]);

  const post = await app.call('POST', '/consults', consultBody());
  assert.equal(post.status, 429);
  assert.equal(post.body.error.code, 'rate_limited');
  assert.equal(post.headers.get('retry-after'), '3');
  assert.equal(stub.bff('POST', '/private-consignment/consult').length, 1, 'the POST was not repeated');
});

test('5xx on a GET is retried with backoff up to 3 attempts; a POST 5xx is not repeated', async () => {
  const { stub, app } = await withStub();
  stub.intercept = (s) =>
    s.path.startsWith('/private-consignment') ? { status: 502, body: 'Bad Gateway' } : undefined;
  const get = await app.call('GET', '/consults/abc');
  assert.equal(get.status, 503);
  assert.equal(get.body.error.code, 'upstream_unavailable');
  assert.equal(stub.bff('GET').length, 3);
  assert.deepEqual(app.sleeps, [188, 375]); // base 250 ms, doubling, equal jitter at random 0.5
  const post = await app.call('POST', '/operations/op-1/cancel', {});
  assert.equal(post.status, 503);
  assert.equal(stub.bff('POST').length, 1);
});

test('the circuit breaker opens after consecutive failures, fails fast with 503, and closes after the cool-down', async () => {
  const clock = new ManualClock();
  const { stub, app } = await withStub({ clock, breaker: { failureThreshold: 3, coolDownMs: 30_000 } });
  let down = true;
  stub.intercept = (s) =>
    down && s.path.startsWith('/private-consignment') ? { status: 503, body: '' } : undefined;
  const first = await app.call('GET', '/consults/abc'); // 3 attempts = 3 failures
  assert.equal(first.status, 503);
  const sentBefore = stub.seen.length;
  const fast = await app.call('POST', '/consults', consultBody());
  assert.equal(fast.status, 503);
  assert.equal(fast.body.error.code, 'upstream_unavailable');
  assert.match(fast.body.error.message, /paused/);
  assert.equal(fast.headers.get('retry-after'), '30');
  assert.equal(stub.seen.length, sentBefore, 'nothing was sent while open');

  down = false;
  clock.advance(30_000);
  const trial = await app.call('GET', '/simulation-configs');
  assert.equal(trial.status, 200, 'half-open trial succeeded and closed the breaker');
  assert.equal((await app.call('GET', '/simulation-configs')).status, 200);
});

test('a V8 call that exceeds V8_TIMEOUT_MS answers 504 timeout', async () => {
  const { stub, app } = await withStub();
  stub.intercept = (s) =>
    s.path === '/private-consignment/operation' ? { status: 201, body: {}, delayMs: 1500 } : undefined;
  const r = await app.call('POST', '/operations', operationBody());
  assert.equal(r.status, 504);
  assert.equal(r.body.error.code, 'timeout');
  assert.equal(stub.bff('POST').length, 1);
});

test('a burst of 200 requests never exceeds V8_MAX_RPS in any sliding second at V8', async () => {
  const MAX_RPS = 100;
  const time = manualTime();
  const { stub, app } = await withStub({
    env: { V8_MAX_RPS: String(MAX_RPS), V8_MAX_CONCURRENCY: '32', V8_TIMEOUT_MS: '30000' },
    pacerTime: time,
    pacerWindowMs: 1000,
  });
  stub.now = () => time.clock.now();
  let answered = 0;
  const all = Promise.all(
    Array.from({ length: 200 }, () =>
      app.call('GET', '/simulation-configs').then((a) => {
        answered++;
        return a;
      }),
    ),
  );
  // Manual time moves only while the pacer waits for it (every call let out so far answered): the
  // stub's stamps are manual-clock times, so the count per window is exact however slow the machine is.
  await waitUntil(
    async () => {
      if (answered < 200 && app.v8.pacer.running === 0 && time.pending() > 0) await time.tick(100);
      return answered === 200;
    },
    120_000,
    () =>
      `200 answers (answered ${answered}, running ${app.v8.pacer.running}, waiting ${app.v8.pacer.waiting})`,
  );
  const answers = await all;
  assert.ok(answers.every((a) => a.status === 200));
  const times = stub.seen.map((s) => s.at).sort((a, b) => a - b);
  assert.equal(times.length, 201); // + the token request
  let worst = 0;
  for (let i = 0; i < times.length; i++) {
    let j = i;
    while (j < times.length && (times[j] as number) < (times[i] as number) + 1000) j++;
    worst = Math.max(worst, j - i);
  }
  assert.ok(worst <= MAX_RPS, `${worst} requests reached V8 within one second`);
  assert.ok((times.at(-1) as number) - (times[0] as number) >= 1000, 'the burst was spread over windows');
});

test('V8 answers in unexpected shapes become upstream_error; extra fields are tolerated', async () => {
  const { stub, app } = await withStub();
  stub.intercept = (s) =>
    s.path === '/private-consignment/simulation/configs' ? { status: 200, body: { nothing: 1 } } : undefined;
  const r = await app.call('GET', '/simulation-configs');
  assert.equal(r.status, 502);
  assert.equal(r.body.error.code, 'upstream_error');
});

// ---------------------------------------------------------------------------------------------
// Secrets: last, after every app above has answered and logged.
// ---------------------------------------------------------------------------------------------

test('no V8 token or password in any response body/header or log line', async () => {
  for (const a of running) await a.close();
  const responses = responseTexts.join('\n');
  assert.ok(responses.length > 0);
  assert.ok(!responses.includes(TOKEN_PREFIX), 'a token reached a response');
  assert.ok(!responses.includes(PASSWORD), 'the password reached a response');
  let logs = '';
  for (const d of logDirs) for (const f of readdirSync(d)) logs += readFileSync(path.join(d, f), 'utf8');
  assert.ok(logs.includes('v8 token obtained'), 'the logs were captured');
  assert.ok(logs.includes('v8 call'), 'debug call logs were captured');
  assert.ok(!logs.includes(TOKEN_PREFIX), 'a token reached the logs');
  assert.ok(!logs.includes(PASSWORD), 'the password reached the logs');
  assert.ok(!logs.includes(API_TOKEN), 'the API token reached the logs');
  assert.ok(!logs.includes(WEBHOOK_SECRET), 'the webhook secret reached the logs');
});
