import type { NewOutboxItem, OutboxKind, OutboxPayloads } from '../../adapters/store/outbox-repository.ts';
import type { Store } from '../../adapters/store/store.ts';
import type { KentroSettings } from '../../config/app-config.ts';

export type StageName = keyof KentroSettings['stages'];

/**
 * Builders of CRM updates. `scope` makes the idempotency key ("flow:<id>", "operation:<id>"): the same
 * decision taken twice (a replayed webhook, a resumed flow) maps to the same key and is queued once.
 */
export function crmItem<K extends OutboxKind>(
  scope: string,
  name: string,
  kind: K,
  opportunityId: number,
  payload: OutboxPayloads[K],
  flowId?: string,
): NewOutboxItem<K> {
  return { key: `${scope}:${name}`, kind, opportunityId, payload, ...(flowId ? { flowId } : {}) };
}

/** A stage move, or undefined when this client did not configure that stage (nothing to move to). */
export function stageItem(
  scope: string,
  opportunityId: number,
  stages: KentroSettings['stages'],
  stage: StageName,
  flowId?: string,
): NewOutboxItem<'stage'> | undefined {
  const stageId = stages[stage];
  if (stageId === undefined) return undefined;
  return crmItem(scope, `stage:${stage}`, 'stage', opportunityId, { stageId, stage }, flowId);
}

/** Queues the items (inside the caller's transaction); returns the keys that were new. */
export function enqueueAll(
  store: Store,
  items: readonly (NewOutboxItem | undefined)[],
  now: number,
): string[] {
  const added: string[] = [];
  for (const item of items) {
    if (item && store.outbox.enqueue(item, now)) added.push(item.key);
  }
  return added;
}
