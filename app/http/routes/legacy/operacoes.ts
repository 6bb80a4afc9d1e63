import { Router } from 'express';
import { listLegacyOperations } from '../../../use-cases/legacy/list-legacy-operations.ts';
import type { AppDeps } from '../../app-deps.ts';
import { v8Access } from '../v8-guard.ts';
import { ok } from './envelope.ts';
import { operacoesQuery, parseLegacy } from './schemas.ts';

/** GET /v8/operacoes (old: server-5000.js:439-501): V8's operations, old item shape, newest first. */
export function operacoesRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/v8/operacoes', async (req, res) => {
    const q = parseLegacy(operacoesQuery, req.query, 'query');
    const r = await listLegacyOperations(v8Access(deps), q, deps.clock);
    const body = { total: r.operacoes.length, empresas: [r.provider], operacoes: r.operacoes };
    ok(res, 'Operações listadas com sucesso', {
      ...body,
      resultado: { ...body, janela: { inicio: r.window.from, fim: r.window.to }, pagina: r.page },
    });
  });
  return router;
}
