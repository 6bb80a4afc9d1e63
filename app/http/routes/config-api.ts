import { Router } from 'express';
import type { EffectiveConfig } from '../../config/effective-config.ts';
import { describeConfig } from '../../use-cases/console/describe-config.ts';

/**
 * GET /config: every key, its effective value masked per its kind, and its source
 * (file|override|default). Mounted behind the bearer token at /api/v1 and behind a console session
 * at /config-v8/api.
 */
export function configApiRoutes(effective: EffectiveConfig): Router {
  const router = Router();
  router.get('/config', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(
      describeConfig(effective.current(), { location: effective.location, updatedAt: effective.updatedAt() }),
    );
  });
  return router;
}
