import { type Request, type Response, Router } from 'express';
import type { FlowOptions } from '../../../domain/flow-steps.ts';
import { requireFlowDeps } from '../../../use-cases/flow/flow-deps.ts';
import { findLegacyOpportunity } from '../../../use-cases/legacy/find-legacy-opportunity.ts';
import { runLegacyFlow } from '../../../use-cases/legacy/legacy-flow.ts';
import type { AppDeps } from '../../app-deps.ts';
import { fluxoAnswer, ok, oldError } from './envelope.ts';
import { cpfOnly, fluxoInput, parseLegacy } from './schemas.ts';

/**
 * POST/GET /clt/fluxo-completo (old: server-clt-5000.js:326-578) and GET /clt/buscar-oportunidade/:cpf.
 * Synchronous as the old one, up to LEGACY_SYNC_TIMEOUT_S; `?async=1` answers 202 "em andamento".
 */

export interface LegacyFluxoOptions {
  /** Wait of `?async=1` calls without aguardar_s (ms). */
  readonly asyncWaitMs?: number;
}

const DEFAULT_ASYNC_WAIT_MS = 25_000;

export function fluxoRoutes(deps: AppDeps, o: LegacyFluxoOptions = {}): Router {
  const router = Router();
  const syncMs = deps.config.legacy.syncTimeoutMs;

  const fluxo = async (req: Request, input: unknown, res: Response) => {
    const b = parseLegacy(fluxoInput, input, req.method === 'GET' ? 'query' : 'body');
    const createOpportunity = b.criarOportunidade ?? b.createOpportunity;
    const sendWhatsapp = b.enviarWhatsapp ?? b.sendWhatsapp;
    const options: FlowOptions = {
      // valor is the instalment, as the old code sent it to V8 (installment_face_value).
      ...(b.valor !== undefined || b.prazo !== undefined
        ? { simulation: { installmentValue: b.valor, installments: b.prazo } }
        : {}),
      ...(createOpportunity !== undefined ? { createOpportunity } : {}),
      ...(sendWhatsapp !== undefined ? { sendWhatsapp } : {}),
    };
    // aguardar_s alone (the 202 behaviour before the synchronous default) still means async.
    const async = b.async ?? b.aguardar_s !== undefined;
    const waitMs = async
      ? b.aguardar_s !== undefined
        ? b.aguardar_s * 1000
        : (o.asyncWaitMs ?? DEFAULT_ASYNC_WAIT_MS)
      : syncMs;
    const a = await runLegacyFlow(requireFlowDeps(deps.flow), { cpf: b.cpf, options, waitMs });
    if (!a.finished && async) {
      const touched = a.flow.steps.filter((s) => s.status !== 'pending').at(-1)?.name ?? null;
      return fluxoAnswer(res, 202, deps.clock, {
        success: true,
        message: 'Fluxo CLT em andamento: acompanhe pelo flow_id ou chame de novo (o mesmo fluxo continua)',
        resultado: {
          flow_id: a.flow.id,
          cpf: a.flow.cpf,
          status: 'em andamento',
          etapa: a.flow.currentStep ?? touched,
        },
      });
    }
    if (!a.finished) {
      const limit = syncMs % 60_000 === 0 ? `${syncMs / 60_000} minutos` : `${syncMs / 1000} segundos`;
      return fluxoAnswer(res, 408, deps.clock, {
        success: false,
        error: `Timeout: processamento excedeu ${limit}`,
        flow_id: a.flow.id,
      });
    }
    if (a.status === 200) {
      return fluxoAnswer(res, 200, deps.clock, {
        success: true,
        message: 'Fluxo CLT executado com sucesso',
        resultado: a.resultado,
      });
    }
    fluxoAnswer(res, a.status, deps.clock, {
      success: false,
      ...(a.erro !== undefined ? { error: a.erro, message: a.erro } : { message: a.motivoFalha }),
      ...(a.etapa ? { etapa: a.etapa } : {}),
      dadosFaltantes: a.dadosFaltantes,
      status_termo: a.statusTermo,
      motivo_falha: a.motivoFalha,
      resultado: a.resultado,
    });
  };

  // `?async=1` on the URL also counts for POST (new callers add it without changing the body).
  router.post('/clt/fluxo-completo', (req, res) => {
    const body = req.body as unknown;
    const asked = req.query.async;
    const input =
      asked !== undefined && typeof body === 'object' && body !== null && !Array.isArray(body)
        ? { async: asked, ...body }
        : body;
    return fluxo(req, input, res);
  });
  router.get('/clt/fluxo-completo', (req, res) => fluxo(req, req.query, res));

  router.get('/clt/buscar-oportunidade/:cpf', async (req, res) => {
    const { cpf } = parseLegacy(cpfOnly, req.params, 'cpf');
    const oportunidade = await findLegacyOpportunity(requireFlowDeps(deps.flow), cpf);
    if (!oportunidade) throw oldError('not_found', 'Oportunidade não encontrada na Kentro');
    ok(res, 'Oportunidade encontrada', { oportunidade });
  });
  return router;
}
