import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Clock } from './adapters/clock.ts';
import type { V8Access } from './adapters/v8/create-v8.ts';
import type { AppConfig } from './config/app-config.ts';
import { accessLog } from './http/middleware/access-log.ts';
import { bearerAuth } from './http/middleware/bearer-auth.ts';
import { errorHandler, notFound } from './http/middleware/error-handler.ts';
import { requestId } from './http/middleware/request-id.ts';
import { healthRoutes } from './http/routes/health.ts';
import { v8Routes } from './http/routes/v8-routes.ts';
import type { Logger } from './logging/logger.ts';
import type { Redactor } from './logging/redact.ts';

/** Everything the HTTP layer needs, built by the launcher (or by a test) and handed in. */
export interface AppDeps {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly clock: Clock;
  readonly startedAt: number;
  /** This client's V8 stack (client + token cache); without it the V8 routes answer 503. */
  readonly v8?: V8Access;
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
  api.use(v8Routes(deps));
  app.use('/api/v1', api);

  app.use(notFound());
  app.use(errorHandler(deps.logger, deps.redactor));
  return app;
}
