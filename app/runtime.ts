import type { Express } from 'express';
import { type Clock, systemClock } from './adapters/clock.ts';
import type { KentroClient } from './adapters/kentro/kentro-client.ts';
import { createKentroClient, type KentroClientOptions } from './adapters/kentro/kentro-http-client.ts';
import { Metrics } from './adapters/metrics/metrics.ts';
import { openStore, type Store } from './adapters/store/store.ts';
import { type CreateV8Options, createV8, type V8Access } from './adapters/v8/create-v8.ts';
import { buildApp } from './app.ts';
import type { AppConfig } from './config/app-config.ts';
import type { EffectiveConfig } from './config/effective-config.ts';
import type { AppDeps } from './http/app-deps.ts';
import type { Logger } from './logging/logger.ts';
import type { Redactor } from './logging/redact.ts';
import { buildFlowDeps, type FlowDeps, type FlowSettings } from './use-cases/flow/flow-deps.ts';
import { WebhookProcessor } from './use-cases/webhooks/webhook-processor.ts';
import { startWorkers, type Workers, type WorkerTicks } from './workers/workers.ts';

export interface RuntimeOptions {
  readonly config: AppConfig;
  /** Config file + console overrides; V8 credentials are read from it on every call. */
  readonly effective?: EffectiveConfig;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly clock?: Clock;
  /** Knobs tests and benchmarks turn (short sleeps, breaker cool-down, pacer window and limits). */
  readonly v8?: Partial<Pick<CreateV8Options, 'sleep' | 'breaker' | 'retry' | 'pacerWindowMs' | 'limits'>>;
  readonly kentro?: KentroClientOptions;
  readonly flow?: Partial<FlowSettings>;
  readonly consoleSessions?: AppDeps['consoleSessions'];
}

/** One client's service, wired: adapters, use-case dependencies and the HTTP app. */
export interface Runtime {
  readonly app: Express;
  readonly v8: V8Access;
  readonly store: Store;
  readonly kentro: KentroClient;
  readonly flow: FlowDeps;
  readonly webhooks: WebhookProcessor;
  startWorkers(ticks?: Partial<WorkerTicks>): Workers;
}

/** The service's secrets are cut out of every log line, whatever the caller logs. */
export function registerConfigSecrets(redactor: Redactor, config: AppConfig): void {
  for (const secret of [
    config.http.apiToken,
    config.http.metricsToken,
    config.v8.password,
    config.kentro.apiKey,
    config.webhook.secret,
    config.admin.passwordHash,
  ]) {
    redactor.addSecret(secret);
  }
}

/**
 * The composition root shared by the launcher, the end-to-end test, the component harness and the
 * benchmarks, so that what they exercise is wired exactly like production. Opening the store runs
 * pending migrations (a store that cannot be opened throws).
 */
export function composeRuntime(o: RuntimeOptions): Runtime {
  const { config, logger, redactor } = o;
  const clock = o.clock ?? systemClock;
  const metrics = new Metrics({ port: config.port });
  const v8 = createV8({
    observe: metrics.observeV8,
    credentials: () => (o.effective?.current() ?? config).v8,
    limits: config.v8,
    dataDir: config.dataDir,
    clock,
    redactor,
    logger,
    ...o.v8,
  });
  const store = openStore({ dataDir: config.dataDir, clock });
  const kentro = createKentroClient(config.kentro, { logger, observe: metrics.observeKentro, ...o.kentro });
  metrics.readFrom({
    store: () => store.stats(),
    breakerState: v8.breakerState,
    pacerQueue: () => v8.pacer.waiting,
  });
  const flow = buildFlowDeps({
    config,
    store,
    v8,
    kentro,
    clock,
    logger,
    ...(o.flow ? { settings: o.flow } : {}),
  });
  const webhooks = new WebhookProcessor(flow);
  const app = buildApp({
    config,
    logger,
    redactor,
    clock,
    startedAt: clock.now(),
    v8,
    ...(o.effective ? { effective: o.effective } : {}),
    ...(o.consoleSessions ? { consoleSessions: o.consoleSessions } : {}),
    store,
    kentro,
    flow,
    webhooks,
    metrics,
  });
  return {
    app,
    v8,
    store,
    kentro,
    flow,
    webhooks,
    startWorkers: (ticks) =>
      startWorkers(
        flow,
        { operationsReconcileTickMs: config.v8.operationsReconcileMs, ...ticks },
        config.retention,
      ),
  };
}
