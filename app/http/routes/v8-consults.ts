import { type Request, type RequestHandler, type Response, Router } from 'express';
import type { ConsentProof } from '../../domain/evidence-chain.ts';
import { authorizeConsult } from '../../use-cases/authorize-consult.ts';
import { createConsult } from '../../use-cases/create-consult.ts';
import { type EvidenceRecorder, recorderFor } from '../../use-cases/evidence/consent-evidence.ts';
import { getConsult } from '../../use-cases/get-consult.ts';
import { listConsults } from '../../use-cases/list-consults.ts';
import type { AppDeps } from '../app-deps.ts';
import { requestEvidenceContext } from '../evidence-context.ts';
import { parseInput } from '../validation.ts';
import { v8Access } from './v8-guard.ts';
import { authorizeConsultBody, createConsultBody, idParams, listConsultsQuery } from './v8-schemas.ts';

export function v8ConsultRoutes(deps: AppDeps, guard: RequestHandler): Router {
  const router = Router();
  const ctx = () => ({ defaultProvider: v8Access(deps).credentials().provider, clock: deps.clock });
  const store = deps.store;
  const evidence = (req: Request, res: Response, consent: ConsentProof | undefined) =>
    store
      ? recorderFor(
          { store, clock: deps.clock, logger: deps.logger },
          requestEvidenceContext(req, res, consent),
        )
      : undefined;

  router.post('/consults', guard, async (req, res) => {
    const { consent, ...cmd } = parseInput(createConsultBody, req.body);
    const result = await createConsult(v8Access(deps).client, cmd, {
      ...ctx(),
      evidence: evidence(req, res, consent),
    });
    res.status(result.existing ? 200 : 201).json(result);
  });

  router.post('/consults/:id/authorize', guard, async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    const { consent } = parseInput(authorizeConsultBody, req.body ?? {});
    const recorder: EvidenceRecorder | undefined = evidence(req, res, consent);
    res.json(await authorizeConsult(v8Access(deps).client, id, recorder));
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
