import { Router } from 'express';
import type { AppDeps } from '../../app.ts';
import { describeHealth } from '../../use-cases/describe-health.ts';

export function healthRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json(describeHealth(deps.config, deps.clock, deps.startedAt));
  });
  return router;
}
