import type { FlowDeps } from '../use-cases/flow/flow-deps.ts';
import { ConsultPoller } from './consult-poller.ts';
import { FlowWorker } from './flow-worker.ts';
import { OutboxRelay } from './outbox-relay.ts';

export interface WorkerTicks {
  readonly flowTickMs: number;
  readonly pollTickMs: number;
  readonly outboxTickMs: number;
}

/** Production ticks; tests pass small ones. Signals wake the flow worker and the relay at once anyway. */
export const DEFAULT_TICKS: WorkerTicks = { flowTickMs: 1000, pollTickMs: 1000, outboxTickMs: 2000 };

export interface Workers {
  readonly flow: FlowWorker;
  readonly poller: ConsultPoller;
  readonly relay: OutboxRelay;
  /** Flow worker first (no new CRM updates after it), then the poller, then the relay. */
  stop(): Promise<void>;
}

export function startWorkers(deps: FlowDeps, ticks: Partial<WorkerTicks> = {}): Workers {
  const t = { ...DEFAULT_TICKS, ...ticks };
  const flow = new FlowWorker(deps, { concurrency: deps.settings.concurrency, tickMs: t.flowTickMs });
  const poller = new ConsultPoller(deps, { tickMs: t.pollTickMs });
  const relay = new OutboxRelay(deps, { tickMs: t.outboxTickMs });
  relay.start();
  poller.start();
  flow.start();
  return {
    flow,
    poller,
    relay,
    async stop() {
      await flow.stop();
      await poller.stop();
      await relay.stop();
    },
  };
}
