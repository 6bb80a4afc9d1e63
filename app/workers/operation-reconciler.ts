import type { FlowDeps } from '../use-cases/flow/flow-deps.ts';
import { applyOperation } from '../use-cases/webhooks/process-webhook.ts';
import { PeriodicWorker } from './periodic-worker.ts';

/**
 * The fallback of the operation webhook: every V8_OPERATIONS_RECONCILE_S each operation not yet
 * final is read back from V8 and applied like a webhook would be, so a missed one is caught up.
 * Outbox keys are per operation and status: a status both paths see is applied once.
 */
export class OperationReconciler {
  private readonly loop: PeriodicWorker;

  constructor(deps: FlowDeps, o: { readonly tickMs: number; readonly batch?: number }) {
    this.loop = new PeriodicWorker({
      name: 'operation-reconciler',
      tickMs: o.tickMs,
      logger: deps.logger,
      runOnce: async () => {
        for (const op of deps.store.operations.open(o.batch ?? 200)) {
          if (this.loop.stopping) break;
          try {
            const result = await applyOperation(deps, op.id);
            deps.logger.debug('operation reconciled', { operationId: op.id, result });
          } catch (err) {
            deps.logger.warn('operation reconcile failed (next round retries)', {
              operationId: op.id,
              error: err instanceof Error ? err.message : String(err),
            });
          }
        }
        // One pass per interval: V8's rate limit is shared with the flows.
        return false;
      },
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
