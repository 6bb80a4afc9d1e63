// Benchmark (issue 4): a batch of 1,000 CPFs through the service against a fake V8 that answers 429
// above 10 requests/s, next to "the way existing integrations do it" (a sequential loop with a fixed
// 3 s sleep between V8 calls, run on a sample and extrapolated).
//
//   export PATH=$PWD/.tools/node/bin:$PATH
//   node bench/batch-1000.ts [--cpfs 1000] [--sample 20] [--rps 10] [--step-ms 1000] [--deadline-s 1800]
//
// Three local processes, all on 127.0.0.1 (ports from freePort in 30500-31400), stopped at the end:
//   - the fake V8 (this file with --serve-fake-v8: startFakeV8 with maxRps and a request log big
//     enough to hold every request of the run),
//   - the fake Kentro (sandbox/fake-kentro/main.ts),
//   - the service (this file with --serve-service: the launcher's composition root, app/runtime.ts —
//     config file, store, V8 client with its pacer, Kentro client, workers, webhook processing —
//     listening on 127.0.0.1 instead of 0.0.0.0), with V8_MAX_RPS=10 and every other setting at its default.
// The service registers its webhook URL at the fake (POST /api/v1/v8/webhooks/register), as an
// operator does, so margins arrive by webhook. Bounded: gives up after --deadline-s and always stops
// its children. Prints a Markdown table and a JSON line.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  FAKE_KENTRO_API_KEY,
  FAKE_KENTRO_FORM_FIELDS_JSON,
} from '../sandbox/fake-kentro/fake-kentro-seed.ts';
import { cpfWithCheckDigits } from '../sandbox/fake-v8/cpf.ts';
import { freePort } from '../test/support/ops.ts';
import { launch, machine, stopAll, waitHttp } from './processes.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const AUDIENCE = 'https://bff.v8sistema.com';
const CLIENT_ID = 'BenchBatchClientId00000000000001';
/** The service's V8 login. */
const SERVICE = {
  username: 'lote@corban.example',
  password: 'bench-batch-password-0123',
  clientId: CLIENT_ID,
};
/** The sequential loop's V8 login (its own rate window and consults at the same fake). */
const LOOP = { username: 'loop@corban.example', password: 'bench-loop-password-01234', clientId: CLIENT_ID };
const API_TOKEN = 'bench-batch-api-token-0123456789abcdef';
const WEBHOOK_SECRET = 'bench-batch-webhook-secret-0123';
const PORT_FROM = 30500;
const LOOP_SLEEP_MS = 3000;
const CONSULT = '/private-consignment/consult';
const SIMULATION = '/private-consignment/simulation';

// ---- child modes ---------------------------------------------------------------------------

/**
 * Event-loop delay of this child, written to ELD_FILE when it stops: a stalled process sends (or, for
 * the fake, counts) requests in bunches, which is what a per-second limit sees.
 */
function recordEventLoopDelay(): () => void {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return () => {
    const file = process.env.ELD_FILE;
    if (!file) return;
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    writeFileSync(
      file,
      JSON.stringify({ p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) }),
    );
  };
}

async function serveFakeV8(): Promise<void> {
  const { startFakeV8 } = await import('../sandbox/fake-v8/fake-v8-server.ts');
  const fake = await startFakeV8({
    host: '127.0.0.1',
    port: Number(process.env.FAKE_PORT),
    accounts: [SERVICE, LOOP],
    clientId: CLIENT_ID,
    audience: AUDIENCE,
    maxRps: Number(process.env.FAKE_MAX_RPS),
    stepMs: Number(process.env.FAKE_STEP_MS),
    maxLogEntries: 1_000_000,
  });
  const eld = recordEventLoopDelay();
  process.on('SIGTERM', () => {
    eld();
    void fake.close().then(() => process.exit(0));
  });
}

async function serveService(): Promise<void> {
  const { systemClock } = await import('../app/adapters/clock.ts');
  const { loadEffectiveConfig } = await import('../app/config/effective-config.ts');
  const { readProcessSettings } = await import('../app/config/load-config.ts');
  const { createLogger } = await import('../app/logging/logger.ts');
  const { composeRuntime, registerConfigSecrets } = await import('../app/runtime.ts');
  const { startService } = await import('../app/service.ts');
  const settings = readProcessSettings();
  const { effective } = loadEffectiveConfig(settings);
  const config = effective.current();
  const { logger, redactor } = createLogger({
    port: config.port,
    clientName: config.clientName,
    level: config.log.level,
    logDir: config.logDir,
    maxSizeMb: config.log.maxSizeMb,
    maxFiles: config.log.maxFiles,
  });
  registerConfigSecrets(redactor, config);
  // Wired exactly like app/main.ts (the same composition root), only listening on 127.0.0.1.
  const runtime = composeRuntime({ config, effective, logger, redactor, clock: systemClock });
  const service = await startService(runtime, { port: config.port, host: '127.0.0.1', logger });
  const eld = recordEventLoopDelay();
  process.on('SIGTERM', () => {
    eld();
    void service.stop().finally(() => process.exit(0));
  });
}

// ---- parent ---------------------------------------------------------------------------------

async function getJson<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: r.status, body: body as T };
}

interface LoggedRequest {
  method: string;
  path: string;
  body: unknown;
  account: string | null;
  status: number | null;
  time: string;
}

interface FakeStats {
  requests: Record<string, number>;
  maxRequestsPerSecond: Record<string, number>;
  rateLimited: Record<string, number>;
  sent429: number;
  tokenRequests: Record<string, number>;
}

/** The 9th digit decides at the fake V8: 0-5 margin, 6 rejected, 7 failed, 9 no margin (8 hangs: left out). */
const NINTH = [0, 1, 2, 3, 4, 5, 6, 7, 9, 0];
const benchCpf = (prefix: string, i: number) =>
  cpfWithCheckDigits(`${prefix}${String(i).padStart(8 - prefix.length, '0')}${NINTH[i % NINTH.length]}`);

/** Normalizes a path to its route (ids out). */
function route(r: LoggedRequest): string {
  const p = r.path
    .replace(/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '/{id}')
    .replace(/\/\d{11}$/, '/{cpf}');
  return `${r.method} ${p}`;
}

async function runBatch(o: {
  service: string;
  fake: string;
  cpfs: string[];
  deadline: number;
}): Promise<Record<string, unknown>> {
  const auth = { authorization: `Bearer ${API_TOKEN}` };
  const reg = await getJson(`${o.service}/api/v1/v8/webhooks/register`, { method: 'POST', headers: auth });
  if (reg.status !== 200) throw new Error(`webhook registration: ${reg.status} ${JSON.stringify(reg.body)}`);
  await fetch(`${o.fake}/__admin/requests`, { method: 'DELETE' });
  await fetch(`${o.fake}/__admin/webhooks`, { method: 'DELETE' });
  const csv = `cpf\n${o.cpfs.join('\n')}\n`;
  const t0 = performance.now();
  const created = await getJson<{ id: string; accepted: number }>(`${o.service}/api/v1/batches`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'text/csv' },
    body: csv,
  });
  if (created.status !== 202)
    throw new Error(`POST /batches: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id;
  // biome-ignore lint/suspicious/noExplicitAny: the batch view is read loosely
  let view: any;
  let lastPrint = 0;
  for (;;) {
    view = (await getJson(`${o.service}/api/v1/batches/${id}`, { headers: auth })).body;
    if (view.status === 'completed') break;
    if (Date.now() > o.deadline) break;
    if (performance.now() - lastPrint > 30_000) {
      lastPrint = performance.now();
      process.stderr.write(
        `[batch-1000] ${((performance.now() - t0) / 1000).toFixed(0)} s: ${view.processed}/${view.total} processed, ${view.counts.running} running, eta ${view.etaS ?? '?'} s\n`,
      );
    }
    await sleep(250);
  }
  const batchS = (performance.now() - t0) / 1000;
  const completed = view.status === 'completed';

  // CRM updates trail the flows by a moment: wait (bounded) until none is pending, for the counts.
  const results = await (
    await fetch(`${o.service}/api/v1/batches/${id}/results.csv`, {
      headers: auth,
      signal: AbortSignal.timeout(60_000),
    })
  ).text();
  const rows = results
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
    .slice(1)
    .map((l) => l.split(';'));
  const flowIds = rows.map((r) => r[8] ?? '').filter((x) => x !== '');
  const reasons = new Map<string, number>();
  for (const r of rows) {
    if (r[2] === 'simulated') continue;
    const k = `${r[2]}: ${(r[4] ?? '').replace(/\d{11}/g, '{cpf}')}`;
    reasons.set(k, (reasons.get(k) ?? 0) + 1);
  }
  const stats = (await getJson<FakeStats>(`${o.fake}/__admin/stats`)).body;
  const log = (await getJson<LoggedRequest[]>(`${o.fake}/__admin/requests?account=${SERVICE.username}`)).body;
  const consults = (await getJson<{ consults: { documentNumber: string }[] }>(`${o.fake}/__admin/state`)).body
    .consults;
  const perCpf = new Map<string, number>();
  for (const c of consults) perCpf.set(c.documentNumber, (perCpf.get(c.documentNumber) ?? 0) + 1);
  const created201 = new Map<string, number>();
  for (const r of log) {
    if (r.method === 'POST' && r.path === CONSULT && r.status === 201) {
      const cpf = (r.body as { borrowerDocumentNumber: string }).borrowerDocumentNumber;
      created201.set(cpf, (created201.get(cpf) ?? 0) + 1);
    }
  }
  const lost = o.cpfs.filter((c) => (created201.get(c) ?? 0) === 0 || (perCpf.get(c) ?? 0) === 0);
  const duplicated = o.cpfs.filter((c) => (created201.get(c) ?? 0) > 1 || (perCpf.get(c) ?? 0) > 1);
  const limited = log.filter((r) => r.status === 429);
  const arrivals = log.map((r) => Date.parse(r.time)).sort((a, b) => a - b);
  let maxInSecond = 0;
  for (let i = 0, j = 0; i < arrivals.length; i++) {
    while ((arrivals[j] ?? 0) <= (arrivals[i] ?? 0) - 1000) j++;
    maxInSecond = Math.max(maxInSecond, i - j + 1);
  }
  const secondsOver = new Set(
    arrivals.filter((t, i) => i >= 10 && t - (arrivals[i - 10] ?? 0) < 1000).map((t) => Math.floor(t / 1000)),
  ).size;
  const byRoute = new Map<string, number>();
  for (const r of log) byRoute.set(route(r), (byRoute.get(route(r)) ?? 0) + 1);
  const withMargin = o.cpfs.filter((c) => [0, 1, 2, 3, 4, 5].includes(Number(c.charAt(8)))).length;
  // What the work needs at the least: create + authorize per CPF, one simulation per CPF with
  // margin, the rate tables once; margins come by webhook (no GET needed).
  const needed = 2 * o.cpfs.length + withMargin + 1;
  const sent = stats.requests[SERVICE.username] ?? 0;
  const timestamps = log.map((r) => Date.parse(r.time)).sort((a, b) => a - b);
  const v8SpanS = timestamps.length > 1 ? ((timestamps.at(-1) ?? 0) - (timestamps[0] ?? 0)) / 1000 : 0;
  return {
    completed,
    batchS,
    counts: view.counts,
    processed: view.processed,
    total: view.total,
    rows: rows.length,
    distinctFlows: new Set(flowIds).size,
    reasons: Object.fromEntries(reasons),
    sent,
    needed,
    v8SpanS,
    minSentS: sent / 10,
    minNeededS: needed / 10,
    maxRequestsPerSecond: stats.maxRequestsPerSecond[SERVICE.username] ?? 0,
    maxInSecondByArrival: maxInSecond,
    secondsWithMoreThanLimit: secondsOver,
    limitedRoutes: limited.map((r) => `${route(r)} at ${r.time}`),
    rateLimited: stats.rateLimited[SERVICE.username] ?? 0,
    sent429: stats.sent429,
    tokenRequests: stats.tokenRequests[SERVICE.username] ?? 0,
    lost: lost.length,
    duplicated: duplicated.length,
    byRoute: Object.fromEntries([...byRoute].sort((a, b) => b[1] - a[1])),
  };
}

/** "The way existing integrations do it": one CPF after the other, a fixed 3 s sleep after every V8 call. */
async function runLoop(fake: string, cpfs: string[], deadline: number): Promise<Record<string, unknown>> {
  const t = await getJson<{ access_token: string }>(`${fake}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      username: LOOP.username,
      password: LOOP.password,
      audience: AUDIENCE,
      scope: 'offline_access',
      client_id: LOOP.clientId,
    }),
  });
  const headers = { authorization: `Bearer ${t.body.access_token}`, 'content-type': 'application/json' };
  let calls = 0;
  let got429 = 0;
  const call = async <T>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> => {
    calls++;
    const r = await getJson<T>(`${fake}${p}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (r.status === 429) got429++;
    await sleep(LOOP_SLEEP_MS);
    return r;
  };
  const t0 = performance.now();
  const configs = await call<{ configs: { id: string; number_of_installments: string[] }[] }>(
    'GET',
    '/private-consignment/simulation/configs',
  );
  const config = configs.body.configs[0];
  let done = 0;
  const outcomes: Record<string, number> = {};
  for (const cpf of cpfs) {
    if (Date.now() > deadline) break;
    const created = await call<{ id: string }>('POST', CONSULT, {
      borrowerDocumentNumber: cpf,
      gender: 'female',
      birthDate: '1990-01-31',
      signerName: 'CLIENTE LOOP',
      signerEmail: `${cpf}@example.com`,
      signerPhone: { countryCode: '55', areaCode: '11', phoneNumber: '977771234' },
      provider: 'QI',
    });
    const id = created.body.id;
    await call('POST', `${CONSULT}/${id}/authorize`);
    let status = '';
    let margin = 0;
    for (let i = 0; i < 20; i++) {
      const c = await call<{ status: string; availableMarginValue: string | null }>(
        'GET',
        `${CONSULT}/${id}`,
      );
      status = c.body.status;
      margin = Number(c.body.availableMarginValue ?? 0);
      if (['SUCCESS', 'REJECTED', 'FAILED'].includes(status)) break;
    }
    if (status === 'SUCCESS' && margin > 0 && config) {
      const sim = await call('POST', SIMULATION, {
        consult_id: id,
        config_id: config.id,
        number_of_installments: Math.max(...config.number_of_installments.map(Number)),
        installment_face_value: margin,
        provider: 'QI',
      });
      status = sim.status === 200 || sim.status === 201 ? 'simulated' : `simulation ${sim.status}`;
    }
    const outcome = status === 'SUCCESS' ? 'no margin' : status;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    done++;
  }
  const s = (performance.now() - t0) / 1000;
  return { cpfs: done, seconds: s, calls, got429, outcomes, perCpfS: s / Math.max(1, done) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cpfs: { type: 'string', default: '1000' },
      sample: { type: 'string', default: '20' },
      rps: { type: 'string', default: '10' },
      'step-ms': { type: 'string', default: '1000' },
      'deadline-s': { type: 'string', default: '1800' },
      'serve-fake-v8': { type: 'boolean', default: false },
      'serve-service': { type: 'boolean', default: false },
    },
  });
  if (values['serve-fake-v8']) return serveFakeV8();
  if (values['serve-service']) return serveService();

  const n = Number(values.cpfs);
  const sample = Number(values.sample);
  const rps = Number(values.rps);
  const deadline = Date.now() + Number(values['deadline-s']) * 1000;
  const startedLine = machine();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cltv8-bench-batch-'));
  const eld: Record<string, unknown> = {};
  const stop = async () => {
    await stopAll();
    for (const name of ['fake-v8', 'service']) {
      try {
        eld[name] = JSON.parse(readFileSync(path.join(dir, `${name}-eld.json`), 'utf8'));
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    const fakePort = await freePort(PORT_FROM);
    launch([SELF, '--serve-fake-v8'], {
      FAKE_PORT: String(fakePort),
      FAKE_MAX_RPS: String(rps),
      FAKE_STEP_MS: String(values['step-ms']),
      ELD_FILE: path.join(dir, 'fake-v8-eld.json'),
    });
    const fake = `http://127.0.0.1:${fakePort}`;
    await waitHttp(`${fake}/health`);
    const kentroPort = await freePort(fakePort + 1);
    launch([path.join(REPO, 'sandbox/fake-kentro/main.ts')], {
      FAKE_KENTRO_HOST: '127.0.0.1',
      FAKE_KENTRO_PORT: String(kentroPort),
    });
    const kentro = `http://127.0.0.1:${kentroPort}`;
    await waitHttp(`${kentro}/health`);

    const port = await freePort(kentroPort + 1);
    for (const sub of ['config', 'data', 'logs']) mkdirSync(path.join(dir, sub));
    const config: Record<string, string> = {
      PORT: String(port),
      CLIENT_NAME: 'Bench Lote',
      API_TOKEN,
      WEBHOOK_SECRET,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'info',
      V8_AUTH_URL: `${fake}/oauth/token`,
      V8_BASE_URL: fake,
      V8_AUDIENCE: AUDIENCE,
      V8_CLIENT_ID: CLIENT_ID,
      V8_USERNAME: SERVICE.username,
      V8_PASSWORD: SERVICE.password,
      V8_MAX_RPS: String(rps),
      KENTRO_BASE_URL: kentro,
      KENTRO_API_KEY: FAKE_KENTRO_API_KEY,
      KENTRO_QUEUE_ID: '25',
      KENTRO_PIPELINE_ID: '4',
      KENTRO_RESPONSIBLE_ID: '1',
      KENTRO_STAGE_MARGIN_FOUND: '21',
      KENTRO_STAGE_NO_MARGIN: '22',
      KENTRO_STAGE_SIMULATED: '23',
      KENTRO_STAGE_PROPOSAL: '24',
      KENTRO_STAGE_PAID: '25',
      KENTRO_STAGE_FAILED: '26',
      KENTRO_FORM_FIELDS: FAKE_KENTRO_FORM_FIELDS_JSON,
    };
    writeFileSync(
      path.join(dir, 'config', `config-${port}.env`),
      `${Object.entries(config)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`,
    );
    launch([SELF, '--serve-service'], {
      PORT: String(port),
      CONFIG_DIR: path.join(dir, 'config'),
      DATA_DIR: path.join(dir, 'data'),
      LOG_DIR: path.join(dir, 'logs'),
      ELD_FILE: path.join(dir, 'service-eld.json'),
    });
    const service = `http://127.0.0.1:${port}`;
    await waitHttp(`${service}/health`);

    // The broker's CRM already holds the leads (name, birth date, phone): a CSV of bare CPFs is enough.
    const cpfs = Array.from({ length: n }, (_, i) => benchCpf('6', i));
    await seedLeads(kentro, cpfs);

    process.stderr.write(`[batch-1000] batch of ${n} CPFs, V8 limited to ${rps}/s\n`);
    const batch = await runBatch({ service, fake, cpfs, deadline });
    process.stderr.write(`[batch-1000] batch: ${JSON.stringify(batch)}\n`);
    const loopCpfs = Array.from({ length: sample }, (_, i) => benchCpf('7', i));
    process.stderr.write(`[batch-1000] sequential loop on ${sample} CPFs (3 s between calls)\n`);
    const loop = await runLoop(fake, loopCpfs, deadline);
    const loopStats = (await getJson<FakeStats>(`${fake}/__admin/stats`)).body;
    const extrapolatedS = (loop.perCpfS as number) * n;
    await stop();
    const report = {
      machine: startedLine,
      loadAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))),
      n,
      rps,
      stepMs: Number(values['step-ms']),
      batch,
      loop,
      extrapolatedS,
      eventLoopDelay: eld,
    };
    console.log(table(report, loopStats));
    console.log(JSON.stringify(report));
  } finally {
    await stop();
  }
}

/** 0 -> A, 25 -> Z, 26 -> BA…: names may not contain digits. */
const letters = (i: number): string =>
  i.toString(26).replace(/./g, (d) => String.fromCharCode(65 + Number.parseInt(d, 26)));

/** Opportunities for the CPFs in the fake Kentro with the data a flow needs (name, birth date, phone). */
async function seedLeads(kentro: string, cpfs: string[]): Promise<void> {
  const fields = JSON.parse(FAKE_KENTRO_FORM_FIELDS_JSON) as Record<string, string>;
  for (const [i, cpf] of cpfs.entries()) {
    const phone = `55119${String(70000000 + i).padStart(8, '0')}`;
    const r = await fetch(`${kentro}/int/createOpportunity`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        queueId: 25,
        apiKey: FAKE_KENTRO_API_KEY,
        fkPipeline: 4,
        responsableid: 1,
        title: `CLIENTE BENCH ${letters(i)}`,
        mainmail: cpf,
        mainphone: phone,
        formsdata: {
          [fields.cpf as string]: cpf,
          [fields.birthDate as string]: '31/01/1990',
          [fields.phone as string]: phone,
        },
      }),
    });
    if (r.status !== 200) throw new Error(`seeding lead ${i}: ${r.status} ${await r.text()}`);
  }
  await fetch(`${kentro}/__admin/requests`, { method: 'DELETE' });
}

// biome-ignore lint/suspicious/noExplicitAny: report fields are read loosely for the table
function table(r: any, loopStats: FakeStats): string {
  const b = r.batch;
  const l = r.loop;
  const min = (s: number) => `${(s / 60).toFixed(1)} min`;
  return [
    `machine: ${r.machine}`,
    '',
    '| | batch through the service | sequential loop, 3 s between calls |',
    '|---|---|---|',
    `| CPFs | ${r.n} | ${l.cpfs} run, extrapolated to ${r.n} |`,
    `| total time | ${b.batchS.toFixed(0)} s (${min(b.batchS)})${b.completed ? '' : ' NOT COMPLETED'} | ${l.seconds.toFixed(0)} s for ${l.cpfs} → ${r.extrapolatedS.toFixed(0)} s (${(r.extrapolatedS / 3600).toFixed(1)} h) for ${r.n} |`,
    `| V8 requests (BFF) | ${b.sent} sent; ${b.needed} needed at the least | ${l.calls} for ${l.cpfs} CPFs |`,
    `| theoretical minimum at ${r.rps}/s | ${b.minSentS.toFixed(0)} s for the requests sent; ${b.minNeededS.toFixed(0)} s for the ones needed | — |`,
    `| time / minimum | ${(b.batchS / b.minSentS).toFixed(2)} × (sent), ${(b.batchS / b.minNeededS).toFixed(2)} × (needed) | ${(r.extrapolatedS / b.minNeededS).toFixed(1)} × (needed) |`,
    `| most V8 requests in one second | ${b.maxRequestsPerSecond} | ${loopStats.maxRequestsPerSecond[LOOP.username] ?? 0} |`,
    `| 429s received | ${b.rateLimited} | ${l.got429} |`,
    `| seconds in which the fake saw more than ${r.rps} arrivals | ${b.secondsWithMoreThanLimit} (most: ${b.maxInSecondByArrival}) | — |`,
    `| event-loop delay p99 / max (service, fake V8) | ${r.eventLoopDelay.service?.p99Ms ?? '?'} / ${r.eventLoopDelay.service?.maxMs ?? '?'} ms, ${r.eventLoopDelay['fake-v8']?.p99Ms ?? '?'} / ${r.eventLoopDelay['fake-v8']?.maxMs ?? '?'} ms | — |`,
    `| CPFs lost / duplicated | ${b.lost} / ${b.duplicated} | — |`,
    `| outcomes | ${JSON.stringify(b.counts)} | ${JSON.stringify(l.outcomes)} |`,
    `| V8 requests by route | ${Object.entries(b.byRoute)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')} | |`,
  ].join('\n');
}

main().catch(async (err: unknown) => {
  process.stderr.write(`[batch-1000] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  await stopAll();
  process.exit(1);
});
