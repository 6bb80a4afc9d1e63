import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Clock } from './adapters/clock.ts';
import type { KentroClient } from './adapters/kentro/kentro-client.ts';
import type { Metrics } from './adapters/metrics/metrics.ts';
import type { Store } from './adapters/store/store.ts';
import type { V8Access } from './adapters/v8/create-v8.ts';
import type { HostResolver } from './adapters/v8/v8-host-guard.ts';
import type { FetchToken } from './adapters/v8/v8-token-cache.ts';
import type { AppConfig } from './config/app-config.ts';
import type { EffectiveConfig } from './config/effective-config.ts';
import { accessLog } from './http/middleware/access-log.ts';
import { bearerAuth } from './http/middleware/bearer-auth.ts';
import { errorHandler, notFound } from './http/middleware/error-handler.ts';
import { requestId } from './http/middleware/request-id.ts';
import type { SessionOptions } from './http/middleware/session.ts';
import { batchRoutes } from './http/routes/batches.ts';
import { configApiRoutes } from './http/routes/config-api.ts';
import { consoleRoutes } from './http/routes/console.ts';
import { consoleContext } from './http/routes/console-context.ts';
import { flowRoutes } from './http/routes/flows.ts';
import { healthRoutes } from './http/routes/health.ts';
import { legacyCltRoutes } from './http/routes/legacy-clt.ts';
import { legacyConfigRoutes } from './http/routes/legacy-config.ts';
import { httpMetrics, metricsRoutes } from './http/routes/metrics.ts';
import { v8Routes } from './http/routes/v8-routes.ts';
import { webhookRoutes } from './http/routes/webhooks.ts';
import { webhookAdminRoutes } from './http/routes/webhooks-admin.ts';
import type { Logger } from './logging/logger.ts';
import type { Redactor } from './logging/redact.ts';
import type { FlowDeps } from './use-cases/flow/flow-deps.ts';
import type { WebhookProcessor } from './use-cases/webhooks/webhook-processor.ts';

/** Everything the HTTP layer needs, built by the launcher (or by a test) and handed in. */
export interface AppDeps {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly clock: Clock;
  readonly startedAt: number;
  /** This client's V8 stack (client + token cache); without it the V8 routes answer 503. */
  readonly v8?: V8Access;
  /**
   * Config file + /config-v8 overrides (the V8 credentials provider must read it too); without it
   * the console shows `config` and cannot save.
   */
  readonly effective?: EffectiveConfig;
  /** Password grant used by "Testar conexão"; by default a real one on its own V8 transport. */
  readonly v8Probe?: FetchToken;
  /** Name resolution used to check V8 URLs typed into the console; the system resolver by default. */
  readonly resolveHost?: HostResolver;
  readonly consoleSessions?: Partial<Omit<SessionOptions, 'clock'>>;
  /** This client's durable store (flows, consults, simulations per CPF, webhook log, CRM outbox). */
  readonly store?: Store;
  readonly kentro?: KentroClient;
  /** What the CLT flow needs (store, V8, Kentro, settings); without it the flow routes answer 503. */
  readonly flow?: FlowDeps;
  /** Background processing of stored V8 webhooks; without it events are stored for a later replay. */
  readonly webhooks?: WebhookProcessor;
  /** Prometheus metrics; without them /metrics answers 404. */
  readonly metrics?: Metrics;
}

export const BODY_LIMIT = '1mb';

/** Builds the express app without any I/O: no listen, no file, no network. */
export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // One trusted hop (the TLS proxy in front), not "any": with `true`, req.ip would be the left-most
  // X-Forwarded-For entry, which the caller writes, and the console's per-IP login limit would be moot.
  app.set('trust proxy', deps.config.http.trustProxy ? 1 : false);
  app.use(requestId());
  if (deps.metrics) app.use(httpMetrics(deps.metrics));
  app.use(accessLog(deps.logger));
  app.use(helmet());

  app.use(healthRoutes(deps));
  if (deps.metrics) {
    app.use(metricsRoutes(deps.metrics, () => [deps.config.http.metricsToken, deps.config.http.apiToken]));
  }
  // V8 sends no credentials: the webhook sits outside the bearer-protected API, gated by its secret path.
  app.use(webhookRoutes(deps));

  const consoleCtx = consoleContext(deps);
  app.use('/config-v8', consoleRoutes(consoleCtx));
  app.use('/config/v8', legacyConfigRoutes(consoleCtx));

  const api = express.Router();
  // Authentication comes before body parsing: an anonymous caller gets 401, not a parse error.
  api.use(bearerAuth(() => deps.config.http.apiToken));
  api.use(express.json({ limit: BODY_LIMIT }));
  api.use(configApiRoutes(consoleCtx.effective));
  api.use(v8Routes(deps));
  api.use(flowRoutes(deps));
  api.use(batchRoutes(deps));
  api.use(webhookAdminRoutes(deps));
  app.use('/api/v1', api);
  // The old service's routes (/clt, /cache, /v8), same bearer token, old {success, message, resultado} envelope.
  app.use(legacyCltRoutes(deps));

  app.use(notFound());
  app.use(errorHandler(deps.logger, deps.redactor));
  return app;
}
