import { Router } from 'express';
import { z } from 'zod';
import { OUTBOX_STATUSES } from '../../adapters/store/outbox-repository.ts';
import { AppError } from '../../domain/app-error.ts';
import {
  dropParked,
  listOutbox,
  type OutboxAdminDeps,
  type ParkedActionResult,
  retryParked,
} from '../../use-cases/outbox/parked-outbox.ts';
import type { AppDeps } from '../app-deps.ts';
import { parseInput } from '../validation.ts';

export const outboxListQuery = z.object({
  status: z
    .enum(OUTBOX_STATUSES, { error: `must be one of ${OUTBOX_STATUSES.join(', ')}` })
    .optional()
    .meta({ description: 'only rows in this status (parked: waiting for an operator); default all' }),
  limit: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .default(50),
});

export const outboxIdParams = z.object({
  id: z.coerce
    .number({ error: 'must be an outbox row id' })
    .int('must be an outbox row id')
    .min(1, 'must be an outbox row id')
    .max(Number.MAX_SAFE_INTEGER, 'must be an outbox row id'),
});

export function outboxAdminDeps(deps: AppDeps): OutboxAdminDeps {
  if (!deps.store) {
    throw new AppError('not_configured', 'the CRM outbox is not available in this build of the service');
  }
  return { store: deps.store, clock: deps.clock, logger: deps.logger };
}

function answer(r: ParkedActionResult, id: number) {
  if (r.ok) return r.item;
  if (r.why === 'not_found') throw new AppError('not_found', `no outbox row ${id}`);
  throw new AppError(
    'conflict',
    `outbox row ${id} is ${r.status}, not parked: only a parked row can be retried or dropped`,
    {
      detail: { status: r.status },
    },
  );
}

/** Operator side of the CRM outbox (behind the bearer token): parked rows, retry, drop. */
export function outboxAdminRoutes(deps: AppDeps): Router {
  const router = Router();

  router.get('/outbox', (req, res) => {
    const q = parseInput(outboxListQuery, req.query, 'query');
    res.json(listOutbox(outboxAdminDeps(deps), q));
  });

  router.post('/outbox/:id/retry', (req, res) => {
    const { id } = parseInput(outboxIdParams, req.params, 'id');
    res.json(answer(retryParked(outboxAdminDeps(deps), id, 'api'), id));
  });

  router.post('/outbox/:id/drop', (req, res) => {
    const { id } = parseInput(outboxIdParams, req.params, 'id');
    res.json(answer(dropParked(outboxAdminDeps(deps), id, 'api'), id));
  });

  return router;
}
