import type { BatchRecord, BatchStatus } from '../../adapters/store/batch-repository.ts';
import { batchEtaSeconds, ETA_WINDOW, withQuotaEta } from '../../domain/batch-eta.ts';
import { lastSlotAt } from '../../domain/consult-quota.ts';
import type { RejectedLine } from '../../domain/cpf-list-parser.ts';
import { quotaLogin } from '../flow/consult-quota.ts';
import type { BatchReadDeps } from './batch-deps.ts';

export interface BatchCounts {
  readonly pending: number;
  readonly running: number;
  readonly simulated: number;
  readonly no_margin: number;
  readonly needs_data: number;
  readonly blocked_by_worker: number;
  readonly failed: number;
  readonly invalid: number;
  readonly cancelled: number;
}

/** A batch as the API, the SSE stream and the console show it. */
export interface BatchView {
  readonly id: string;
  /** cancelled: no more items start; the ones running still finish (counts.running says how many). */
  readonly status: BatchStatus;
  /** Items: unique valid CPFs plus invalid lines (repeated CPFs are not items). */
  readonly total: number;
  /** Items in a final state (everything but pending and running). */
  readonly processed: number;
  /** processed / total, one decimal, rounded down (100 only when everything is processed). */
  readonly percent: number;
  readonly counts: BatchCounts;
  /**
   * Seconds left: while V8's consult quota binds, the wait until it allows the last consult still to
   * create; otherwise the observed rate; null while there is nothing to go by, 0 when nothing is left.
   */
  readonly etaS: number | null;
  /**
   * V8 consults the batch's flows created, and the ones they reused instead (ours, or found in V8's
   * list within FLOW_CONSULT_VALID_DAYS): the quota saved.
   */
  readonly consults: { readonly created: number; readonly reused: number };
  /** Items whose flow waits for V8's consult quota (waiting_quota) and when the first resumes; null when none. */
  readonly waitingQuota: { readonly items: number; readonly resumeAt: string } | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Invalid values and repeated CPFs, in line order. */
  readonly rejected: { line: number; value: string; reason: string }[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toBatchView(deps: BatchReadDeps, batch: BatchRecord, now: number): BatchView {
  const { store } = deps;
  const counts = store.batches.counts(batch.id);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const remaining = counts.pending + counts.running;
  const processed = total - remaining;
  const percent = total === 0 ? 100 : Math.floor((processed * 1000) / total) / 10;
  let etaS: number | null = null;
  let waitingQuota: BatchView['waitingQuota'] = null;
  const consults = store.batches.consultUse(batch.id);
  if (remaining > 0) {
    const q = store.batches.quotaView(batch.id);
    if (q.waiting > 0 && q.resumeAt !== null) {
      waitingQuota = { items: q.waiting, resumeAt: iso(q.resumeAt) as string };
    }
    if (batch.status === 'running' || batch.status === 'queued') {
      const f = store.batches.finishes(batch.id, ETA_WINDOW + 1);
      const rule = deps.settings.consultQuota;
      const login = quotaLogin(deps);
      // Items still to get a consult will need a new one as often as the batch's items so far did.
      const decided = consults.created + consults.reused;
      const needNew = decided > 0 ? Math.ceil((q.needConsult * consults.created) / decided) : q.needConsult;
      const readyAt =
        rule.limit > 0 && needNew > 0
          ? lastSlotAt(
              rule,
              {
                used: store.consultQuota.used(login, now - rule.windowMs),
                blockedUntil: store.consultQuota.blockedUntil(login),
              },
              needNew,
              now,
            )
          : null;
      etaS = withQuotaEta(
        batchEtaSeconds({
          remaining,
          finished: f.finished,
          recentFinishes: f.recent,
          startedAt: batch.startedAt,
          now,
        }),
        readyAt,
        now,
      );
    }
  } else if (batch.status !== 'cancelled') etaS = 0;
  return {
    id: batch.id,
    status: batch.status,
    total,
    processed,
    percent,
    counts,
    etaS,
    consults,
    waitingQuota,
    createdAt: iso(batch.createdAt) as string,
    startedAt: iso(batch.startedAt),
    finishedAt: iso(batch.finishedAt),
    rejected: batch.rejected.map((r: RejectedLine) => ({ line: r.line, value: r.value, reason: r.reason })),
  };
}

/** Nothing will change any more: completed, or cancelled with its last running items finished. */
export function isBatchDone(view: Pick<BatchView, 'status' | 'finishedAt'>): boolean {
  return view.status === 'completed' || (view.status === 'cancelled' && view.finishedAt !== null);
}
