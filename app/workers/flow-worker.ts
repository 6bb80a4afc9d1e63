import type { FlowDeps } from '../use-cases/flow/flow-deps.ts';
import { advanceFlow } from '../use-cases/flow/run-flow.ts';
import { PeriodicWorker } from './periodic-worker.ts';

export interface FlowWorkerOptions {
  /** Flows run in parallel (FLOW_CONCURRENCY). */
  readonly concurrency: number;
  readonly tickMs: number;
}

/**
 * Picks runnable flows (queued, or running and due) and advances each until it waits or completes,
 * up to `concurrency` at once. A flow is never advanced twice at the same time in this process; the
 * store has one process (one container per client). On stop, running flows finish their current
 * step and stay runnable for the next start.
 */
export class FlowWorker {
  private readonly deps: FlowDeps;
  private readonly o: FlowWorkerOptions;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly loop: PeriodicWorker;
  private offSignal: (() => void) | undefined;

  constructor(deps: FlowDeps, o: FlowWorkerOptions) {
    this.deps = deps;
    this.o = o;
    this.loop = new PeriodicWorker({
      name: 'flow',
      tickMs: o.tickMs,
      logger: deps.logger,
      runOnce: async () => this.pick(),
    });
  }

  start(): void {
    this.offSignal = this.deps.store.signals.on('flow-runnable', () => this.loop.wake());
    this.loop.start();
  }

  /** Stops picking; resolves when every running flow has finished its current step. */
  async stop(): Promise<void> {
    this.offSignal?.();
    await this.loop.stop();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  get running(): number {
    return this.inFlight.size;
  }

  private pick(): boolean {
    const free = this.o.concurrency - this.inFlight.size;
    if (free <= 0) return false;
    const ids = new Set(this.inFlight.keys());
    const flows = this.deps.store.flows.runnable(this.deps.clock.now(), free, ids);
    for (const f of flows) {
      const run = advanceFlow(this.deps, f.id, () => this.loop.stopping)
        .catch((err: unknown) => {
          this.deps.logger.error('flow run crashed', {
            flowId: f.id,
            error: err instanceof Error ? err.message : String(err),
          });
        })
        .finally(() => {
          this.inFlight.delete(f.id);
          this.loop.wake();
        });
      this.inFlight.set(f.id, run);
    }
    return false;
  }
}
