import {
  closeFinishedBatches,
  type FeedLimits,
  feedPendingItems,
  settleFinishedItems,
} from '../use-cases/batches/run-batches.ts';
import type { FlowDeps } from '../use-cases/flow/flow-deps.ts';
import { PeriodicWorker } from './periodic-worker.ts';

export interface BatchRunnerOptions {
  readonly tickMs: number;
  /** Default 2 x FLOW_CONCURRENCY: the flow worker always has the next flow waiting, no more. */
  readonly maxActive?: number | undefined;
  /**
   * Default 100: flows waiting for V8's margin do not use the flow worker, but each holds an open V8
   * consult that the poller may ask about; a 10,000-CPF batch must not open them all at once.
   */
  readonly maxInFlight?: number | undefined;
}

export const DEFAULT_BATCH_MAX_IN_FLIGHT = 100;
/** Repeat the "settings missing" warning at most this often. */
const BLOCKED_LOG_MS = 60_000;

/**
 * Feeds batch items into the CLT flow at the pace the flow worker takes them (V8 pacing lives in the
 * V8 client), records each item's outcome when its flow completes, and closes finished batches. At
 * start (after a restart) running items are re-attached to their flows, never started again, and
 * open batches go on by themselves. See use-cases/batches/run-batches.ts for the exactly-once rule.
 */
export class BatchRunner {
  private readonly deps: FlowDeps;
  private readonly limits: FeedLimits;
  private readonly loop: PeriodicWorker;
  private offs: (() => void)[] = [];
  private lastBlockedLog = 0;

  constructor(deps: FlowDeps, o: BatchRunnerOptions) {
    this.deps = deps;
    this.limits = {
      maxActive: o.maxActive ?? Math.max(1, deps.settings.concurrency * 2),
      maxInFlight: o.maxInFlight ?? DEFAULT_BATCH_MAX_IN_FLIGHT,
    };
    this.loop = new PeriodicWorker({
      name: 'batch-runner',
      tickMs: o.tickMs,
      logger: deps.logger,
      runOnce: async () => this.pass(),
    });
  }

  start(): void {
    const wake = () => this.loop.wake();
    this.offs = [
      this.deps.store.signals.on('batch-runnable', wake),
      this.deps.store.signals.on('flow-completed', wake),
    ];
    this.loop.start();
  }

  /** Stops feeding; flows already started go on with the flow worker (or at the next start). */
  async stop(): Promise<void> {
    for (const off of this.offs) off();
    this.offs = [];
    await this.loop.stop();
  }

  private pass(): boolean {
    settleFinishedItems(this.deps);
    if (this.loop.stopping) return false;
    const r = feedPendingItems(this.deps, this.limits);
    if (r.blocked !== undefined) {
      const now = this.deps.clock.now();
      if (now - this.lastBlockedLog >= BLOCKED_LOG_MS) {
        this.lastBlockedLog = now;
        this.deps.logger.warn('batches are waiting: flows cannot start', { reason: r.blocked });
      }
    }
    closeFinishedBatches(this.deps);
    // Fed something: there may be room for more now (a flow went to wait for its margin).
    return r.fed > 0;
  }
}
