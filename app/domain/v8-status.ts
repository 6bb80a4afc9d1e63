/**
 * V8 status vocabularies and what they mean for us. Consult lifecycle:
 * WAITING_CONSENT -> CONSENT_APPROVED -> WAITING_CONSULT -> WAITING_CREDIT_ANALYSIS -> SUCCESS | REJECTED,
 * and FAILED from any waiting state. ERROR and CANCELED were never seen emitted but are handled.
 */
export const CONSULT_STATUSES = [
  'WAITING_CONSENT',
  'CONSENT_APPROVED',
  'WAITING_CONSULT',
  'WAITING_CREDIT_ANALYSIS',
  'SUCCESS',
  'REJECTED',
  'FAILED',
  'ERROR',
  'CANCELED',
] as const;
export type ConsultStatus = (typeof CONSULT_STATUSES)[number];

const CONSULT_TERMINAL: ReadonlySet<string> = new Set(['SUCCESS', 'REJECTED', 'FAILED', 'ERROR', 'CANCELED']);
const CONSULT_ORDER: Readonly<Record<string, number>> = {
  WAITING_CONSENT: 0,
  CONSENT_APPROVED: 1,
  WAITING_CONSULT: 2,
  WAITING_CREDIT_ANALYSIS: 3,
};

export function isKnownConsultStatus(status: string): status is ConsultStatus {
  return (CONSULT_STATUSES as readonly string[]).includes(status);
}

/** SUCCESS, REJECTED, FAILED (and the defensive ERROR, CANCELED) end a consult. */
export function isTerminalConsultStatus(status: string): boolean {
  return CONSULT_TERMINAL.has(status.toUpperCase());
}

/**
 * What a waiting flow can act on: a final status, or WAITING_CREDIT_ANALYSIS that already shows a
 * margin (the credit analysis can hang for long; the old service simulated on it, and V8 itself
 * answers the simulation).
 */
export function isConsultUsable(c: { readonly status: string; readonly margin: number | null }): boolean {
  if (isTerminalConsultStatus(c.status)) return true;
  return c.status.toUpperCase() === 'WAITING_CREDIT_ANALYSIS' && c.margin !== null && c.margin > 0;
}

/** Only SUCCESS carries a usable margin; CONSENT_APPROVED is not a result. */
export function isPositiveConsultStatus(status: string): boolean {
  return status.toUpperCase() === 'SUCCESS';
}

/**
 * Whether a consult may move from `from` to `to` (used to ignore stale or out-of-order updates,
 * e.g. a late webhook). Staying in the same status is allowed; a terminal status never changes;
 * waiting states only move forward or to a terminal status. Unknown statuses are accepted so a new
 * V8 status never blocks an update.
 */
export function canConsultTransition(from: string, to: string): boolean {
  const f = from.toUpperCase();
  const t = to.toUpperCase();
  if (f === t) return true;
  if (!isKnownConsultStatus(f) || !isKnownConsultStatus(t)) return true;
  if (CONSULT_TERMINAL.has(f)) return false;
  // A result (SUCCESS/REJECTED) needs the consent first; a failure can happen at any point.
  if (t === 'SUCCESS' || t === 'REJECTED') return f !== 'WAITING_CONSENT';
  if (CONSULT_TERMINAL.has(t)) return true;
  return (CONSULT_ORDER[t] ?? 0) > (CONSULT_ORDER[f] ?? 0);
}

export const OPERATION_STATUSES = [
  'generating_ccb',
  'formalization',
  'analysis',
  'manual_analysis',
  'awaiting_call',
  'processing',
  'pending',
  'paid',
  'awaiting_cancel',
  'canceled',
  'refunded',
  'rejected',
] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

const OPERATION_TERMINAL: ReadonlySet<string> = new Set(['paid', 'canceled', 'refunded', 'rejected']);

export function isTerminalOperationStatus(status: string): boolean {
  return OPERATION_TERMINAL.has(status.toLowerCase());
}

/** An operation can still be cancelled while it is not final and no cancellation is under way. */
export function isCancellableOperationStatus(status: string): boolean {
  const s = status.toLowerCase();
  return !OPERATION_TERMINAL.has(s) && s !== 'awaiting_cancel';
}
