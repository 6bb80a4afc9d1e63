import { type RequestHandler, Router } from 'express';
import { listSimulationConfigs } from '../../use-cases/list-simulation-configs.ts';
import { simulate } from '../../use-cases/simulate.ts';
import type { AppDeps } from '../app-deps.ts';
import { parseInput } from '../validation.ts';
import { v8Access } from './v8-guard.ts';
import { simulationBody } from './v8-schemas.ts';

export function v8SimulationRoutes(deps: AppDeps, guard: RequestHandler): Router {
  const router = Router();

  router.get('/simulation-configs', guard, async (_req, res) => {
    res.json(await listSimulationConfigs(v8Access(deps).client));
  });

  router.post('/simulations', guard, async (req, res) => {
    const body = parseInput(simulationBody, req.body);
    const v8 = v8Access(deps);
    res.status(201).json(await simulate(v8.client, body, { defaultProvider: v8.credentials().provider }));
  });

  return router;
}
