import { AppError } from '../../domain/app-error.ts';
import type { BatchDeps } from './batch-deps.ts';
import { type BatchView, toBatchView } from './batch-view.ts';

/**
 * Stops feeding the batch: its pending items become cancelled at once, the running ones finish (their
 * flows already talk to V8 and Kentro). Cancelling a finished or cancelled batch changes nothing.
 */
export function cancelBatch(
  deps: Pick<BatchDeps, 'store' | 'clock' | 'logger' | 'settings' | 'v8Login'>,
  id: string,
): BatchView {
  const { store, clock } = deps;
  const now = clock.now();
  const changed = store.tx(() => {
    const batch = store.batches.get(id);
    if (!batch) throw new AppError('not_found', `no batch with id ${id}`);
    if (batch.status !== 'queued' && batch.status !== 'running') return undefined;
    const cancelled = store.batches.cancel(id, now);
    store.batches.finishIfDone(id, now);
    return cancelled;
  });
  if (changed !== undefined) {
    deps.logger.info('batch cancelled', { batchId: id, itemsCancelled: changed });
    store.signals.emit('batch-changed', id);
  }
  const batch = store.batches.get(id);
  if (!batch) throw new AppError('not_found', `no batch with id ${id}`);
  return toBatchView(deps, batch, now);
}
