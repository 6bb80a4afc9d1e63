import { isPermanentDeliveryError } from './delivery-retry.ts';

/**
 * What a failed delivery to Kentro means, and what the outbox does next. A note or a WhatsApp template
 * applied twice reaches the borrower twice, so for those kinds a call whose outcome is unknown is never
 * repeated blindly. Kentro offers no way to read either back (OpportunityObject carries no notes;
 * sendWaTemplate answers no id that checkEnqueuedMessage could look up), so such a row is parked for
 * an operator. Value/field updates and stage moves set a state: repeating them is harmless.
 */

export type OutboxKindName = 'update' | 'stage' | 'note' | 'wa_template';

/** Kinds whose second application changes nothing. */
const REPEATABLE: ReadonlySet<OutboxKindName> = new Set(['update', 'stage']);

export function isRepeatable(kind: OutboxKindName): boolean {
  return REPEATABLE.has(kind);
}

/**
 * not_sent: the request provably never left (refused connection, name not resolved, or stopped before
 * any request). not_applied: Kentro (or the web app in front of it) answered without running the
 * operation. refused: Kentro refused the data; repeating cannot help. unknown: it may have been applied.
 */
export type FailureClass = 'not_sent' | 'not_applied' | 'refused' | 'unknown';

/** The error as the relay sees it: AppError code and the Kentro error detail, when there is one. */
export interface DeliveryFailure {
  /** undefined: not an AppError (an unexpected exception, anywhere in the call). */
  readonly code: string | undefined;
  /** The Kentro operation the error came from; undefined when no request was made. */
  readonly operation?: string | undefined;
  readonly httpStatus?: number | undefined;
  /** Transport error code (ECONNREFUSED…), 'timeout', or the kind of bad answer (html, json, empty). */
  readonly reason?: string | undefined;
}

/** Errors raised before a byte was written: the connection or the name lookup failed. */
const NEVER_LEFT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Answers that mean "not run": auth (401), request timeout before processing (408), rate limit (429)
 * and Kentro's documented queue-unavailable 503 are all decided before the operation runs.
 */
const NOT_RUN_STATUS = new Set([401, 408, 429, 503]);

export function classifyFailure(f: DeliveryFailure): FailureClass {
  if (f.code === undefined) return 'unknown';
  if (f.operation === undefined) {
    // Raised by our own checks before any request (bad id, missing setting).
    return isPermanentDeliveryError(f.code) ? 'refused' : 'not_sent';
  }
  const http = f.httpStatus;
  if (http === undefined) {
    if (f.reason !== undefined && NEVER_LEFT.has(f.reason)) return 'not_sent';
    // A timeout, a reset connection, a read-back that disagreed: the write may have happened.
    return 'unknown';
  }
  if (http >= 200 && http < 300) {
    // The web app's HTML page answered: the request never reached the API. A 2xx body we could not
    // read came from the API itself, which most likely ran the operation.
    return f.reason === 'html' ? 'not_applied' : 'unknown';
  }
  if (NOT_RUN_STATUS.has(http)) return 'not_applied';
  if (http >= 400 && http < 500) return 'refused';
  if (isPermanentDeliveryError(f.code)) return 'refused';
  // 500, 502, 504…: a server or gateway failed somewhere after the request arrived.
  return 'unknown';
}

export type FailureDecision =
  | { readonly action: 'retry' }
  | { readonly action: 'park'; readonly reason: 'refused' | 'unknown_outcome' };

export function decideAfterFailure(kind: OutboxKindName, failure: FailureClass): FailureDecision {
  switch (failure) {
    case 'refused':
      return { action: 'park', reason: 'refused' };
    case 'not_sent':
    case 'not_applied':
      return { action: 'retry' };
    case 'unknown':
      return isRepeatable(kind) ? { action: 'retry' } : { action: 'park', reason: 'unknown_outcome' };
  }
}
