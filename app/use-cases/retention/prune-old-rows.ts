import type { Clock } from '../../adapters/clock.ts';
import type { Store } from '../../adapters/store/store.ts';
import type { Logger } from '../../logging/logger.ts';

/** How long finished records are kept (RETENTION_DAYS, WEBHOOK_EVENTS_RETENTION_DAYS). */
export interface RetentionSettings {
  /** Flows, batches and delivered/dropped CRM updates. */
  readonly days: number;
  /** The raw V8 webhook log: only hints, so it goes sooner. */
  readonly webhookEventsDays: number;
}

export interface PruneReport {
  readonly batches: number;
  readonly outbox: number;
  readonly flows: number;
  readonly webhookEvents: number;
}

const DAY_MS = 86_400_000;
/** Rows per statement: short enough that other writers barely wait (batches cascade ~10k items each). */
const CHUNK = 500;
const BATCH_CHUNK = 5;

/**
 * One pruning pass (personal data kept no longer than needed, and a bounded disk). Order matters:
 * old batches and CRM updates first, because a flow is only deleted once nothing points at it.
 */
export function pruneOldRows(
  deps: { readonly store: Store; readonly clock: Clock; readonly logger: Logger },
  settings: RetentionSettings,
  shouldStop: () => boolean = () => false,
): PruneReport {
  const { store, clock } = deps;
  const now = clock.now();
  const cutoff = now - settings.days * DAY_MS;
  const webhookCutoff = now - settings.webhookEventsDays * DAY_MS;
  const drain = (step: () => number, chunk: number): number => {
    let total = 0;
    for (;;) {
      if (shouldStop()) return total;
      const n = step();
      total += n;
      if (n < chunk) return total;
    }
  };
  const report: PruneReport = {
    batches: drain(() => store.retention.pruneBatches(cutoff, BATCH_CHUNK), BATCH_CHUNK),
    outbox: drain(() => store.retention.pruneOutbox(cutoff, CHUNK), CHUNK),
    flows: drain(() => store.retention.pruneFlows(cutoff, CHUNK), CHUNK),
    webhookEvents: drain(() => store.retention.pruneWebhookEvents(webhookCutoff, CHUNK), CHUNK),
  };
  if (Object.values(report).some((n) => n > 0)) {
    deps.logger.info('old records pruned', {
      ...report,
      retentionDays: settings.days,
      webhookEventsRetentionDays: settings.webhookEventsDays,
    });
  }
  return report;
}
