import type { BatchRecord, BatchStatus } from '../../adapters/store/batch-repository.ts';
import type { Store } from '../../adapters/store/store.ts';
import { batchEtaSeconds, ETA_WINDOW } from '../../domain/batch-eta.ts';
import type { RejectedLine } from '../../domain/cpf-list-parser.ts';

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
  /** Seconds left at the observed rate; null before the first flow finished, 0 when nothing is left. */
  readonly etaS: number | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Invalid values and repeated CPFs, in line order. */
  readonly rejected: { line: number; value: string; reason: string }[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toBatchView(store: Store, batch: BatchRecord, now: number): BatchView {
  const counts = store.batches.counts(batch.id);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const remaining = counts.pending + counts.running;
  const processed = total - remaining;
  const percent = total === 0 ? 100 : Math.floor((processed * 1000) / total) / 10;
  let etaS: number | null = null;
  if (batch.status === 'running' || batch.status === 'queued') {
    const f = store.batches.finishes(batch.id, ETA_WINDOW + 1);
    etaS = batchEtaSeconds({
      remaining,
      finished: f.finished,
      recentFinishes: f.recent,
      startedAt: batch.startedAt,
      now,
    });
  } else if (batch.status === 'completed') etaS = 0;
  return {
    id: batch.id,
    status: batch.status,
    total,
    processed,
    percent,
    counts,
    etaS,
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
