import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../domain/app-error.ts';
import {
  batchResultsCsv,
  cancelBatch,
  getBatch,
  isBatchDone,
  listBatches,
  requireBatchDeps,
  startBatch,
  subscribeBatch,
} from '../../use-cases/batches/index.ts';
import { saveBatchEvidenceContext } from '../../use-cases/evidence/consent-evidence.ts';
import type { AppDeps } from '../app-deps.ts';
import { BATCH_CSV_MAX_BYTES, CSV_TYPES, withCsvUpload } from '../csv-upload.ts';
import { requestEvidenceContext } from '../evidence-context.ts';
import { parseInput } from '../validation.ts';
import { startFlowBody } from './flows.ts';

/** A comment line this often keeps proxies from closing an idle event stream. */
export const SSE_HEARTBEAT_MS = 15_000;

const optionsSchema = startFlowBody.shape.options;

export const startBatchBody = z
  .object({
    cpfs: z
      .array(z.union([z.string(), z.number()]), { error: 'must be a list of CPFs' })
      .meta({ description: 'CPFs in any common format; at most 10000', example: ['123.456.789-09'] }),
    options: optionsSchema,
  })
  .strict();

const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

/** A CSV body carries no options: the few that make sense for a batch come as query parameters. */
export const csvBatchQuery = z.object({
  createOpportunity: flag.optional(),
  sendWhatsapp: flag.optional(),
});

const listQuery = z.object({
  limit: z.coerce.number().int('must be a whole number').min(1).max(200).optional(),
});

export const batchIdParams = z.object({ id: z.uuid({ error: 'must be a batch id' }) });

/** Batches of CPFs ("lotes"): start one from a CSV or a list, follow it, cancel it, download its results. */
export function batchRoutes(deps: AppDeps, o: { readonly heartbeatMs?: number } = {}): Router {
  const router = Router();
  const heartbeatMs = o.heartbeatMs ?? SSE_HEARTBEAT_MS;

  router.post('/batches', async (req, res) => {
    const bd = requireBatchDeps(deps.flow);
    let started: Awaited<ReturnType<typeof startBatch>>;
    if (req.is(CSV_TYPES)) {
      const q = parseInput(csvBatchQuery, req.query, 'query');
      const options = {
        ...(q.createOpportunity !== undefined ? { createOpportunity: q.createOpportunity } : {}),
        ...(q.sendWhatsapp !== undefined ? { sendWhatsapp: q.sendWhatsapp } : {}),
      };
      started = await withCsvUpload(req, BATCH_CSV_MAX_BYTES, (csv) => startBatch(bd, { csv, options }));
    } else if (req.is('application/json')) {
      const body = parseInput(startBatchBody, req.body);
      started = await startBatch(bd, { cpfs: body.cpfs, options: body.options });
    } else {
      throw new AppError(
        'unsupported_media_type',
        'send the CPFs as text/csv (one per line, or a header with a cpf column) or as application/json {"cpfs": [...]}',
      );
    }
    saveBatchEvidenceContext(bd, started.batchId, requestEvidenceContext(req, res, undefined));
    res
      .status(202)
      .location(`${req.baseUrl}/batches/${started.batchId}`)
      .json({ id: started.batchId, accepted: started.accepted, rejected: started.rejected });
  });

  router.get('/batches', (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    res.json({ items: listBatches(requireBatchDeps(deps.flow), q) });
  });

  router.get('/batches/:id', (req, res) => {
    const { id } = parseInput(batchIdParams, req.params, 'id');
    res.json(getBatch(requireBatchDeps(deps.flow), id));
  });

  router.post('/batches/:id/cancel', (req, res) => {
    const { id } = parseInput(batchIdParams, req.params, 'id');
    res.json(cancelBatch(requireBatchDeps(deps.flow), id));
  });

  router.get('/batches/:id/results.csv', (req, res) => {
    const { id } = parseInput(batchIdParams, req.params, 'id');
    const csv = batchResultsCsv(requireBatchDeps(deps.flow), id);
    res
      .status(200)
      .type('text/csv; charset=utf-8')
      .attachment(`lote-${id.slice(0, 8)}-resultados.csv`)
      .send(csv);
  });

  // Server-sent events: `progress` with the batch on every change, `done` once nothing will change
  // any more (then the stream ends), a comment line every SSE_HEARTBEAT_MS.
  router.get('/batches/:id/events', (req, res) => {
    const { id } = parseInput(batchIdParams, req.params, 'id');
    const bd = requireBatchDeps(deps.flow);
    const first = getBatch(bd, id);
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    let seq = 0;
    let closed = false;
    let off: (() => void) | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    const send = (event: 'progress' | 'done', data: unknown) => {
      seq++;
      res.write(`id: ${seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const close = () => {
      if (closed) return;
      closed = true;
      off?.();
      if (heartbeat) clearInterval(heartbeat);
      if (!res.writableEnded) res.end();
    };
    res.on('close', close);
    res.write('retry: 3000\n\n');
    send('progress', first);
    if (isBatchDone(first)) {
      send('done', first);
      close();
      return;
    }
    off = subscribeBatch(bd, id, (view) => {
      if (closed) return;
      send('progress', view);
      if (isBatchDone(view)) {
        send('done', view);
        close();
      }
    });
    heartbeat = setInterval(() => {
      if (!closed) res.write(': heartbeat\n\n');
    }, heartbeatMs);
  });

  return router;
}
