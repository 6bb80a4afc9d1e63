// The console's "Painel" routes (/config-v8/api/dashboard and /config-v8/api/batches/*): the real
// app with the flow runtime and the real workers (flow harness) against the fake V8 and fake
// Kentro, signed in as the page would be (session cookie + CSRF header).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../../app/adapters/clock.ts';
import { TOKEN_FILE } from '../../app/adapters/v8/v8-token-cache.ts';
import { buildApp } from '../../app/app.ts';
import { toAppConfig } from '../../app/config/app-config.ts';
import { parseConfigText } from '../../app/config/load-config.ts';
import { hashPassword } from '../../app/domain/password-hash.ts';
import { createLogger } from '../../app/logging/logger.ts';
import type { BatchView } from '../../app/use-cases/batches/index.ts';
import { FAKE_KENTRO_CPFS } from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { DEFAULT_ACCOUNTS } from '../../sandbox/fake-v8/fake-v8-server.ts';
import { API_TOKEN, CPF, FlowHarness, WEBHOOK_SECRET, waitUntil } from '../support/flow-harness.ts';

const ADMIN_PASSWORD = 'painel-admin-CANARY-5150';
const ADMIN_HASH = hashPassword(ADMIN_PASSWORD);
const PORT = 6000; // the harness's
const UNKNOWN_BATCH = '00000000-0000-4000-8000-000000000000';

let h: FlowHarness;
let canaries: string[] = [];

before(async () => {
  h = await FlowHarness.start({
    config: { ADMIN_PASSWORD_HASH: ADMIN_HASH },
    ticks: { batchTickMs: 20 },
  });
  canaries = [
    ADMIN_PASSWORD,
    ADMIN_HASH,
    API_TOKEN,
    WEBHOOK_SECRET,
    h.fakeKentro.apiKey,
    ...DEFAULT_ACCOUNTS.map((a) => a.password),
  ];
});
after(async () => {
  await h?.close();
});

// ---------------------------------------------------------------------------------------------
// A tiny browser: cookie jar, the CSRF token the page would hold, a secret check on EVERY answer.
// ---------------------------------------------------------------------------------------------
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON.
  readonly body: any;
}

let answersChecked = 0;

function heldV8Token(): string | undefined {
  try {
    return JSON.parse(readFileSync(path.join(h.dataDir, TOKEN_FILE), 'utf8')).accessToken;
  } catch {
    return undefined;
  }
}

function assertNoSecrets(where: string, a: { headers: Headers; text: string }): void {
  const headerText = [...a.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
  const token = heldV8Token();
  for (const secret of token ? [...canaries, token] : canaries) {
    assert.ok(!a.text.includes(secret), `${where}: body leaks a secret`);
    assert.ok(!headerText.includes(secret), `${where}: headers leak a secret`);
  }
  answersChecked++;
}

class Browser {
  readonly cookies = new Map<string, string>();
  csrf = '';
  readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  cookieHeader(): Record<string, string> {
    return this.cookies.size > 0 ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  async call(
    method: string,
    urlPath: string,
    o: { body?: unknown; csv?: string; csrf?: boolean | string; type?: string } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = this.cookieHeader();
    const csrf = o.csrf === undefined || o.csrf === true ? this.csrf : o.csrf === false ? '' : o.csrf;
    if (csrf) headers['x-csrf-token'] = csrf;
    let body: string | undefined;
    if (o.csv !== undefined) {
      headers['content-type'] = o.type ?? 'text/csv';
      body = o.csv;
    } else if (o.body !== undefined) {
      headers['content-type'] = o.type ?? 'application/json';
      body = JSON.stringify(o.body);
    }
    const res = await fetch(this.base + urlPath, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
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
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const answer = { status: res.status, headers: res.headers, text, body: parsed };
    assertNoSecrets(`${method} ${urlPath}`, answer);
    return answer;
  }

  async login(): Promise<this> {
    const s = await this.call('GET', '/config-v8/api/session');
    this.csrf = s.body.csrfToken;
    const a = await this.call('POST', '/config-v8/login', { body: { password: ADMIN_PASSWORD } });
    assert.equal(a.status, 200);
    this.csrf = a.body.csrfToken;
    return this;
  }

  /** Reads a server-sent event stream until `done` (or the time runs out); every chunk is checked. */
  async events(
    urlPath: string,
    timeoutMs = 20_000,
  ): Promise<{ status: number; headers: Headers; events: SseEvent[] }> {
    const res = await fetch(this.base + urlPath, {
      headers: { ...this.cookieHeader(), accept: 'text/event-stream' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const events: SseEvent[] = [];
    if (res.status !== 200 || !res.body) {
      const text = await res.text();
      assertNoSecrets(`GET ${urlPath}`, { headers: res.headers, text });
      return { status: res.status, headers: res.headers, events };
    }
    let buffer = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        assertNoSecrets(`event of ${urlPath}`, { headers: res.headers, text: block });
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        end = buffer.indexOf('\n\n');
      }
    }
    return { status: res.status, headers: res.headers, events };
  }
}

interface SseEvent {
  readonly event: string;
  readonly data: BatchView;
}

const NEW_ROUTES = (id: string): readonly [string, string, string?][] => [
  ['GET', '/config-v8/api/dashboard'],
  ['POST', '/config-v8/api/batches', `cpf\n${CPF.approved}\n`],
  ['GET', `/config-v8/api/batches/${id}/events`],
  ['GET', `/config-v8/api/batches/${id}/results.csv`],
  ['POST', `/config-v8/api/batches/${id}/cancel`],
];

async function waitForBatch(b: Browser, id: string): Promise<BatchView> {
  let last: BatchView | undefined;
  await waitUntil(
    async () => {
      const d = await b.call('GET', '/config-v8/api/dashboard');
      last = d.body.batches.items.find((x: BatchView) => x.id === id);
      return last?.status === 'completed';
    },
    20_000,
    () => `batch ${id} did not complete: ${JSON.stringify(last)}\n${h.logTail()}`,
  );
  return last as BatchView;
}

// =============================================================================================

describe('console Painel routes', () => {
  test('401 without a session on every Painel route, CSRF token or not; nothing started', async () => {
    const b = new Browser(h.app.url);
    const s = await b.call('GET', '/config-v8/api/session');
    b.csrf = s.body.csrfToken;
    for (const [method, url, csv] of NEW_ROUTES(UNKNOWN_BATCH)) {
      for (const csrf of [true, false]) {
        const a = await b.call(method, url, { csrf, ...(csv ? { csv } : {}) });
        assert.equal(a.status, 401, `${method} ${url}`);
        assert.equal(a.body.error.code, 'unauthorized');
        assert.match(a.body.error.message, /sess[aã]o/);
      }
    }
    // EventSource sends only cookies: a forged session id is no session either.
    const forged = new Browser(h.app.url);
    forged.cookies.set(`cltv8-${PORT}-sid`, 'x'.repeat(43));
    assert.equal((await forged.events(`/config-v8/api/batches/${UNKNOWN_BATCH}/events`)).status, 401);
    assert.equal(h.app.store.batches.list(10).length, 0);
  });

  test('403 without a valid CSRF token on the POSTs (session present); nothing started or cancelled', async () => {
    const b = await new Browser(h.app.url).login();
    const other = await new Browser(h.app.url).login();
    const started = await b.call('POST', '/config-v8/api/batches', { csv: `${CPF.rejected}\n` });
    assert.equal(started.status, 202);
    const id = started.body.batchId;
    for (const [method, url, csv] of NEW_ROUTES(id).filter(([m]) => m === 'POST')) {
      for (const csrf of [false, 'forged.token', other.csrf]) {
        const a = await b.call(method, url, { csrf, ...(csv ? { csv } : {}) });
        assert.equal(a.status, 403, `${method} ${url}`);
        assert.equal(a.body.error.code, 'forbidden');
      }
    }
    assert.equal(h.app.store.batches.list(10).length, 1, 'only the batch started with the token');
    const done = await waitForBatch(b, id);
    assert.equal(done.counts.cancelled, 0, 'not cancelled by the refused requests');
    assert.equal(done.counts.no_margin, 1);
  });

  test('GET /config-v8/api/dashboard: health, masked V8 token, recent flows and batches', async () => {
    const b = await new Browser(h.app.url).login();
    const flow = await h.startFlow(CPF.approved);
    await h.settled(flow);
    const d = await b.call('GET', '/config-v8/api/dashboard');
    assert.equal(d.status, 200);
    assert.equal(d.headers.get('cache-control'), 'no-store');
    assert.match(d.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const v = d.body;
    assert.deepEqual(Object.keys(v).sort(), ['batches', 'flows', 'generatedAt', 'health', 'token']);
    assert.ok(!Number.isNaN(Date.parse(v.generatedAt)));

    assert.deepEqual(Object.keys(v.health).sort(), ['startedAt', 'status', 'uptimeS', 'version']);
    assert.equal(v.health.status, 'ok');
    assert.match(v.health.version, /^\d+\.\d+\.\d+/);
    assert.equal(typeof v.health.uptimeS, 'number');

    assert.deepEqual(Object.keys(v.token).sort(), ['expiresAt', 'held', 'source', 'username']);
    assert.equal(v.token.held, true, 'the flow obtained a token');
    assert.ok(Date.parse(v.token.expiresAt) > Date.now());
    assert.equal(v.token.username, 'sa*******@fake-v8.local');
    assert.ok(['v8', 'file'].includes(v.token.source));

    assert.equal(v.flows.available, true);
    assert.ok(v.flows.items.length >= 2);
    const times = v.flows.items.map((f: { createdAt: string }) => f.createdAt);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
    const row = v.flows.items.find((f: { id: string }) => f.id === flow);
    assert.deepEqual(Object.keys(row).sort(), [
      'active',
      'cpf',
      'createdAt',
      'currentStep',
      'finishedAt',
      'fromBatch',
      'id',
      'lastError',
      'margin',
      'outcome',
      'reason',
      'status',
    ]);
    assert.equal(row.cpf, CPF.approved);
    assert.equal(row.outcome, 'simulated');
    assert.match(row.reason, /^simulação concluída/);
    assert.equal(row.margin, 512.37);
    assert.equal(row.fromBatch, false);
    assert.equal(
      v.flows.items.find((f: { cpf: string }) => f.cpf === CPF.rejected)?.fromBatch,
      true,
      'the flow of the earlier batch',
    );

    assert.equal(v.batches.available, true);
    const batch = v.batches.items[0];
    for (const k of ['id', 'status', 'total', 'processed', 'percent', 'counts', 'etaS', 'rejected']) {
      assert.ok(k in batch, `batch view has ${k}`);
    }
  });

  test('Enviar lote CSV: 202 with the accepted and rejected lines; progress as server-sent events to done', async () => {
    const b = await new Browser(h.app.url).login();
    const csv = ['cpf', CPF.approved, FAKE_KENTRO_CPFS.joao, 'não é cpf', CPF.approved, ''].join('\r\n');
    const a = await b.call('POST', '/config-v8/api/batches?createOpportunity=1', { csv });
    assert.equal(a.status, 202, a.text);
    assert.equal(a.body.accepted, 2);
    assert.deepEqual(
      a.body.rejected.map((r: { line: number }) => r.line),
      [4, 5],
      'the invalid line and the repeated CPF',
    );
    const id = a.body.batchId;

    const stream = await b.events(`/config-v8/api/batches/${id}/events`);
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(stream.headers.get('cache-control'), 'no-store');
    const names = stream.events.map((e) => e.event);
    assert.equal(names.at(-1), 'done', names.join(','));
    assert.ok(names.slice(0, -1).every((n) => n === 'progress'));
    const last = stream.events.at(-1)?.data as BatchView;
    assert.equal(last.status, 'completed');
    assert.equal(last.percent, 100);
    assert.equal(last.total, 3);
    assert.deepEqual(
      { simulated: last.counts.simulated, no_margin: last.counts.no_margin, invalid: last.counts.invalid },
      { simulated: 1, no_margin: 1, invalid: 1 },
    );
    const percents = stream.events.map((e) => e.data.percent);
    assert.deepEqual(
      percents,
      [...percents].sort((x, y) => x - y),
      'progress never goes back',
    );

    // A finished batch: one snapshot and done at once (the page's EventSource stops there).
    const again = await b.events(`/config-v8/api/batches/${id}/events`);
    assert.deepEqual(
      again.events.map((e) => e.event),
      ['progress', 'done'],
    );
  });

  test('Baixar resultados (CSV): an attachment with one row per line; 404 and 400 for bad ids', async () => {
    const b = await new Browser(h.app.url).login();
    const a = await b.call('POST', '/config-v8/api/batches', {
      csv: `${CPF.rejected};\n`,
      type: 'text/plain; charset=utf-8',
    });
    assert.equal(a.status, 202, a.text);
    const id = a.body.batchId;
    await waitForBatch(b, id);
    const r = await b.call('GET', `/config-v8/api/batches/${id}/results.csv`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
    assert.match(
      r.headers.get('content-disposition') ?? '',
      new RegExp(`^attachment; filename="?lote-${id.slice(0, 8)}-resultados\\.csv"?$`),
    );
    const lines = r.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    assert.match(lines[0] ?? '', /^linha;cpf;status;resultado;motivo/);
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? '', /^1;111\.444\.777-35;no_margin;sem margem;consulta recusada/);

    assert.equal((await b.call('GET', `/config-v8/api/batches/${UNKNOWN_BATCH}/results.csv`)).status, 404);
    const bad = await b.call('GET', '/config-v8/api/batches/..%2F..%2Fetc/results.csv');
    assert.ok([400, 404].includes(bad.status));
    const notUuid = await b.call('GET', '/config-v8/api/batches/lote-1/results.csv');
    assert.equal(notUuid.status, 400);
    assert.equal(notUuid.body.error.fields[0].reason, 'não é um identificador de lote');
    assert.equal((await b.call('GET', `/config-v8/api/batches/${UNKNOWN_BATCH}/events`)).status, 404);
    assert.equal((await b.call('POST', `/config-v8/api/batches/${UNKNOWN_BATCH}/cancel`)).status, 404);
  });

  test('Cancelar lote: pending items are cancelled at once, running ones finish; cancelling again changes nothing', async () => {
    const b = await new Browser(h.app.url).login();
    // Slow Kentro answers keep the first flows running while the rest of the batch waits.
    h.fakeKentro.setFault({ op: '*', delayMs: 200, count: 'always' });
    try {
      const cpfs = Array.from({ length: 30 }, (_, i) => validCpf(100_000_000 + i * 7919));
      const a = await b.call('POST', '/config-v8/api/batches', { csv: cpfs.join('\n') });
      assert.equal(a.status, 202, a.text);
      const id = a.body.batchId;
      const c = await b.call('POST', `/config-v8/api/batches/${id}/cancel`);
      assert.equal(c.status, 200);
      assert.equal(c.body.status, 'cancelled');
      assert.ok(c.body.counts.cancelled >= 20, c.text);
      assert.equal(c.body.counts.pending, 0);
      let last: BatchView | undefined;
      await waitUntil(async () => {
        last = (await b.call('POST', `/config-v8/api/batches/${id}/cancel`)).body;
        return last?.finishedAt !== null;
      });
      assert.equal(last?.status, 'cancelled');
      assert.equal(last?.counts.cancelled, c.body.counts.cancelled, 'cancelling again changes nothing');
      assert.equal(last?.processed, 30);
    } finally {
      h.fakeKentro.clearFaults();
    }
  });

  test('bad uploads: 415 for another content type, 400 for an empty CSV or a bad option, in the error envelope', async () => {
    const b = await new Browser(h.app.url).login();
    const json = await b.call('POST', '/config-v8/api/batches', { body: { cpfs: [CPF.approved] } });
    assert.equal(json.status, 415);
    assert.equal(json.body.error.code, 'unsupported_media_type');
    const empty = await b.call('POST', '/config-v8/api/batches', { csv: 'cpf\n\n' });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.code, 'invalid_data');
    const option = await b.call('POST', '/config-v8/api/batches?sendWhatsapp=talvez', { csv: CPF.approved });
    assert.equal(option.status, 400);
    assert.equal(option.body.error.fields[0].field, 'sendWhatsapp');
  });

  test('an upload of 130,000 lines or 5.2 MB is 413 and the console answers on', async () => {
    const b = await new Browser(h.app.url).login();
    const lines = Array.from({ length: 130_000 }, (_, i) => String(10_000_000_000 + i)).join('\n');
    const many = await b.call('POST', '/config-v8/api/batches', { csv: lines });
    assert.equal(many.status, 413, many.text);
    assert.equal(many.body.error.code, 'payload_too_large');
    const ones = await b.call('POST', '/config-v8/api/batches', { csv: '1\n'.repeat(2_600_000) });
    assert.equal(ones.status, 413, ones.text);
    const page = await b.call('GET', '/config-v8/api/dashboard');
    assert.equal(page.status, 200);
  });

  test('a file full of bad lines: the page gets the first 200 of them and the total', async () => {
    const b = await new Browser(h.app.url).login();
    const csv = Array.from({ length: 250 }, (_, i) => `abc${i}`).join('\n');
    const a = await b.call('POST', '/config-v8/api/batches', { csv });
    assert.equal(a.status, 202, a.text);
    assert.equal(a.body.accepted, 0);
    assert.equal(a.body.rejected.length, 250, 'the upload answer lists them all');
    const done = await waitForBatch(b, a.body.batchId);
    assert.equal(done.rejected.length, 200);
    assert.equal((done as BatchView & { rejectedTotal: number }).rejectedTotal, 250);
    assert.equal(done.counts.invalid, 250);
  });

  test('every answer above was checked for secrets', () => {
    assert.ok(answersChecked > 60, `answers checked: ${answersChecked}`);
  });
});

describe('console Painel without the flow runtime', () => {
  test('the dashboard says flows and batches are unavailable; a CSV upload is 503', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'cltv8-painel-'));
    const config = toAppConfig(
      parseConfigText(
        [
          `PORT=${PORT}`,
          'CLIENT_NAME=Sem Fluxo',
          `API_TOKEN=${API_TOKEN}`,
          `ADMIN_PASSWORD_HASH=${ADMIN_HASH}`,
        ].join('\n'),
        `config-${PORT}.env`,
      ),
      {
        port: PORT,
        configDir: '/nonexistent',
        dataDir: path.join(root, 'data'),
        logDir: path.join(root, 'logs'),
      },
    );
    const { logger, redactor, close } = createLogger({
      port: PORT,
      clientName: config.clientName,
      level: 'warn',
      logDir: path.join(root, 'logs'),
      stdout: false,
    });
    const app = buildApp({ config, logger, redactor, clock: systemClock, startedAt: systemClock.now() });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const b = await new Browser(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).login();
      const d = await b.call('GET', '/config-v8/api/dashboard');
      assert.equal(d.status, 200);
      assert.equal(d.body.token, null);
      assert.deepEqual(d.body.flows, { available: false, items: [] });
      assert.deepEqual(d.body.batches, { available: false, items: [] });
      const up = await b.call('POST', '/config-v8/api/batches', { csv: CPF.approved });
      assert.equal(up.status, 503);
      assert.equal(up.body.error.code, 'not_configured');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** A valid CPF from 9 base digits (check digits computed). */
function validCpf(base: number): string {
  const d = String(base).padStart(9, '0').slice(0, 9).split('').map(Number);
  for (const len of [9, 10]) {
    let sum = 0;
    for (let i = 0; i < len; i++) sum += (d[i] ?? 0) * (len + 1 - i);
    const rest = (sum * 10) % 11;
    d.push(rest === 10 ? 0 : rest);
  }
  return d.join('');
}
