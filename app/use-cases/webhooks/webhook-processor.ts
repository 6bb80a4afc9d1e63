import type { FlowDeps } from '../flow/flow-deps.ts';
import { type ProcessOutcome, processWebhookEvent } from './process-webhook.ts';

export interface ReplayReport {
  /** Unprocessed events found (never tried, failed, or left by a crash). */
  readonly found: number;
  readonly processed: number;
  readonly failed: number;
  readonly skipped: number;
}

/**
 * Runs webhook processing in the background, one event at a time per subject (consult or operation
 * id) so two events of the same consult never interleave; different subjects run concurrently.
 */
export class WebhookProcessor {
  private readonly deps: FlowDeps;
  private readonly chains = new Map<string, Promise<ProcessOutcome>>();
  private stopped = false;

  constructor(deps: FlowDeps) {
    this.deps = deps;
  }

  /** Queues the event behind earlier ones of the same subject; never rejects. */
  process(eventId: number, subjectKey: string): Promise<ProcessOutcome> {
    // After stop() the store is about to close: the event stays stored, unprocessed, and the next
    // start replays it (a request cut at the stop deadline may still get this far).
    if (this.stopped)
      return Promise.resolve({ status: 'skipped', result: 'service stopping: replayed at the next start' });
    const prev = this.chains.get(subjectKey) ?? Promise.resolve(undefined);
    const run = prev
      .catch(() => undefined)
      .then(() => processWebhookEvent(this.deps, eventId))
      .catch((err: unknown): ProcessOutcome => {
        const error = err instanceof Error ? err.message : String(err);
        this.deps.logger.error('V8 webhook processing crashed', { eventId, error });
        return { status: 'failed', error };
      });
    this.chains.set(subjectKey, run);
    void run.finally(() => {
      if (this.chains.get(subjectKey) === run) this.chains.delete(subjectKey);
    });
    return run;
  }

  /** Reprocesses every unprocessed event (oldest first) and reports what happened. */
  async replay(limit = 1000): Promise<ReplayReport> {
    const ids = this.deps.store.webhookEvents.unprocessedIds(limit);
    const outcomes = await Promise.all(
      ids.map((id) => {
        const subject = this.deps.store.webhookEvents.get(id)?.subjectId ?? `event:${id}`;
        return this.process(id, subject);
      }),
    );
    return {
      found: ids.length,
      processed: outcomes.filter((o) => o.status === 'processed').length,
      failed: outcomes.filter((o) => o.status === 'failed').length,
      skipped: outcomes.filter((o) => o.status === 'skipped').length,
    };
  }

  /** Takes no new event and resolves when the queued ones have finished (shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.drain();
  }

  /** Resolves when everything queued so far has finished (shutdown, tests). */
  async drain(): Promise<void> {
    for (;;) {
      const pending = [...this.chains.values()];
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }
}
