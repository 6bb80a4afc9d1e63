import { Router } from 'express';
import type { AppDeps } from '../../app.ts';
import { describeHealth } from '../../use-cases/describe-health.ts';

export function healthRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    // The effective config: a V8 login saved in the console shows here at once.
    res.json(describeHealth(deps.effective?.current() ?? deps.config, deps.clock, deps.startedAt));
  });
  return router;
}
