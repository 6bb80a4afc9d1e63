import { createHash } from 'node:crypto';
import type { Clock } from '../../adapters/clock.ts';
import type { Store } from '../../adapters/store/store.ts';

/** What we read out of a V8 webhook body; every field is optional (payloads vary, §1.13). */
export interface WebhookFacts {
  readonly type: string | undefined;
  readonly kind: 'handshake' | 'consult' | 'operation' | 'unknown';
  /** consultId / operationId. */
  readonly subjectId: string | undefined;
  readonly status: string | undefined;
  readonly timestamp: string | undefined;
  readonly description: string | null | undefined;
  readonly document: string | undefined;
  /** availableMarginValue as sent (a hint: never stored, only a reason to read V8 at once). */
  readonly margin: string | undefined;
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Reads the facts of a payload, looking in `data`/`result` too as LC does (V8 payloads vary). */
export function webhookFacts(payload: unknown): WebhookFacts {
  const top = record(payload);
  const nested = { ...record(top.result), ...record(top.data) };
  const get = (...keys: string[]) => {
    for (const k of keys) {
      const v = text(top[k]) ?? text(nested[k]);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const type = get('type', 'event');
  const consultId = get('consultId', 'consult_id');
  const operationId = get('operationId', 'operation_id');
  const lower = type?.toLowerCase() ?? '';
  const kind: WebhookFacts['kind'] =
    lower === 'webhook.test' || lower === 'webhook.registered'
      ? 'handshake'
      : lower.includes('operation') || (operationId !== undefined && !lower.includes('consult'))
        ? 'operation'
        : lower.includes('consult') || consultId !== undefined
          ? 'consult'
          : 'unknown';
  const descriptionRaw = 'description' in top ? top.description : nested.description;
  return {
    type,
    kind,
    subjectId: kind === 'operation' ? operationId : kind === 'consult' ? (consultId ?? get('id')) : undefined,
    status: get('status'),
    timestamp: get('timestamp'),
    description: descriptionRaw === null ? null : text(descriptionRaw),
    document: get('document', 'documentNumber'),
    margin: get('availableMarginValue'),
  };
}

/**
 * The key that makes a redelivery of the same event a duplicate: kind, subject, status and V8's
 * timestamp when the payload has them; otherwise a hash of the exact body. (Even when V8 re-sends an
 * event with a new timestamp, statuses never move backwards, so it changes nothing.)
 */
export function webhookDedupeKey(rawBody: string, facts: WebhookFacts | undefined): string {
  if (facts?.subjectId && facts.status) {
    return [facts.kind, facts.subjectId, facts.status.toUpperCase(), facts.timestamp ?? '-'].join('|');
  }
  return `sha256|${createHash('sha256').update(rawBody).digest('hex')}`;
}

export interface ReceivedWebhook {
  readonly eventId: number;
  readonly duplicate: boolean;
  readonly subjectKey: string;
}

/** Stores the raw event first (before any processing); a duplicate is recognized, not stored twice. */
export function receiveWebhook(deps: { store: Store; clock: Clock }, rawBody: string): ReceivedWebhook {
  let facts: WebhookFacts | undefined;
  try {
    facts = webhookFacts(JSON.parse(rawBody));
  } catch {
    facts = undefined;
  }
  const r = deps.store.webhookEvents.insert(
    {
      dedupeKey: webhookDedupeKey(rawBody, facts),
      type: facts?.type,
      subjectId: facts?.subjectId,
      body: rawBody,
    },
    deps.clock.now(),
  );
  return { eventId: r.id, duplicate: r.duplicate, subjectKey: facts?.subjectId ?? `event:${r.id}` };
}
