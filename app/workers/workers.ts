import type { FlowDeps } from '../use-cases/flow/flow-deps.ts';
import type { RetentionSettings } from '../use-cases/retention/prune-old-rows.ts';
import { BatchRunner } from './batch-runner.ts';
import { ConsultPoller } from './consult-poller.ts';
import { evidenceRetention } from './evidence-retention.ts';
import { FlowWorker } from './flow-worker.ts';
import { OperationReconciler } from './operation-reconciler.ts';
import { OutboxRelay } from './outbox-relay.ts';
import { RetentionWorker } from './retention-worker.ts';

export interface WorkerTicks {
  readonly flowTickMs: number;
  readonly pollTickMs: number;
  readonly outboxTickMs: number;
  readonly batchTickMs: number;
  /** How often the retention worker looks at the clock (it prunes at most hourly whatever this is). */
  readonly retentionTickMs: number;
  readonly evidenceRetentionTickMs: number;
  /** V8_OPERATIONS_RECONCILE_S: how often open operations are read back from V8. */
  readonly operationsReconcileTickMs: number;
  /** Batch items running at once, margin waits included (default DEFAULT_BATCH_MAX_IN_FLIGHT). */
  readonly batchMaxInFlight?: number | undefined;
}

/** Production ticks; tests pass small ones. Signals wake the flow worker and the relay at once anyway. */
export const DEFAULT_TICKS: WorkerTicks = {
  flowTickMs: 1000,
  pollTickMs: 1000,
  outboxTickMs: 2000,
  batchTickMs: 500,
  retentionTickMs: 300_000,
  evidenceRetentionTickMs: 3_600_000,
  operationsReconcileTickMs: 300_000,
};

export interface Workers {
  readonly flow: FlowWorker;
  readonly poller: ConsultPoller;
  readonly relay: OutboxRelay;
  readonly batch: BatchRunner;
  /** Absent when no retention settings were given. */
  readonly retention: RetentionWorker | undefined;
  /** Batch runner first (no new flows), then the flow worker (no new CRM updates after it), the poller, the relay. */
  stop(): Promise<void>;
}

export function startWorkers(
  deps: FlowDeps,
  ticks: Partial<WorkerTicks> = {},
  retentionSettings?: RetentionSettings,
): Workers {
  const t = { ...DEFAULT_TICKS, ...ticks };
  const flow = new FlowWorker(deps, { concurrency: deps.settings.concurrency, tickMs: t.flowTickMs });
  const poller = new ConsultPoller(deps, { tickMs: t.pollTickMs });
  const relay = new OutboxRelay(deps, { tickMs: t.outboxTickMs });
  const batch = new BatchRunner(deps, { tickMs: t.batchTickMs, maxInFlight: t.batchMaxInFlight });
  const retention = retentionSettings
    ? new RetentionWorker(deps, retentionSettings, { tickMs: t.retentionTickMs })
    : undefined;
  const evidence = evidenceRetention(deps, t.evidenceRetentionTickMs);
  const reconciler = new OperationReconciler(deps, { tickMs: t.operationsReconcileTickMs });
  relay.start();
  poller.start();
  flow.start();
  batch.start();
  retention?.start();
  evidence.start();
  reconciler.start();
  return {
    flow,
    poller,
    relay,
    batch,
    retention,
    async stop() {
      await reconciler.stop();
      await evidence.stop();
      await retention?.stop();
      await batch.stop();
      await flow.stop();
      await poller.stop();
      await relay.stop();
    },
  };
}
