// The real app for browser tests, built as app/main.ts builds it: a config file in a temp config
// directory plus the console overrides in a temp data volume (so "Salvar" really persists), the
// store, the CLT flow, the real workers with short ticks, against the in-process fake V8 and fake
// Kentro on 127.0.0.1.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../app/adapters/clock.ts';
import type { Store } from '../../app/adapters/store/store.ts';
import { loadEffectiveConfig } from '../../app/config/effective-config.ts';
import { hashPassword } from '../../app/domain/password-hash.ts';
import { createLogger } from '../../app/logging/logger.ts';
import { composeRuntime } from '../../app/runtime.ts';
import { startService } from '../../app/service.ts';
import {
  FAKE_KENTRO_FORM_FIELDS_JSON,
  FAKE_KENTRO_STAGES,
  type FakeKentroHandle,
  startFakeKentro,
} from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import {
  DEFAULT_ACCOUNTS,
  DEFAULT_CLIENT_ID,
  type FakeV8Handle,
  startFakeV8,
} from '../../sandbox/fake-v8/fake-v8-server.ts';
import { SCENARIOS, TEST_SETTINGS, TEST_TICKS } from '../support/flow-harness.ts';

export const E2E_PORT = 6590;
export const ADMIN_PASSWORD = 'e2e-admin-senha-CANARY-31';
export const API_TOKEN = 'e2e-api-token-CANARY-0123456789abcdef';
export const WEBHOOK_SECRET = 'e2e-webhook-secret-CANARY-77';
export const ACCOUNT_A = DEFAULT_ACCOUNTS[0] as { username: string; password: string };
/** The login the operator switches to in the console (masked it reads differently from A's). */
export const ACCOUNT_B = { username: 'operador.novo@corban.example', password: 'nova-senha-V8-CANARY-42' };

export interface E2eApp {
  readonly url: string;
  readonly fakeV8: FakeV8Handle;
  readonly fakeKentro: FakeKentroHandle;
  readonly store: Store;
  readonly dataDir: string;
  /** Every value that must never reach the browser. */
  readonly secrets: readonly string[];
  close(): Promise<void>;
}

export async function startE2eApp(): Promise<E2eApp> {
  const fakeV8 = await startFakeV8({
    stepMs: 30,
    operationStepMs: 50,
    webhookRetryMs: 50,
    webhookTimeoutMs: 1000,
    accounts: [ACCOUNT_A, ACCOUNT_B],
    scenarios: SCENARIOS,
  });
  const fakeKentro = await startFakeKentro();
  const root = mkdtempSync(path.join(tmpdir(), 'cltv8-e2e-'));
  const settings = {
    port: E2E_PORT,
    configDir: path.join(root, 'config'),
    dataDir: path.join(root, 'data'),
    logDir: path.join(root, 'logs'),
  };
  const adminHash = hashPassword(ADMIN_PASSWORD);
  const lines: Record<string, string> = {
    PORT: String(E2E_PORT),
    CLIENT_NAME: 'Corban E2E',
    API_TOKEN,
    ADMIN_PASSWORD_HASH: adminHash,
    WEBHOOK_SECRET,
    V8_AUTH_URL: `${fakeV8.url}/oauth/token`,
    V8_BASE_URL: fakeV8.url,
    V8_CLIENT_ID: DEFAULT_CLIENT_ID,
    V8_USERNAME: ACCOUNT_A.username,
    V8_PASSWORD: ACCOUNT_A.password,
    V8_MAX_RPS: '50',
    V8_MAX_CONCURRENCY: '8',
    KENTRO_BASE_URL: fakeKentro.url,
    KENTRO_API_KEY: fakeKentro.apiKey,
    KENTRO_QUEUE_ID: String(fakeKentro.queueId),
    KENTRO_PIPELINE_ID: String(fakeKentro.pipelineId),
    KENTRO_STAGE_MARGIN_FOUND: String(FAKE_KENTRO_STAGES.marginFound),
    KENTRO_STAGE_NO_MARGIN: String(FAKE_KENTRO_STAGES.noMargin),
    KENTRO_STAGE_SIMULATED: String(FAKE_KENTRO_STAGES.simulated),
    KENTRO_STAGE_PROPOSAL: String(FAKE_KENTRO_STAGES.proposal),
    KENTRO_STAGE_PAID: String(FAKE_KENTRO_STAGES.paid),
    KENTRO_STAGE_FAILED: String(FAKE_KENTRO_STAGES.failed),
    KENTRO_FORM_FIELDS: FAKE_KENTRO_FORM_FIELDS_JSON,
    FLOW_POLL_FIRST_MS: '3000',
    FLOW_POLL_MAX_MS: '3000',
    FLOW_MARGIN_TIMEOUT_S: '30',
  };
  for (const d of [settings.configDir, settings.dataDir, settings.logDir]) mkdirSync(d, { recursive: true });
  writeFileSync(
    path.join(settings.configDir, `config-${E2E_PORT}.env`),
    `${Object.entries(lines)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );

  const { effective } = loadEffectiveConfig(settings);
  const config = effective.current();
  const {
    logger,
    redactor,
    close: closeLogger,
  } = createLogger({
    port: E2E_PORT,
    clientName: config.clientName,
    level: 'info',
    logDir: settings.logDir,
    stdout: false,
  });
  const secrets = [
    ADMIN_PASSWORD,
    adminHash,
    API_TOKEN,
    WEBHOOK_SECRET,
    ACCOUNT_A.password,
    ACCOUNT_B.password,
    fakeKentro.apiKey,
    DEFAULT_CLIENT_ID,
  ];
  for (const s of secrets) redactor.addSecret(s);
  const runtime = composeRuntime({
    config,
    effective,
    logger,
    redactor,
    clock: systemClock,
    v8: { sleep: (ms) => sleep(Math.min(ms, 50)), breaker: { coolDownMs: 100 } },
    kentro: { retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 }, confirmDelayMs: 10 },
    flow: TEST_SETTINGS,
  });
  const { store, v8 } = runtime;
  const service = await startService(runtime, {
    port: 0,
    host: '127.0.0.1',
    ticks: TEST_TICKS,
    graceMs: 0,
    // ...but the workers always finish their item: nothing may log after the logger closed.
    workerGraceMs: 600_000,
    beforeWorkers: async (url) => {
      const hook = `${url}/webhooks/v8/${WEBHOOK_SECRET}`;
      await v8.client.registerWebhook('consult', hook);
      await v8.client.registerWebhook('operation', hook);
    },
  });
  const url = service.url;

  let closed: Promise<void> | undefined;
  return {
    url,
    fakeV8,
    fakeKentro,
    store,
    dataDir: settings.dataDir,
    secrets,
    close: () => {
      closed ??= (async () => {
        await service.stop();
        await closeLogger();
        await fakeV8.close();
        await fakeKentro.close();
        rmSync(root, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
