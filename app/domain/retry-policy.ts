/**
 * When and how long to wait before repeating a V8 call. Only idempotent calls (GET) are repeated,
 * and only for answers that say "try again" (429 and 5xx): a POST that timed out or failed may
 * have been applied, so repeating it could create a second consult or operation.
 */
export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** Longest wait we accept; a longer Retry-After is surfaced to the caller instead of waited for. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 10_000 };

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase());
}

/** 429 (rate limited) and 5xx (upstream trouble) are the only answers worth repeating. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === 429 || (status !== undefined && status >= 500 && status <= 599);
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so callers do not retry in lockstep. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (exp / 2) * Math.min(1, Math.max(0, random)));
}

export interface RetryQuestion {
  readonly method: string;
  /** HTTP status of the failed attempt; undefined for a timeout or network error. */
  readonly status: number | undefined;
  /** 1-based number of the attempt that just failed. */
  readonly attempt: number;
  readonly retryAfterMs: number | undefined;
  /** A number in [0, 1) (Math.random in production, fixed in tests). */
  readonly random: number;
}

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | {
      readonly retry: false;
      readonly reason: 'not_idempotent' | 'not_retryable' | 'attempts_exhausted' | 'retry_after_too_long';
    };

export function decideRetry(q: RetryQuestion, policy: RetryPolicy = DEFAULT_RETRY_POLICY): RetryDecision {
  if (!isRetryableStatus(q.status)) return { retry: false, reason: 'not_retryable' };
  if (!isIdempotentMethod(q.method)) return { retry: false, reason: 'not_idempotent' };
  if (q.attempt >= policy.maxAttempts) return { retry: false, reason: 'attempts_exhausted' };
  if (q.retryAfterMs !== undefined) {
    if (q.retryAfterMs > policy.maxDelayMs) return { retry: false, reason: 'retry_after_too_long' };
    return { retry: true, delayMs: q.retryAfterMs };
  }
  return { retry: true, delayMs: backoffDelayMs(q.attempt, policy, q.random) };
}
