import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../domain/app-error.ts';
import {
  dropParked,
  listOutbox,
  type ParkedActionResult,
  retryParked,
} from '../../use-cases/outbox/parked-outbox.ts';
import { requireSession } from '../middleware/session.ts';
import { parseInput } from '../validation.ts';
import type { ConsoleContext } from './console-context.ts';

const idParams = z.object({
  id: z.coerce
    .number({ error: 'não é um item da fila do CRM' })
    .int('não é um item da fila do CRM')
    .min(1, 'não é um item da fila do CRM')
    .max(Number.MAX_SAFE_INTEGER, 'não é um item da fila do CRM'),
});

/** Parked rows shown at most (the API lists more). */
export const CONSOLE_PARKED_LIMIT = 100;

const SITUACAO: Record<string, string> = {
  pending: 'na fila',
  delivered: 'entregue',
  parked: 'parado',
  dropped: 'descartado',
};

function answer(r: ParkedActionResult) {
  if (r.ok) return r.item;
  if (r.why === 'not_found') throw new AppError('not_found', 'item não encontrado na fila do CRM');
  throw new AppError(
    'conflict',
    `este item está ${SITUACAO[r.status] ?? r.status}: só um item parado pode ser reenviado ou descartado`,
    { detail: { status: r.status } },
  );
}

/**
 * "Pendências do CRM" in the Painel: the parked CRM updates, and the operator's retry / drop. Session
 * (401) on every route, CSRF (403) on the POSTs; middleware per route so other /api paths pass through.
 */
export function consoleOutboxRoutes(ctx: ConsoleContext): Router {
  const router = Router();
  const signedIn = requireSession();
  const deps = () => {
    const { store, clock, logger } = ctx.deps;
    if (!store) throw new AppError('not_configured', 'fila do CRM indisponível neste serviço');
    return { store, clock, logger };
  };

  router.get('/outbox', signedIn, (_req, res) => {
    res.json(listOutbox(deps(), { status: 'parked', limit: CONSOLE_PARKED_LIMIT }));
  });

  router.post('/outbox/:id/retry', signedIn, ctx.csrf.protect, (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    res.json(answer(retryParked(deps(), id, 'console')));
  });

  router.post('/outbox/:id/drop', signedIn, ctx.csrf.protect, (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    res.json(answer(dropParked(deps(), id, 'console')));
  });

  return router;
}
