import { AppError } from '../../domain/app-error.ts';
import type { BatchReadDeps } from './batch-deps.ts';
import { type BatchView, toBatchView } from './batch-view.ts';

/**
 * Calls `listener` with the batch as it stands after every change (an item started or finished, the
 * batch was cancelled or completed). Changes made in the same tick are delivered as one call. The
 * listener is not called at once: read getBatch for the current state. Returns the unsubscribe.
 */
export function subscribeBatch(
  deps: BatchReadDeps,
  id: string,
  listener: (view: BatchView) => void,
): () => void {
  if (!deps.store.batches.get(id)) throw new AppError('not_found', `no batch with id ${id}`);
  let scheduled: NodeJS.Immediate | undefined;
  let active = true;
  const deliver = () => {
    scheduled = undefined;
    if (!active) return;
    try {
      const batch = deps.store.batches.get(id);
      if (batch) listener(toBatchView(deps, batch, deps.clock.now()));
    } catch {
      // The store closed (shutdown) or the listener failed (its client went away): nothing to tell.
    }
  };
  const off = deps.store.signals.on('batch-changed', (changed) => {
    if (changed !== id || !active || scheduled) return;
    scheduled = setImmediate(deliver);
  });
  return () => {
    active = false;
    off();
    if (scheduled) clearImmediate(scheduled);
  };
}
