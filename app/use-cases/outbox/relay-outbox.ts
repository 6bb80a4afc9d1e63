import type { Clock } from '../../adapters/clock.ts';
import type { KentroClient, KentroFieldValues } from '../../adapters/kentro/kentro-client.ts';
import type { OutboxPayloads, OutboxRecord } from '../../adapters/store/outbox-repository.ts';
import type { Store } from '../../adapters/store/store.ts';
import { isAppError } from '../../domain/app-error.ts';
import { type DeliveryBackoff, deliveryRetryDelayMs } from '../../domain/delivery-retry.ts';
import {
  classifyFailure,
  type DeliveryFailure,
  decideAfterFailure,
  isRepeatable,
} from '../../domain/outbox-delivery-policy.ts';
import type { Logger } from '../../logging/logger.ts';

export interface OutboxDeps {
  readonly store: Store;
  readonly kentro: KentroClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly backoff: DeliveryBackoff;
}

export type DeliveryResult = 'delivered' | 'retry' | 'parked';

/**
 * Calls Kentro for one row. Updates set values and stage moves are read back, so those two may be
 * repeated; a note or a template sent twice is seen twice (see domain/outbox-delivery-policy.ts).
 */
async function send(kentro: KentroClient, item: OutboxRecord): Promise<void> {
  const id = item.opportunityId;
  switch (item.kind) {
    case 'update': {
      const p = item.payload as OutboxPayloads['update'];
      await kentro.updateOpportunity(id, {
        ...(p.value !== undefined ? { value: p.value } : {}),
        ...(p.fields ? { fields: p.fields as KentroFieldValues } : {}),
      });
      return;
    }
    case 'stage': {
      const p = item.payload as OutboxPayloads['stage'];
      await kentro.changeOpportunityStage(id, p.stageId);
      return;
    }
    case 'note': {
      const p = item.payload as OutboxPayloads['note'];
      await kentro.insertOpportunityNote(id, p.text);
      return;
    }
    case 'wa_template': {
      const p = item.payload as OutboxPayloads['wa_template'];
      await kentro.sendWaTemplate({
        number: p.number,
        params: p.params,
        ...(p.templateId !== undefined ? { templateId: p.templateId } : {}),
      });
      return;
    }
  }
}

function failureOf(err: unknown): DeliveryFailure {
  if (!isAppError(err)) return { code: undefined };
  const d = (err.detail ?? {}) as { operation?: unknown; httpStatus?: unknown; reason?: unknown };
  return {
    code: err.code,
    operation: typeof d.operation === 'string' ? d.operation : undefined,
    httpStatus: typeof d.httpStatus === 'number' ? d.httpStatus : undefined,
    reason: typeof d.reason === 'string' ? d.reason : undefined,
  };
}

function describe(item: OutboxRecord): Record<string, unknown> {
  return {
    outboxId: item.id,
    kind: item.kind,
    opportunityId: item.opportunityId,
    flowId: item.flowId,
  };
}

/** Delivers one row and records the result (delivered, retry later, or parked with the reason). */
export async function deliverOutboxItem(deps: OutboxDeps, item: OutboxRecord): Promise<DeliveryResult> {
  const { store, clock, logger } = deps;
  const repeatable = isRepeatable(item.kind);
  if (!repeatable) {
    if (item.sendingAt !== null) {
      // An earlier attempt started and its result was never recorded: the process stopped mid-call.
      const message = 'o processo parou durante o envio ao Kentro; não se sabe se foi aplicado';
      store.outbox.park(item.id, 'interrupted', message, clock.now());
      logger.error('CRM update parked: the process stopped while sending it', describe(item));
      return 'parked';
    }
    // Committed before the call, so a crash during it is noticed on the next start.
    if (!store.outbox.markSending(item.id, clock.now())) return 'retry';
  }
  try {
    await send(deps.kentro, item);
  } catch (err) {
    const now = clock.now();
    const message = err instanceof Error ? err.message : String(err);
    const decision = decideAfterFailure(item.kind, classifyFailure(failureOf(err)));
    if (decision.action === 'park') {
      store.outbox.park(item.id, decision.reason, message, now);
      logger.error(
        decision.reason === 'refused'
          ? 'CRM update parked (Kentro refused it)'
          : 'CRM update parked: Kentro may have applied it, an operator must check before retrying',
        { ...describe(item), reason: decision.reason, error: message },
      );
      return 'parked';
    }
    const delay = deliveryRetryDelayMs(item.attempts + 1, deps.backoff, item.id);
    store.outbox.markRetry(item.id, message, now + delay, now);
    logger.warn('CRM update failed, will retry', {
      ...describe(item),
      attempts: item.attempts + 1,
      delayMs: delay,
      error: message,
    });
    return 'retry';
  }
  store.outbox.markDelivered(item.id, clock.now());
  logger.debug('CRM update delivered', describe(item));
  return 'delivered';
}

export interface RelayReport {
  readonly delivered: number;
  readonly retried: number;
  readonly parked: number;
}

/**
 * Delivers what is due: the head row of each opportunity, up to `concurrency` opportunities at once,
 * repeating while heads keep being delivered (the next row of an opportunity is due right after).
 * Stops early when `shouldStop` says so; an unfinished row stays pending.
 */
export async function relayOutbox(
  deps: OutboxDeps,
  opts: { readonly batch: number; readonly concurrency: number; readonly shouldStop?: () => boolean },
): Promise<RelayReport> {
  const report = { delivered: 0, retried: 0, parked: 0 };
  const stop = opts.shouldStop ?? (() => false);
  for (let round = 0; round < 1000 && !stop(); round++) {
    const due = deps.store.outbox.due(deps.clock.now(), opts.batch);
    if (due.length === 0) break;
    let next = 0;
    const lane = async () => {
      while (next < due.length && !stop()) {
        const item = due[next++] as OutboxRecord;
        const r = await deliverOutboxItem(deps, item);
        if (r === 'delivered') report.delivered++;
        else if (r === 'retry') report.retried++;
        else report.parked++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, due.length)) }, lane));
    // Nothing moved forward in this round: what is left waits for its retry time.
    if (due.every((d) => deps.store.outbox.get(d.id)?.status === 'pending')) break;
  }
  return report;
}
