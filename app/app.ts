import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Clock } from './adapters/clock.ts';
import type { AppConfig } from './config/app-config.ts';
import { accessLog } from './http/middleware/access-log.ts';
import { bearerAuth } from './http/middleware/bearer-auth.ts';
import { errorHandler, notFound } from './http/middleware/error-handler.ts';
import { requestId } from './http/middleware/request-id.ts';
import { healthRoutes } from './http/routes/health.ts';
import type { Logger } from './logging/logger.ts';
import type { Redactor } from './logging/redact.ts';

/** Everything the HTTP layer needs, built by the launcher (or by a test) and handed in. */
export interface AppDeps {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly clock: Clock;
  readonly startedAt: number;
}

export const BODY_LIMIT = '1mb';

/** Builds the express app without any I/O: no listen, no file, no network. */
export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.http.trustProxy);
  app.use(requestId());
  app.use(accessLog(deps.logger));
  app.use(helmet());

  app.use(healthRoutes(deps));

  const api = express.Router();
  // Authentication comes before body parsing: an anonymous caller gets 401, not a parse error.
  api.use(bearerAuth(() => deps.config.http.apiToken));
  api.use(express.json({ limit: BODY_LIMIT }));
  app.use('/api/v1', api);

  app.use(notFound());
  app.use(errorHandler(deps.logger, deps.redactor));
  return app;
}
