import type { FlowDeps } from '../use-cases/flow/flow-deps.ts';
import { pollWaitingConsults } from '../use-cases/flow/poll-consults.ts';
import { PeriodicWorker } from './periodic-worker.ts';

/**
 * The fallback of the webhook: polls V8 for consults of waiting flows whose poll is due. At start
 * every waiting flow is polled once: while we were down, V8's webhooks had nowhere to go.
 */
export class ConsultPoller {
  private readonly deps: FlowDeps;
  private readonly loop: PeriodicWorker;

  constructor(deps: FlowDeps, o: { readonly tickMs: number; readonly batch?: number }) {
    this.deps = deps;
    this.loop = new PeriodicWorker({
      name: 'consult-poller',
      tickMs: o.tickMs,
      logger: deps.logger,
      runOnce: async () => {
        const batch = o.batch ?? 20;
        const r = await pollWaitingConsults(deps, batch, () => this.loop.stopping);
        return r.polled + r.failed >= batch;
      },
    });
  }

  start(): void {
    this.deps.store.flows.pollAllWaitingNow(this.deps.clock.now());
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
