import { Router } from 'express';
import { describeHealth } from '../../use-cases/describe-health.ts';
import type { AppDeps } from '../app-deps.ts';
import { bearerAuth } from '../middleware/bearer-auth.ts';

/**
 * GET /health: liveness for anyone (Docker's healthcheck, make, a load balancer): `{status: "ok"}`
 * and nothing about the client. With this client's bearer token (any Authorization header is
 * checked) it also says which client this is: name, port, config file, masked V8 login, version.
 */
export function healthRoutes(deps: AppDeps): Router {
  const router = Router();
  const auth = bearerAuth(() => deps.config.http.apiToken);
  router.get('/health', (req, res, next) => {
    if (req.get('authorization') === undefined) {
      res.json({ status: 'ok' });
      return;
    }
    auth(req, res, (err?: unknown) => {
      if (err) {
        next(err);
        return;
      }
      // The effective config: a V8 login saved in the console shows here at once.
      res.json(describeHealth(deps.effective?.current() ?? deps.config, deps.clock, deps.startedAt));
    });
  });
  return router;
}
