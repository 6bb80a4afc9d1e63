import express, { type Express } from 'express';
import helmet from 'helmet';
import type { AppDeps } from './http/app-deps.ts';
import { accessLog } from './http/middleware/access-log.ts';
import { bearerAuth } from './http/middleware/bearer-auth.ts';
import { errorHandler, legacyErrorShape, notFound } from './http/middleware/error-handler.ts';
import { requestId } from './http/middleware/request-id.ts';
import { batchRoutes } from './http/routes/batches.ts';
import { configApiRoutes } from './http/routes/config-api.ts';
import { consoleRoutes } from './http/routes/console.ts';
import { consoleContext } from './http/routes/console-context.ts';
import { evidenceRoutes } from './http/routes/evidence.ts';
import { flowRoutes } from './http/routes/flows.ts';
import { healthRoutes } from './http/routes/health.ts';
import { legacyConfigRoutes } from './http/routes/legacy/config.ts';
import { LEGACY_PREFIXES, legacyRoutes } from './http/routes/legacy/index.ts';
import { httpMetrics, metricsRoutes } from './http/routes/metrics.ts';
import { outboxAdminRoutes } from './http/routes/outbox-admin.ts';
import { v8Routes } from './http/routes/v8-routes.ts';
import { webhookRoutes } from './http/routes/webhooks.ts';
import { webhookAdminRoutes } from './http/routes/webhooks-admin.ts';

export const BODY_LIMIT = '1mb';

/** Builds the express app without any I/O: no listen, no file, no network. */
export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Only the configured proxies: a hop count (or `true`) would believe an X-Forwarded-For written by
  // a caller that reaches the port directly, and the console's per-IP sign-in limit would be moot.
  const trusted = deps.config.http.trustProxy;
  app.set('trust proxy', trusted.length > 0 ? [...trusted] : false);
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

  // The old service's paths answer errors (auth, parsing, 404 included) in its old envelope.
  app.use([...LEGACY_PREFIXES, '/config/v8'], legacyErrorShape());

  const consoleCtx = consoleContext(deps);
  app.use('/config-v8', consoleRoutes(consoleCtx));
  app.use('/config/v8', legacyConfigRoutes(consoleCtx));

  const api = express.Router();
  // Authentication comes before body parsing: an anonymous caller gets 401, not a parse error.
  api.use(bearerAuth(() => deps.config.http.apiToken));
  api.use(express.json({ limit: BODY_LIMIT }));
  api.use(configApiRoutes(consoleCtx.effective));
  api.use(evidenceRoutes(deps));
  api.use(v8Routes(deps));
  api.use(flowRoutes(deps));
  api.use(batchRoutes(deps));
  api.use(webhookAdminRoutes(deps));
  api.use(outboxAdminRoutes(deps));
  app.use('/api/v1', api);
  // The old service's routes (/clt, /cache, /v8): the same token and body limit as /api/v1.
  app.use(
    LEGACY_PREFIXES,
    bearerAuth(() => deps.config.http.apiToken),
    express.json({ limit: BODY_LIMIT }),
  );
  app.use(legacyRoutes(deps));

  app.use(notFound());
  app.use(errorHandler(deps.logger, deps.redactor));
  return app;
}
