import { Router } from 'express';
import type { AppDeps } from '../app-deps.ts';
import { openApiDocument } from '../openapi.ts';
import { v8AdminRoutes } from './v8-admin.ts';
import { v8ConsultRoutes } from './v8-consults.ts';
import { requireV8 } from './v8-guard.ts';
import { v8OperationRoutes } from './v8-operations.ts';
import { v8SimulationRoutes } from './v8-simulations.ts';

/** Every V8 route of `/api/v1` (behind bearer auth) plus the OpenAPI document describing them. */
export function v8Routes(deps: AppDeps): Router {
  const router = Router();
  const guard = requireV8(deps);
  let doc: unknown;
  router.get('/openapi.json', (_req, res) => {
    doc ??= openApiDocument(deps.config.version);
    res.json(doc);
  });
  router.use(v8AdminRoutes(deps, guard));
  router.use(v8ConsultRoutes(deps, guard));
  router.use(v8SimulationRoutes(deps, guard));
  router.use(v8OperationRoutes(deps, guard));
  return router;
}
