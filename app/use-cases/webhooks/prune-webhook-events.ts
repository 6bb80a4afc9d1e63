import type { FlowDeps } from '../flow/flow-deps.ts';

/**
 * Deletes raw V8 webhook events older than WEBHOOK_EVENTS_RETENTION_DAYS: they hold CPFs (LGPD) and,
 * since anyone with the URL can post, would otherwise grow without bound. Returns how many went.
 */
export function pruneWebhookEvents(deps: Pick<FlowDeps, 'store' | 'clock' | 'settings' | 'logger'>): number {
  const cutoff = deps.clock.now() - deps.settings.webhookRetentionMs;
  const deleted = deps.store.webhookEvents.pruneReceivedBefore(cutoff);
  if (deleted > 0) {
    deps.logger.info('old V8 webhook events deleted', {
      deleted,
      receivedBefore: new Date(cutoff).toISOString(),
    });
  }
  return deleted;
}
