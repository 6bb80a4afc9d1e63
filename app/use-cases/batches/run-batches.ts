import type { BatchItemOutcome } from '../../adapters/store/batch-repository.ts';
import { isAppError } from '../../domain/app-error.ts';
import type { FlowOptions } from '../../domain/flow-steps.ts';
import type { RawLead } from '../../domain/lead.ts';
import { startFlow } from '../flow/start-flow.ts';
import type { BatchDeps } from './batch-deps.ts';

/**
 * The batch runner's work, one pass at a time (workers/batch-runner.ts loops it).
 *
 * Exactly once per CPF: an item moves pending -> running in the SAME transaction that creates its
 * flow (startFlow joins the caller's transaction) and records the flow id. Before that commit nothing
 * has left the process (startFlow does no I/O), so a crash leaves the item pending with no flow and
 * the next start feeds it again; after it, the item is running with its flow id, and a restart only
 * waits for that flow (the flow worker resumes it; flows are idempotent per step). The outcome is
 * copied from the completed flow by a guarded UPDATE (running -> outcome), so a repeated settle
 * changes nothing.
 */

export interface FeedLimits {
  /** Items whose flow is queued or running (the flow worker's work): about FLOW_CONCURRENCY. */
  readonly maxActive: number;
  /** Items running in total, flows waiting for V8's margin included. */
  readonly maxInFlight: number;
}

export interface FeedResult {
  readonly fed: number;
  /** Settings missing for flows to start (nothing is fed until they are set). */
  readonly blocked?: string | undefined;
}

const OUTCOMES = new Set(['simulated', 'no_margin', 'needs_data', 'blocked_by_worker', 'failed']);

/**
 * The options of one item's flow: the batch's, plus the lead columns of its CSV row as `rowLead`
 * (they fill what Kentro's opportunity lacks; they never overwrite it). A row that names its client
 * may create the opportunity when Kentro has none for the CPF (the flow looks it up first, and looks
 * again before creating), unless the batch said createOpportunity=false; a row without a name would
 * only make a lead titled by its CPF.
 */
export function itemFlowOptions(batch: FlowOptions, lead: RawLead | null): FlowOptions {
  if (!lead) return batch;
  const create = batch.createOpportunity ?? (lead.name !== undefined ? true : undefined);
  return {
    ...batch,
    ...(create !== undefined ? { createOpportunity: create } : {}),
    rowLead: lead,
  };
}

/** Copies the outcome of completed flows to their running items; closes batches that are done. */
export function settleFinishedItems(deps: BatchDeps, limit = 500): number {
  const { store, clock } = deps;
  const ready = store.batches.settleable(limit);
  if (ready.length === 0) return 0;
  const changed = new Set<string>();
  const now = clock.now();
  store.tx(() => {
    for (const r of ready) {
      const outcome =
        r.flowOutcome !== null && OUTCOMES.has(r.flowOutcome)
          ? (r.flowOutcome as BatchItemOutcome)
          : 'failed';
      const reason = r.flowExists ? r.flowReason : 'o fluxo deste CPF não foi encontrado';
      if (store.batches.settle(r.item.id, outcome, reason, now)) {
        changed.add(r.item.batchId);
        store.batches.finishIfDone(r.item.batchId, now);
      }
    }
  });
  for (const id of changed) store.signals.emit('batch-changed', id);
  return ready.length;
}

/** Starts flows for pending items while the limits leave room. */
export function feedPendingItems(deps: BatchDeps, limits: FeedLimits): FeedResult {
  const { store, clock, logger } = deps;
  const inFlight = store.batches.inFlight();
  const free = Math.min(limits.maxActive - inFlight.active, limits.maxInFlight - inFlight.total);
  if (free <= 0) return { fed: 0 };
  const changed = new Set<string>();
  let fed = 0;
  try {
    for (const item of store.batches.nextPending(free)) {
      try {
        const started = store.tx(() => {
          const now = clock.now();
          const current = store.batches.item(item.id);
          const batch = store.batches.get(item.batchId);
          if (current?.status !== 'pending' || !batch) return false;
          if (batch.status !== 'queued' && batch.status !== 'running') return false;
          // A flow that already names this item (cannot happen: the link commits with the state) wins.
          const linked = store.flows.list({ batchItemId: item.id, limit: 1 })[0];
          const r = linked
            ? { flowId: linked.id, created: false }
            : startFlow(deps, {
                cpf: current.cpf,
                options: itemFlowOptions(batch.options, current.lead),
                batchItemId: item.id,
              });
          store.batches.markRunning(item.id, r.flowId, !linked && !r.created, now);
          store.batches.markStarted(batch.id, now);
          return true;
        });
        if (started) {
          fed++;
          changed.add(item.batchId);
        }
      } catch (err) {
        if (isAppError(err) && err.code === 'not_configured') return { fed, blocked: err.message };
        const message = err instanceof Error ? err.message : String(err);
        if (!isAppError(err)) {
          // The store failed (busy, disk): the transaction rolled back, the item is still pending.
          logger.error('batch feeding failed, will retry', { batchId: item.batchId, error: message });
          return { fed };
        }
        // Refused for this CPF: ends this item only, the batch goes on.
        logger.error('batch item could not start its flow', {
          batchId: item.batchId,
          itemId: item.id,
          cpf: item.cpf,
          error: message,
        });
        const now = clock.now();
        store.tx(() => {
          if (store.batches.failPending(item.id, `o fluxo não pôde ser iniciado: ${message}`, now)) {
            store.batches.finishIfDone(item.batchId, now);
          }
        });
        changed.add(item.batchId);
      }
    }
  } finally {
    for (const id of changed) store.signals.emit('batch-changed', id);
  }
  return { fed };
}

/** Closes batches left open with nothing pending or running (e.g. all items settled before a crash). */
export function closeFinishedBatches(deps: BatchDeps): number {
  const { store, clock } = deps;
  let closed = 0;
  for (const id of store.batches.openIds()) {
    if (store.tx(() => store.batches.finishIfDone(id, clock.now()))) {
      closed++;
      store.signals.emit('batch-changed', id);
    }
  }
  return closed;
}
