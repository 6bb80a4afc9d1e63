/**
 * When to try again a delivery that failed for a reason that may pass (Kentro down, timeout, 5xx,
 * rate limit, credentials being fixed): exponential backoff from `baseMs`, capped at `maxMs`, with a
 * deterministic jitter of up to +20% derived from the row id, so a backlog does not retry in lockstep
 * and tests stay reproducible. Attempts are never exhausted: an update waits until it is delivered.
 */
export interface DeliveryBackoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** `attempt` is the 1-based number of the attempt that just failed; `seed` any integer (the row id). */
export function deliveryRetryDelayMs(attempt: number, backoff: DeliveryBackoff, seed = 0): number {
  const n = Math.max(1, Math.floor(attempt));
  const exp = backoff.baseMs * 2 ** Math.min(n - 1, 30);
  const capped = Math.min(backoff.maxMs, exp);
  const jitter = ((Math.abs(Math.trunc(seed)) * 7919 + n * 104729) % 21) / 100;
  return Math.min(backoff.maxMs, Math.round(capped * (1 + jitter)));
}

/** Error codes that repeating cannot fix: the row is parked with the error visible. */
const PERMANENT = new Set(['invalid_data', 'not_found', 'rejected', 'conflict', 'already_exists']);

export function isPermanentDeliveryError(code: string | undefined): boolean {
  return code !== undefined && PERMANENT.has(code);
}
