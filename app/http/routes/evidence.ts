import { Router } from 'express';
import { AppError } from '../../domain/app-error.ts';
import { consultEvidenceView } from '../../use-cases/evidence/consent-evidence.ts';
import type { AppDeps } from '../app-deps.ts';
import { parseInput } from '../validation.ts';
import { idParams } from './v8-schemas.ts';

/** Consent evidence of a consult, with the check of the client's chain. Needs the store, not V8. */
export function evidenceRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/consults/:id/evidence', (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    if (!deps.store) throw new AppError('not_configured', 'this build of the service keeps no evidence');
    res.json(consultEvidenceView({ store: deps.store }, id));
  });
  return router;
}
