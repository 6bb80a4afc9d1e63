import { Router } from 'express';
import { isAppError } from '../../../domain/app-error.ts';
import { requireFlowDeps } from '../../../use-cases/flow/flow-deps.ts';
import {
  hasSimulationData,
  toCacheEntry,
  toLegacySimulation,
} from '../../../use-cases/legacy/legacy-simulation.ts';
import {
  deleteCachedSimulation,
  getCachedSimulation,
  listCachedSimulations,
  listProposals,
  saveCachedSimulation,
  updateCachedSimulation,
} from '../../../use-cases/legacy/simulation-cache.ts';
import type { AppDeps } from '../../app-deps.ts';
import { ok, oldError } from './envelope.ts';
import { cpfOnly, listQuery, objectBody, parseLegacy, salvarInput } from './schemas.ts';

/**
 * The old simulation cache (server-5000.js:240-532, utils/cache-simulacoes.js): one entry per CPF
 * {cpf, consultId, dadosSimulacao, dadosCliente, timestamp, status}, kept in the simulations table.
 */

const MISSING = 'Simulação não encontrada no cache';

/** The old route's own status and texts when the CPF has no entry. */
function whenMissing<T>(run: () => T, message: string, status?: number): T {
  try {
    return run();
  } catch (err) {
    if (isAppError(err) && err.code === 'not_found')
      throw oldError('not_found', message, { status, erro: MISSING });
    throw err;
  }
}

export function cacheRoutes(deps: AppDeps): Router {
  const router = Router();
  const fd = () => requireFlowDeps(deps.flow);

  router.post('/cache/simulacao/salvar', (req, res) => {
    const b = parseLegacy(salvarInput, req.body) as Record<string, unknown> & { cpf: string };
    if (!hasSimulationData(b)) {
      throw oldError('invalid_data', 'CPF, consultId e dadosSimulacao são obrigatórios', {
        fields: [
          {
            field: 'dadosSimulacao',
            reason: 'é obrigatório (ou envie valor_liberado, valor_parcela e prazo)',
          },
        ],
      });
    }
    const sim = saveCachedSimulation(fd(), b.cpf, b);
    ok(res, 'Simulação e dados do cliente salvos no cache com sucesso', {
      dados: { cpf: b.cpf, consultId: sim.consultId },
      resultado: toLegacySimulation(sim),
    });
  });

  router.get('/cache/simulacao/:cpf', (req, res) => {
    const { cpf } = parseLegacy(cpfOnly, req.params, 'cpf');
    const entry = whenMissing(() => toCacheEntry(fd().store, getCachedSimulation(fd(), cpf)), MISSING);
    ok(res, 'Simulação encontrada no cache', { dados: entry, resultado: entry });
  });

  router.put('/cache/simulacao/:cpf', (req, res) => {
    const { cpf } = parseLegacy(cpfOnly, req.params, 'cpf');
    const update = parseLegacy(objectBody, req.body) as Record<string, unknown>;
    if (Object.keys(update).length === 0) {
      throw oldError('invalid_data', 'Dados para atualização são obrigatórios', {
        fields: [{ field: 'body', reason: 'Dados para atualização são obrigatórios' }],
      });
    }
    // The old route answered 500 for a CPF without an entry; callers may test for it (kept).
    const sim = whenMissing(
      () => updateCachedSimulation(fd(), cpf, update),
      'Erro ao atualizar simulação no cache',
      500,
    );
    ok(res, 'Simulação atualizada no cache com sucesso', {
      dados: { cpf },
      resultado: toCacheEntry(fd().store, sim),
    });
  });

  router.delete('/cache/simulacao/:cpf', (req, res) => {
    const { cpf } = parseLegacy(cpfOnly, req.params, 'cpf');
    const removed = whenMissing(
      () => deleteCachedSimulation(fd(), cpf),
      'Erro ao remover simulação do cache',
    );
    ok(res, 'Simulação removida do cache com sucesso', { resultado: { cpf, removidas: removed } });
  });

  router.get('/cache/simulacoes', (req, res) => {
    const q = parseLegacy(listQuery, req.query, 'query');
    const page = listCachedSimulations(fd(), q);
    const simulacoes = page.items.map((s) => toCacheEntry(fd().store, s));
    ok(res, 'Simulações listadas com sucesso', {
      total: page.total,
      simulacoes,
      resultado: { total: page.total, simulacoes },
    });
  });

  router.get('/cache/propostas', (req, res) => {
    const q = parseLegacy(listQuery, req.query, 'query');
    const p = listProposals(fd(), q);
    ok(res, 'Propostas listadas com sucesso', {
      total: p.propostas.length,
      empresas: p.empresas,
      propostas: p.propostas,
    });
  });
  return router;
}
