import type { Clock } from '../../adapters/clock.ts';
import type {
  OutboxKind,
  OutboxRecord,
  OutboxStatus,
  ParkReason,
} from '../../adapters/store/outbox-repository.ts';
import type { Store } from '../../adapters/store/store.ts';
import type { Logger } from '../../logging/logger.ts';

/**
 * The operator's side of the CRM outbox: see what is parked and why, then put a row back in the queue
 * (after checking in Kentro that it was not applied, or fixing what Kentro refused) or drop it (it was
 * applied after all, or is no longer wanted). Dropped rows stay as the record.
 */
export interface OutboxAdminDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface OutboxItemView {
  readonly id: number;
  readonly kind: OutboxKind;
  readonly status: OutboxStatus;
  readonly parkReason: ParkReason | null;
  readonly opportunityId: number;
  readonly flowId: string | null;
  /** What is (or was) sent: the note text, the template number and variables, the stage, the values. */
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deliveredAt: string | null;
  readonly parkedAt: string | null;
  readonly droppedAt: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toOutboxItemView(r: OutboxRecord): OutboxItemView {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    parkReason: r.parkReason,
    opportunityId: r.opportunityId,
    flowId: r.flowId,
    payload: r.payload,
    attempts: r.attempts,
    lastError: r.lastError,
    nextAttemptAt: r.status === 'pending' ? iso(r.nextAttemptAt) : null,
    createdAt: iso(r.createdAt) as string,
    updatedAt: iso(r.updatedAt) as string,
    deliveredAt: iso(r.deliveredAt),
    parkedAt: iso(r.parkedAt),
    droppedAt: iso(r.droppedAt),
  };
}

export function listOutbox(
  deps: OutboxAdminDeps,
  q: { readonly status?: OutboxStatus | undefined; readonly limit: number },
): { items: OutboxItemView[]; counts: Record<OutboxStatus, number> } {
  return {
    items: deps.store.outbox.list(q.status, q.limit).map(toOutboxItemView),
    counts: deps.store.outbox.counts(),
  };
}

export type ParkedActionResult =
  | { readonly ok: true; readonly item: OutboxItemView }
  | { readonly ok: false; readonly why: 'not_found' }
  | { readonly ok: false; readonly why: 'not_parked'; readonly status: OutboxStatus };

function act(deps: OutboxAdminDeps, id: number, action: 'retry' | 'drop', by: string): ParkedActionResult {
  const { store, clock, logger } = deps;
  const before = store.outbox.get(id);
  if (!before) return { ok: false, why: 'not_found' };
  const now = clock.now();
  const done = action === 'retry' ? store.outbox.unpark(id, now) : store.outbox.drop(id, now);
  const after = store.outbox.get(id) ?? before;
  if (!done) return { ok: false, why: 'not_parked', status: after.status };
  logger.warn(action === 'retry' ? 'parked CRM update put back in the queue' : 'parked CRM update dropped', {
    outboxId: id,
    kind: before.kind,
    opportunityId: before.opportunityId,
    parkReason: before.parkReason,
    by,
  });
  if (action === 'retry') store.signals.emit('outbox-enqueued');
  return { ok: true, item: toOutboxItemView(after) };
}

/** Parked -> pending, due now. `by` names who asked (api, console) for the log. */
export function retryParked(deps: OutboxAdminDeps, id: number, by: string): ParkedActionResult {
  return act(deps, id, 'retry', by);
}

/** Parked -> dropped: never sent by us again. */
export function dropParked(deps: OutboxAdminDeps, id: number, by: string): ParkedActionResult {
  return act(deps, id, 'drop', by);
}
