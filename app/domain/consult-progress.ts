import { isTerminalConsultStatus } from './v8-status.ts';

/**
 * Status updates reach us from webhooks (possibly repeated, possibly out of order), from polling and
 * from our own calls. A status we know never goes backwards: these functions decide whether an
 * incoming status replaces the one we hold. Unknown statuses are taken (a new V8 status must never
 * block updates) unless what we hold is final.
 */

const CONSULT_RANK: Readonly<Record<string, number>> = {
  WAITING_CONSENT: 0,
  CONSENT_APPROVED: 1,
  WAITING_CONSULT: 2,
  WAITING_CREDIT_ANALYSIS: 3,
};

/**
 * True when `incoming` should replace `current` (undefined: we knew nothing yet). Waiting states only
 * move forward; any waiting state may jump to a result (we miss intermediate webhooks, and a result
 * proves the consent happened even if we never saw CONSENT_APPROVED); a result is final.
 */
export function consultStatusAdvances(current: string | undefined, incoming: string): boolean {
  if (current === undefined) return true;
  const f = current.toUpperCase();
  const t = incoming.toUpperCase();
  if (f === t) return false;
  if (isTerminalConsultStatus(f)) return false;
  if (isTerminalConsultStatus(t)) return true;
  const rf = CONSULT_RANK[f];
  const rt = CONSULT_RANK[t];
  if (rf === undefined || rt === undefined) return true;
  return rt > rf;
}

/**
 * Operation order (reference §1.11): generating_ccb -> formalization -> analysis / manual_analysis /
 * awaiting_call / pending (these move among themselves: a pendency interrupts analysis and returns to
 * it) -> processing -> paid. awaiting_cancel -> canceled; rejected, canceled and refunded are final;
 * paid only moves on to refunded.
 */
const OPERATION_RANK: Readonly<Record<string, number>> = {
  generating_ccb: 0,
  formalization: 1,
  analysis: 2,
  manual_analysis: 2,
  awaiting_call: 2,
  pending: 2,
  processing: 3,
  awaiting_cancel: 4,
};
const OPERATION_FINAL = new Set(['canceled', 'rejected', 'refunded']);

export function operationStatusAdvances(current: string | undefined, incoming: string): boolean {
  if (current === undefined) return true;
  const f = current.toLowerCase();
  const t = incoming.toLowerCase();
  if (f === t) return false;
  if (OPERATION_FINAL.has(f)) return false;
  if (f === 'paid') return t === 'refunded';
  if (t === 'paid' || OPERATION_FINAL.has(t)) return true;
  const rf = OPERATION_RANK[f];
  const rt = OPERATION_RANK[t];
  if (rf === undefined || rt === undefined) return true;
  if (f === 'awaiting_cancel') return false;
  // Same rank: analysis <-> pending and friends are real moves (we re-read V8 before acting anyway).
  return rt >= rf;
}
