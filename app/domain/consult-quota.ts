/**
 * V8's consult quota (reference §1.15: integrators treat 250 new consults per V8 login per hour as
 * V8's limit; V8 answers 429 past it). We count our own creations per login in a sliding window: a
 * consult counts until `windowMs` after it was created. A sliding window never exceeds the limit in
 * any window of that length, so it also holds if V8 resets a fixed hourly counter. Pure: the caller
 * reads the creation times and the clock.
 */

export interface QuotaRule {
  /** Consults per window; 0 = no quota. */
  readonly limit: number;
  readonly windowMs: number;
}

export interface QuotaState {
  /** Creation times (ms) of this login's consults, any order; older ones are ignored. */
  readonly used: readonly number[];
  /** V8 refused a creation with 429: nothing is created before this time (ms), whatever we counted. */
  readonly blockedUntil?: number | null | undefined;
}

export type QuotaDecision =
  | { readonly ok: true }
  /** Used up: the next consult may be created at `resumeAt`. */
  | { readonly ok: false; readonly resumeAt: number };

/** Creation times still inside the window at `now`, oldest first. */
export function inWindow(rule: QuotaRule, used: readonly number[], now: number): number[] {
  return used.filter((t) => t > now - rule.windowMs && t <= now).sort((a, b) => a - b);
}

/** May a consult be created now? When not, when the next slot frees up. */
export function quotaDecision(rule: QuotaRule, state: QuotaState, now: number): QuotaDecision {
  const blocked = state.blockedUntil ?? 0;
  if (rule.limit <= 0) return blocked > now ? { ok: false, resumeAt: blocked } : { ok: true };
  const live = inWindow(rule, state.used, now);
  let resumeAt = Math.max(blocked, now);
  if (live.length >= rule.limit) {
    // The oldest consults leave the window first; enough of them must leave to make one slot.
    const freeing = live[live.length - rule.limit] ?? now;
    resumeAt = Math.max(resumeAt, freeing + rule.windowMs);
  }
  return resumeAt > now ? { ok: false, resumeAt } : { ok: true };
}

/**
 * When the n-th of `count` more consults could be created (ms), each taking the first free slot:
 * the quota-bound part of a batch's time left. `now` when count is 0 or there is no quota.
 */
export function lastSlotAt(rule: QuotaRule, state: QuotaState, count: number, now: number): number {
  const start = Math.max(now, state.blockedUntil ?? 0);
  if (count <= 0) return now;
  if (rule.limit <= 0) return start;
  const times = inWindow(rule, state.used, now);
  let at = start;
  for (let k = 0; k < count; k++) {
    // The consult that must leave the window before this one fits: `limit` places back.
    const older = times[times.length - rule.limit];
    at = Math.max(at, older === undefined ? start : older + rule.windowMs);
    times.push(at);
  }
  return at;
}
