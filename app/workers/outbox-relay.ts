import type { FlowDeps } from '../use-cases/flow/flow-deps.ts';
import { relayOutbox } from '../use-cases/outbox/relay-outbox.ts';
import { PeriodicWorker } from './periodic-worker.ts';

/** Delivers the CRM outbox to Kentro: ordered per opportunity, retried with backoff, never dropped. */
export class OutboxRelay {
  private readonly deps: FlowDeps;
  private readonly loop: PeriodicWorker;
  private offSignal: (() => void) | undefined;

  constructor(
    deps: FlowDeps,
    o: { readonly tickMs: number; readonly concurrency?: number; readonly batch?: number },
  ) {
    this.deps = deps;
    this.loop = new PeriodicWorker({
      name: 'outbox-relay',
      tickMs: o.tickMs,
      logger: deps.logger,
      runOnce: async () => {
        await relayOutbox(
          {
            store: deps.store,
            kentro: deps.kentro,
            clock: deps.clock,
            logger: deps.logger,
            backoff: deps.settings.outboxBackoff,
            stagePolicy: deps.settings.stagePolicy,
          },
          { batch: o.batch ?? 50, concurrency: o.concurrency ?? 4, shouldStop: () => this.loop.stopping },
        );
        return false;
      },
    });
  }

  start(): void {
    this.offSignal = this.deps.store.signals.on('outbox-enqueued', () => this.loop.wake());
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.offSignal?.();
    await this.loop.stop();
  }
}
