import type { FlowDeps } from '../use-cases/flow/flow-deps.ts';
import { pruneWebhookEvents } from '../use-cases/webhooks/prune-webhook-events.ts';
import { PeriodicWorker } from './periodic-worker.ts';

/** Hourly housekeeping of stored data that has a retention period (at start, then every tick). */
export class RetentionWorker {
  private readonly loop: PeriodicWorker;

  constructor(deps: FlowDeps, o: { readonly tickMs: number }) {
    this.loop = new PeriodicWorker({
      name: 'retention',
      tickMs: o.tickMs,
      logger: deps.logger,
      runOnce: async () => {
        pruneWebhookEvents(deps);
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
