import { type RequestHandler, Router } from 'express';
import type { AppDeps } from '../../app.ts';
import { authorizeConsult } from '../../use-cases/authorize-consult.ts';
import { createConsult } from '../../use-cases/create-consult.ts';
import { getConsult } from '../../use-cases/get-consult.ts';
import { listConsults } from '../../use-cases/list-consults.ts';
import { parseInput } from '../validation.ts';
import { v8Access } from './v8-guard.ts';
import { createConsultBody, idParams, listConsultsQuery } from './v8-schemas.ts';

export function v8ConsultRoutes(deps: AppDeps, guard: RequestHandler): Router {
  const router = Router();
  const ctx = () => ({ defaultProvider: v8Access(deps).credentials().provider, clock: deps.clock });

  router.post('/consults', guard, async (req, res) => {
    const body = parseInput(createConsultBody, req.body);
    const result = await createConsult(v8Access(deps).client, body, ctx());
    res.status(result.existing ? 200 : 201).json(result);
  });

  router.post('/consults/:id/authorize', guard, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    res.json(await authorizeConsult(v8Access(deps).client, id));
  });

  router.get('/consults', guard, async (req, res) => {
    const query = parseInput(listConsultsQuery, req.query, 'query');
    res.json(await listConsults(v8Access(deps).client, query, ctx()));
  });

  router.get('/consults/:id', guard, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    res.json(await getConsult(v8Access(deps).client, id));
  });

  return router;
}
