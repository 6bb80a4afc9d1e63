import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type RequestHandler, Router } from 'express';
import { AppError } from '../../domain/app-error.ts';
import { receiveWebhook } from '../../use-cases/webhooks/receive-webhook.ts';
import type { AppDeps } from '../app-deps.ts';
import { notFound } from '../middleware/error-handler.ts';
import { attemptLimit } from '../middleware/session-login-limit.ts';

/** V8 payloads are small JSON objects; anything bigger is not from V8. */
export const WEBHOOK_BODY_LIMIT = '256kb';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** A wrong or missing secret is answered exactly like a path that does not exist (404). */
function secretGuard(deps: AppDeps): RequestHandler {
  const unknown = notFound();
  return (req, res, next) => {
    const expected = deps.config.webhook.secret;
    const given = typeof req.params.secret === 'string' ? req.params.secret : '';
    if (!expected || !timingSafeEqual(digest(given), digest(expected))) {
      unknown(req, res, next);
      return;
    }
    next();
  };
}

/**
 * `POST /webhooks/v8/<WEBHOOK_SECRET>`: V8 sends no credentials, so the secret path is the only gate,
 * and a webhook is only a hint: processing re-reads V8 before anything is stored (process-webhook.ts).
 * The raw body is stored first, the answer (200) goes out before any processing, and processing runs
 * in the background; whatever happens there, V8 got its 2xx (a non-2xx makes it redeliver).
 */
export function webhookRoutes(deps: AppDeps): Router {
  const router = Router();
  // Whoever learns the URL could fill the event log: past the limit nothing is stored, and V8
  // itself redelivers a call answered 429, so a legitimate burst is delayed, not lost.
  const flood = attemptLimit({
    limit: deps.config.webhook.rateLimitPerMin,
    windowMs: 60_000,
    logger: deps.logger,
    message: 'too many webhook calls from this address; try again in {min} min',
    countSuccessful: true,
  });
  router.post(
    '/webhooks/v8/:secret',
    secretGuard(deps),
    flood,
    express.text({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
    (req, res) => {
      const store = deps.store;
      if (!store)
        throw new AppError('not_configured', 'the store is not available in this build of the service');
      const raw = typeof req.body === 'string' ? req.body : '';
      const received = receiveWebhook({ store, clock: deps.clock }, raw);
      res.status(200).json({ received: true, id: received.eventId, duplicate: received.duplicate });
      const processor = deps.webhooks;
      if (processor) setImmediate(() => void processor.process(received.eventId, received.subjectKey));
    },
  );
  return router;
}
