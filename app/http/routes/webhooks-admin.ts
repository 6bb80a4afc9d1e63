import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../domain/app-error.ts';
import type { AppDeps } from '../app-deps.ts';
import { parseInput } from '../validation.ts';

const listQuery = z.object({
  state: z
    .enum(['unprocessed', 'failed', 'processed'], { error: 'must be unprocessed, failed or processed' })
    .optional(),
  limit: z.coerce.number().int('must be a whole number').min(1).max(500).default(50),
});

/** Operator side of the V8 webhook log (behind the bearer token). */
export function webhookAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const ready = () => {
    if (!deps.store || !deps.webhooks) {
      throw new AppError(
        'not_configured',
        'webhook processing is not available in this build of the service',
      );
    }
    return { store: deps.store, webhooks: deps.webhooks };
  };

  /** Reprocesses every event not processed yet (failed, or stored before a crash); returns counts. */
  router.post('/webhooks/replay', async (_req, res) => {
    const { store, webhooks } = ready();
    const report = await webhooks.replay();
    res.json({ ...report, events: store.webhookEvents.counts() });
  });

  router.get('/webhooks/events', (req, res) => {
    const { store } = ready();
    const q = parseInput(listQuery, req.query, 'query');
    const items = store.webhookEvents.list({ state: q.state, limit: q.limit }).map((e) => ({
      id: e.id,
      type: e.type,
      subjectId: e.subjectId,
      receivedAt: new Date(e.receivedAt).toISOString(),
      processedAt: e.processedAt === null ? null : new Date(e.processedAt).toISOString(),
      attempts: e.attempts,
      result: e.result,
      error: e.error,
    }));
    res.json({ items, counts: store.webhookEvents.counts() });
  });

  return router;
}
