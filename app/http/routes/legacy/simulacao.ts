import { Router } from 'express';
import { isAppError } from '../../../domain/app-error.ts';
import { requireFlowDeps } from '../../../use-cases/flow/flow-deps.ts';
import { toCacheEntry, toLegacySimulation } from '../../../use-cases/legacy/legacy-simulation.ts';
import { simulateCustom } from '../../../use-cases/legacy/simulate-custom.ts';
import { getCachedSimulation } from '../../../use-cases/legacy/simulation-cache.ts';
import { toV8WireSimulation } from '../../../use-cases/legacy/v8-wire.ts';
import type { AppDeps } from '../../app-deps.ts';
import { ok, oldError } from './envelope.ts';
import { cpfOnly, parseLegacy, personalizadaInput } from './schemas.ts';

/**
 * POST /clt/simular-personalizada (old: server-5000.js:592-676) and POST /clt/simular-cache
 * (server-5000.js:535-589). `resultado` is V8's simulation answer in V8's names, as the old routes
 * answered it, plus our summary keys (valor_liberado, valor_parcela, prazo, ...).
 */
export function simulacaoRoutes(deps: AppDeps): Router {
  const router = Router();

  router.post('/clt/simular-personalizada', async (req, res) => {
    const b = parseLegacy(personalizadaInput, req.body);
    let r: Awaited<ReturnType<typeof simulateCustom>>;
    try {
      r = await simulateCustom(requireFlowDeps(deps.flow), {
        cpf: b.cpf,
        installments: (b.prazo ?? b.number_of_installments) as number,
        // valor is the instalment, as installment_face_value (the old meaning).
        installmentValue: b.valor ?? b.installment_face_value,
      });
    } catch (err) {
      // The old route answered 400 with its own message for "no approved consult" and V8 refusals.
      if (isAppError(err) && err.code === 'not_found') {
        throw oldError('not_found', 'Nenhum termo aprovado encontrado para simulação', {
          status: 400,
          erro: err.message,
        });
      }
      if (isAppError(err) && (err.code === 'rejected' || err.code === 'invalid_data')) {
        throw oldError('rejected', 'Erro ao criar simulação personalizada', {
          status: 400,
          erro: err.message,
        });
      }
      throw err;
    }
    ok(res, 'Simulação personalizada realizada com sucesso', {
      resultado: {
        ...toV8WireSimulation(r.v8 as unknown as Record<string, unknown>),
        ...toLegacySimulation(r.simulation),
      },
    });
  });

  router.post('/clt/simular-cache', (req, res) => {
    const { cpf } = parseLegacy(cpfOnly, req.body);
    const fd = requireFlowDeps(deps.flow);
    let sim: ReturnType<typeof getCachedSimulation>;
    try {
      sim = getCachedSimulation(fd, cpf);
    } catch (err) {
      if (isAppError(err) && err.code === 'not_found') {
        throw oldError('not_found', 'Simulação não encontrada no cache', {
          erro: 'É necessário ter uma simulação aprovada no cache',
        });
      }
      throw err;
    }
    const entry = toCacheEntry(fd.store, sim);
    ok(res, 'Simulação realizada com sucesso', {
      resultado: {
        ...toV8WireSimulation(entry.dadosSimulacao as Record<string, unknown> | null),
        ...toLegacySimulation(sim),
      },
      dados: entry,
    });
  });
  return router;
}
