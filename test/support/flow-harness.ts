// The real app (buildApp) with the store, the CLT flow and the real workers, against the in-process
// fake V8 and fake Kentro, on 127.0.0.1 ephemeral ports. An app can be stopped and a new one started
// on the same data directory (restart tests).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Clock, systemClock } from '../../app/adapters/clock.ts';
import type { Store } from '../../app/adapters/store/store.ts';
import type { V8Access } from '../../app/adapters/v8/create-v8.ts';
import { toAppConfig } from '../../app/config/app-config.ts';
import { parseConfigText } from '../../app/config/load-config.ts';
import { createLogger } from '../../app/logging/logger.ts';
import { composeRuntime, registerConfigSecrets } from '../../app/runtime.ts';
import { startService } from '../../app/service.ts';
import type { FlowDeps, FlowSettings } from '../../app/use-cases/flow/flow-deps.ts';
import type { FlowView } from '../../app/use-cases/flow/flow-view.ts';
import type { WebhookProcessor } from '../../app/use-cases/webhooks/webhook-processor.ts';
import type { Workers, WorkerTicks } from '../../app/workers/workers.ts';
import {
  FAKE_KENTRO_CPFS,
  FAKE_KENTRO_FORM_FIELDS_JSON,
  FAKE_KENTRO_STAGES,
  FAKE_KENTRO_TEMPLATE_ID,
  type FakeKentroHandle,
  startFakeKentro,
} from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import {
  DEFAULT_ACCOUNTS,
  DEFAULT_CLIENT_ID,
  type FakeV8Handle,
  type FakeV8Options,
  type Scenario,
  startFakeV8,
} from '../../sandbox/fake-v8/fake-v8-server.ts';
import { assertKentroRequest } from './kentro-spec.ts';
import { waitUntil } from './wait.ts';

export const API_TOKEN = 'flow-tests-api-token-0123456789abcdef';
export const WEBHOOK_SECRET = 'flow-tests-webhook-secret-0123';
const ACCOUNT = DEFAULT_ACCOUNTS[0] as { username: string; password: string };

/** CPFs of the Kentro seed with the V8 outcome each test relies on (set as fake V8 scenarios). */
export const CPF = {
  /** Kentro lead with full data; V8 SUCCESS, margin 512.37. */
  approved: FAKE_KENTRO_CPFS.maria,
  /** Kentro lead with full data (CPF stored formatted); V8 REJECTED. */
  rejected: FAKE_KENTRO_CPFS.joao,
  /** Kentro lead whose birth date is "null". */
  noBirthDate: FAKE_KENTRO_CPFS.ana,
  /** Not in Kentro; V8 SUCCESS, margin 300.00. */
  notInKentro: FAKE_KENTRO_CPFS.new1,
} as const;

/** A complete proposal borrower for the approved CPF (operation tests). */
export const APPROVED_BORROWER = {
  name: 'MARIA TESTE DA SILVA',
  email: 'maria.teste@example.com',
  phone: { countryCode: '55', areaCode: '11', phoneNumber: '912345678' },
  politicallyExposed: false,
  address: {
    street: 'Rua Exemplo',
    number: '100',
    neighborhood: 'Centro',
    city: 'São Paulo',
    state: 'SP',
    postalCode: '01000000',
  },
  birthDate: '1990-04-15',
  motherName: 'JOANA TESTE DA SILVA',
  nationality: 'brazilian',
  documentIssuer: 'SSP',
  gender: 'female',
  maritalStatus: 'single',
  cpf: CPF.approved,
  identityDocument: { type: 'rg', number: '123456789', issueDate: '2010-01-20' },
  bank: { transferMethod: 'pix', pixKey: CPF.approved, pixKeyType: 'cpf' },
} as const;

export const REJECTION = 'Trabalhador não elegível para o Crédito do Trabalhador';

export const SCENARIOS: Record<string, Scenario> = {
  [CPF.approved]: {
    label: 'tests: approved',
    outcome: 'success',
    name: 'MARIA TESTE DA SILVA',
    availableMarginValue: '512.37',
  },
  [CPF.rejected]: { label: 'tests: rejected', outcome: 'rejected', description: REJECTION },
  [CPF.notInKentro]: {
    label: 'tests: approved, new lead',
    outcome: 'success',
    availableMarginValue: '300.00',
  },
};

export interface HarnessOptions {
  readonly fakeV8?: FakeV8Options;
  /** Extra config lines (KEY: value). */
  readonly config?: Readonly<Record<string, string>>;
  /** Register our webhook URL at the fake V8 (default true); false exercises the polling fallback. */
  readonly registerWebhooks?: boolean;
  readonly settings?: Partial<FlowSettings>;
  readonly ticks?: Partial<WorkerTicks>;
  /** Start the workers with the app (default true). */
  readonly workers?: boolean;
  /** The app's clock (default the system clock); give the fake V8 the same one to move both. */
  readonly clock?: Clock;
}

export interface RunningApp {
  readonly url: string;
  readonly store: Store;
  readonly flow: FlowDeps;
  readonly v8: V8Access;
  readonly webhooks: WebhookProcessor;
  readonly workers: Workers | undefined;
  stop(): Promise<void>;
}

export interface HttpAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** What the seeded Kentro lead of CPF.approved lacks for a proposal (it has mother's name, CEP, city, UF). */
export const PROPOSAL_OVERRIDES = {
  rg: '123456789',
  rgIssuer: 'SSP',
  rgIssueDate: '2010-01-20',
  maritalStatus: 'single',
  street: 'Rua Exemplo',
  houseNumber: '100',
  neighborhood: 'Centro',
  pixKey: CPF.approved,
};

export const TEST_SETTINGS: Partial<FlowSettings> = {
  stepRetry: { baseMs: 30, maxMs: 200, maxAttempts: 6 },
  outboxBackoff: { baseMs: 30, maxMs: 200 },
};

export const TEST_TICKS: Partial<WorkerTicks> = { flowTickMs: 20, pollTickMs: 20, outboxTickMs: 20 };

export class FlowHarness {
  readonly fakeV8: FakeV8Handle;
  readonly fakeKentro: FakeKentroHandle;
  readonly dataDir: string;
  readonly logDir: string;
  private readonly o: HarnessOptions;
  private current: RunningApp | undefined;

  private constructor(fakeV8: FakeV8Handle, fakeKentro: FakeKentroHandle, o: HarnessOptions) {
    this.fakeV8 = fakeV8;
    this.fakeKentro = fakeKentro;
    this.o = o;
    const root = mkdtempSync(path.join(tmpdir(), 'cltv8-flow-'));
    this.dataDir = path.join(root, 'data');
    this.logDir = path.join(root, 'logs');
  }

  static async start(o: HarnessOptions = {}): Promise<FlowHarness> {
    const fakeV8 = await startFakeV8({
      stepMs: 30,
      operationStepMs: 50,
      webhookRetryMs: 50,
      webhookTimeoutMs: 1000,
      ...o.fakeV8,
      scenarios: { ...SCENARIOS, ...o.fakeV8?.scenarios },
    });
    const fakeKentro = await startFakeKentro();
    const h = new FlowHarness(fakeV8, fakeKentro, o);
    await h.startApp();
    return h;
  }

  get app(): RunningApp {
    if (!this.current) throw new Error('no app is running');
    return this.current;
  }

  configText(): string {
    const lines: Record<string, string> = {
      PORT: '6000',
      CLIENT_NAME: 'Corban Testes',
      API_TOKEN,
      WEBHOOK_SECRET,
      V8_AUTH_URL: `${this.fakeV8.url}/oauth/token`,
      V8_BASE_URL: this.fakeV8.url,
      V8_CLIENT_ID: DEFAULT_CLIENT_ID,
      V8_USERNAME: ACCOUNT.username,
      V8_PASSWORD: ACCOUNT.password,
      V8_MAX_RPS: '50',
      V8_MAX_CONCURRENCY: '8',
      KENTRO_BASE_URL: this.fakeKentro.url,
      KENTRO_API_KEY: this.fakeKentro.apiKey,
      KENTRO_QUEUE_ID: String(this.fakeKentro.queueId),
      KENTRO_PIPELINE_ID: String(this.fakeKentro.pipelineId),
      KENTRO_STAGE_MARGIN_FOUND: String(FAKE_KENTRO_STAGES.marginFound),
      KENTRO_STAGE_NO_MARGIN: String(FAKE_KENTRO_STAGES.noMargin),
      KENTRO_STAGE_SIMULATED: String(FAKE_KENTRO_STAGES.simulated),
      KENTRO_STAGE_PROPOSAL: String(FAKE_KENTRO_STAGES.proposal),
      KENTRO_STAGE_PAID: String(FAKE_KENTRO_STAGES.paid),
      KENTRO_STAGE_FAILED: String(FAKE_KENTRO_STAGES.failed),
      KENTRO_STAGE_NEEDS_DATA: String(FAKE_KENTRO_STAGES.needsData),
      KENTRO_FORM_FIELDS: FAKE_KENTRO_FORM_FIELDS_JSON,
      KENTRO_WA_TEMPLATE_ID: String(FAKE_KENTRO_TEMPLATE_ID),
      FLOW_POLL_FIRST_MS: '3000',
      FLOW_POLL_MAX_MS: '3000',
      FLOW_MARGIN_TIMEOUT_S: '30',
      ...this.o.config,
    };
    return Object.entries(lines)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
  }

  /** Starts an app on the data directory (a second call after stopApp() is a restart). */
  async startApp(): Promise<RunningApp> {
    if (this.current) throw new Error('an app is already running');
    const config = toAppConfig(parseConfigText(this.configText(), 'config-6000.env'), {
      port: 6000,
      configDir: '/nonexistent',
      dataDir: this.dataDir,
      logDir: this.logDir,
    });
    const {
      logger,
      redactor,
      close: closeLogger,
    } = createLogger({
      port: 6000,
      clientName: config.clientName,
      level: 'debug',
      logDir: this.logDir,
      stdout: false,
    });
    registerConfigSecrets(redactor, config);
    const runtime = composeRuntime({
      config,
      logger,
      redactor,
      clock: this.o.clock ?? systemClock,
      // Short sleeps and cool-downs: tests that make V8 or Kentro fail go on a moment later.
      v8: { sleep: (ms) => sleep(Math.min(ms, 50)), breaker: { coolDownMs: 100 } },
      kentro: { retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 }, confirmDelayMs: 10 },
      flow: { ...TEST_SETTINGS, ...this.o.settings },
    });
    const { store, v8, flow, webhooks } = runtime;
    const service = await startService(runtime, {
      port: 0,
      host: '127.0.0.1',
      workers: this.o.workers !== false,
      ticks: { ...TEST_TICKS, ...this.o.ticks },
      // Tests end at once: open connections (SSE streams) are not waited for.
      graceMs: 0,
      // ...but the workers always finish their item: nothing may log after the logger closed.
      workerGraceMs: 600_000,
      beforeWorkers: async (url) => {
        if (this.o.registerWebhooks ?? true) {
          const hook = `${url}/webhooks/v8/${WEBHOOK_SECRET}`;
          await v8.client.registerWebhook('consult', hook);
          await v8.client.registerWebhook('operation', hook);
        }
      },
    });
    // As the launcher does: events left unprocessed by the previous app are processed now.
    await service.replayed;
    let stopped = false;
    const running: RunningApp = {
      url: service.url,
      store,
      flow,
      v8,
      webhooks,
      workers: service.workers,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await service.stop();
        await closeLogger();
      },
    };
    this.current = running;
    return running;
  }

  async stopApp(): Promise<void> {
    const app = this.current;
    this.current = undefined;
    await app?.stop();
  }

  async close(): Promise<void> {
    await this.stopApp();
    await this.fakeV8.close();
    await this.fakeKentro.close();
    rmSync(path.dirname(this.dataDir), { recursive: true, force: true });
  }

  async call<T = Record<string, unknown>>(method: string, p: string, body?: unknown): Promise<HttpAnswer<T>> {
    const res = await fetch(`${this.app.url}/api/v1${p}`, {
      method,
      headers: {
        authorization: `Bearer ${API_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** POSTs a raw webhook body, as V8 would (no auth). */
  async webhook(payload: unknown, secret = WEBHOOK_SECRET): Promise<HttpAnswer> {
    const res = await fetch(`${this.app.url}/webhooks/v8/${encodeURIComponent(secret)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async startFlow(cpf: string, options?: Record<string, unknown>): Promise<string> {
    const r = await this.call<{ id: string }>('POST', '/flows', { cpf, ...(options ? { options } : {}) });
    if (r.status !== 202) throw new Error(`POST /flows answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body.id;
  }

  async flow(id: string): Promise<FlowView> {
    const r = await this.call<FlowView>('GET', `/flows/${id}`);
    if (r.status !== 200) throw new Error(`GET /flows/${id} answered ${r.status}`);
    return r.body;
  }

  /** Waits until the flow completed and every CRM update it queued left the queue. */
  async settled(id: string, timeoutMs = 10_000): Promise<FlowView> {
    let last: FlowView | undefined;
    await waitUntil(
      async () => {
        last = await this.flow(id);
        return !last.active && last.crm.every((c) => c.status !== 'pending');
      },
      timeoutMs,
      () => `flow ${id} did not settle: ${JSON.stringify(last)}\n${this.logTail()}`,
    );
    return last as FlowView;
  }

  /** Consults the fake V8 holds for a CPF. */
  consultsAtV8(cpf: string): Record<string, unknown>[] {
    return this.fakeV8.state().consults.filter((c) => c.documentNumber === cpf);
  }

  opportunity(id: number): KentroOpp {
    const opps = (this.fakeKentro.state() as { opportunities: KentroOpp[] }).opportunities;
    const o = opps.find((x) => x.id === id);
    if (!o) throw new Error(`no opportunity ${id} at the fake Kentro`);
    return o;
  }

  /** Every request the fake Kentro received matches the spec of its operation. */
  assertKentroSpec(): number {
    const requests = this.fakeKentro.requests();
    for (const r of requests) {
      if (!r.op) throw new Error(`Kentro got a call to an unknown path ${r.path}`);
      assertKentroRequest(r.op, r.body);
    }
    return requests.length;
  }

  logTail(lines = 40): string {
    try {
      const text = readFileSync(path.join(this.logDir, 'combined-6000.log'), 'utf8').trim().split('\n');
      return text.slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

export interface KentroOpp {
  id: number;
  title: string;
  mainmail: string;
  fkStage: number;
  value: number;
  formsdata: Record<string, string>;
  notes: { note: string }[];
  stageHistory: unknown[];
}

export { waitUntil };
