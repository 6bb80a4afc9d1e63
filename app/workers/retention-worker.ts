import type { Clock } from '../adapters/clock.ts';
import type { Store } from '../adapters/store/store.ts';
import type { Logger } from '../logging/logger.ts';
import {
  type PruneReport,
  pruneOldRows,
  type RetentionSettings,
} from '../use-cases/retention/prune-old-rows.ts';
import { PeriodicWorker } from './periodic-worker.ts';

/** Pruning runs at most this often (by the injected clock), the first time right after the start. */
export const RETENTION_INTERVAL_MS = 3_600_000;

export interface RetentionDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Deletes finished records older than the retention periods, at most once an hour. */
export class RetentionWorker {
  private readonly deps: RetentionDeps;
  private readonly settings: RetentionSettings;
  private readonly loop: PeriodicWorker;
  private lastRunAt: number | undefined;

  constructor(deps: RetentionDeps, settings: RetentionSettings, o: { readonly tickMs: number }) {
    this.deps = deps;
    this.settings = settings;
    this.loop = new PeriodicWorker({
      name: 'retention',
      tickMs: o.tickMs,
      logger: deps.logger,
      runOnce: async () => {
        this.pass();
        return false;
      },
    });
  }

  /** One pass if the last one is an hour old (undefined: too early, nothing done). */
  pass(): PruneReport | undefined {
    const now = this.deps.clock.now();
    if (this.lastRunAt !== undefined && now - this.lastRunAt < RETENTION_INTERVAL_MS) return undefined;
    this.lastRunAt = now;
    return pruneOldRows(this.deps, this.settings, () => this.loop.stopping);
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
