import { AppError } from '../../domain/app-error.ts';
import type { BatchReadDeps } from './batch-deps.ts';
import { type BatchView, toBatchView } from './batch-view.ts';

/** The batch with its counts, percent and ETA; not_found when there is none with that id. */
export function getBatch(deps: BatchReadDeps, id: string): BatchView {
  const batch = deps.store.batches.get(id);
  if (!batch) throw new AppError('not_found', `no batch with id ${id}`);
  return toBatchView(deps, batch, deps.clock.now());
}

/** Newest first; default 20, at most 200. */
export function listBatches(
  deps: BatchReadDeps,
  q: { readonly limit?: number | undefined } = {},
): BatchView[] {
  const limit = Math.min(200, Math.max(1, Math.trunc(q.limit ?? 20)));
  const now = deps.clock.now();
  return deps.store.batches.list(limit).map((b) => toBatchView(deps, b, now));
}
