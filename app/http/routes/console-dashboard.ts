import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../domain/app-error.ts';
import { isBatchDone } from '../../use-cases/batches/index.ts';
import { describeDashboard } from '../../use-cases/console/dashboard.ts';
import {
  type BatchView,
  type DashboardBatches,
  dashboardBatches,
  forPage,
} from '../../use-cases/console/dashboard-batches.ts';
import { BATCH_CSV_MAX_BYTES, CSV_TYPES, withCsvUpload } from '../csv-upload.ts';
import { requireSession, sessionOf } from '../middleware/session.ts';
import { parseInput } from '../validation.ts';
import type { ConsoleContext } from './console-context.ts';

/** Open progress streams per app: each one holds a connection and a subscription. */
export const MAX_BATCH_STREAMS = 20;
/** Keeps proxies from closing an idle stream, and notices a signed-out session. */
export const STREAM_HEARTBEAT_MS = 15_000;
/** Progress is pushed at most this often (a batch can finish items faster than a page repaints). */
export const STREAM_THROTTLE_MS = 200;

const idParams = z.object({ id: z.uuid({ error: 'não é um identificador de lote' }) });

const flag = z
  .enum(['1', '0', 'true', 'false'], { error: 'use 1 ou 0' })
  .transform((v) => v === '1' || v === 'true');
const uploadQuery = z.object({
  createOpportunity: flag.optional(),
  sendWhatsapp: flag.optional(),
});

function need(batches: DashboardBatches | undefined): DashboardBatches {
  if (!batches) {
    throw new AppError('not_configured', 'lotes indisponíveis: este serviço está sem o fluxo CLT');
  }
  return batches;
}

/**
 * The console's "Painel": one read for the page (health, V8 token, recent flows, batches), the CSV
 * upload that starts a batch, its progress as server-sent events, its results as CSV and its
 * cancellation. Every route needs the console session (401); the POSTs also the CSRF token (403).
 * Middleware is per route, so requests for other /api paths pass through untouched.
 */
export function consoleDashboardRoutes(
  ctx: ConsoleContext,
  batches: DashboardBatches | undefined = dashboardBatches(ctx.deps),
): Router {
  const router = Router();
  const signedIn = requireSession();
  const { deps } = ctx;
  const streams = new Set<Response>();

  router.get('/dashboard', signedIn, (_req, res) => {
    res.json(
      describeDashboard({
        config: () => ctx.effective.current(),
        clock: deps.clock,
        startedAt: deps.startedAt,
        tokens: deps.v8?.tokens,
        flow: deps.flow,
        batches: batches ? (limit) => batches.list(limit).map(forPage) : undefined,
      }),
    );
  });

  router.post('/batches', signedIn, ctx.csrf.protect, async (req, res) => {
    const api = need(batches);
    if (!req.is(CSV_TYPES)) {
      throw new AppError('unsupported_media_type', 'envie o arquivo CSV com Content-Type: text/csv');
    }
    const q = parseInput(uploadQuery, req.query, 'query');
    const options = {
      ...(q.createOpportunity ? { createOpportunity: true } : {}),
      ...(q.sendWhatsapp ? { sendWhatsapp: true } : {}),
    };
    const started = await withCsvUpload(req, BATCH_CSV_MAX_BYTES, (csv) => api.start({ csv, options }));
    deps.logger.info('console: batch started', {
      batchId: started.batchId,
      accepted: started.accepted,
      rejected: started.rejected.length,
    });
    res.status(202).json(started);
  });

  router.post('/batches/:id/cancel', signedIn, ctx.csrf.protect, (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    const view = need(batches).cancel(id);
    deps.logger.info('console: batch cancelled', { batchId: id });
    res.json(forPage(view));
  });

  router.get('/batches/:id/results.csv', signedIn, (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    const csv = need(batches).resultsCsv(id);
    res.type('text/csv; charset=utf-8');
    res.attachment(`lote-${id.slice(0, 8)}-resultados.csv`);
    res.send(csv);
  });

  // EventSource cannot send headers: the session cookie is the credential, and a GET needs no CSRF.
  router.get('/batches/:id/events', signedIn, (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    const api = need(batches);
    const first = api.get(id); // 404 before any stream is opened
    if (streams.size >= MAX_BATCH_STREAMS) {
      throw new AppError('rate_limited', 'muitos acompanhamentos de lote abertos: feche outras abas', {
        retryAfterS: 5,
      });
    }
    streamBatch(ctx, api, id, first, req, res, streams);
  });

  return router;
}

/**
 * The same events as GET /api/v1/batches/:id/events: `progress` with the batch after every change
 * (at most every STREAM_THROTTLE_MS), `done` once nothing will change any more, then the end.
 */
function streamBatch(
  ctx: ConsoleContext,
  api: DashboardBatches,
  id: string,
  first: BatchView,
  req: Request,
  res: Response,
  streams: Set<Response>,
): void {
  const session = sessionOf(req);
  streams.add(res);
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  // nginx and similar proxies buffer responses unless told not to.
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write('retry: 3000\n\n');

  let pending: BatchView | undefined;
  let timer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let off: (() => void) | undefined;
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    streams.delete(res);
    clearInterval(heartbeat);
    clearTimeout(timer);
    off?.();
    if (!res.writableEnded) res.end();
  };
  const send = (view: BatchView) => {
    if (closed) return;
    const data = JSON.stringify(forPage(view));
    res.write(`event: progress\ndata: ${data}\n\n`);
    // Ending here (and the page closing its EventSource on `done`) stops the browser's reconnects.
    if (isBatchDone(view)) {
      res.write(`event: done\ndata: ${data}\n\n`);
      close();
    }
  };
  const flush = () => {
    timer = undefined;
    const view = pending;
    pending = undefined;
    if (view) send(view);
  };
  res.on('close', close);

  send(first);
  if (closed) return;
  off = api.subscribe(id, (view) => {
    pending = view;
    if (isBatchDone(view)) {
      clearTimeout(timer);
      flush();
    } else {
      timer ??= setTimeout(flush, STREAM_THROTTLE_MS);
    }
  });
  heartbeat = setInterval(() => {
    // Signed out (or expired) meanwhile: the stream ends with the session.
    if (!session || !ctx.sessions.touch(session.id)) {
      close();
      return;
    }
    res.write(': ping\n\n');
  }, STREAM_HEARTBEAT_MS);
  heartbeat.unref();
}
