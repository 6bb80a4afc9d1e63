/**
 * Pacing decision for calls to an upstream with two limits: at most `maxPerWindow` call starts in
 * any sliding window of `windowMs`, and at most `maxConcurrency` calls in flight.
 */
export interface PaceLimits {
  readonly maxPerWindow: number;
  readonly windowMs: number;
  readonly maxConcurrency: number;
}

export interface PaceState {
  /** Start times of earlier calls, ascending. */
  readonly starts: readonly number[];
  readonly inFlight: number;
}

export type PaceDecision =
  | { readonly kind: 'go' }
  /** The rate budget is spent: the next start is allowed in `ms`. */
  | { readonly kind: 'wait'; readonly ms: number }
  /** Every concurrency slot is taken: wait for a call to finish. */
  | { readonly kind: 'full' };

/** Drops starts that no longer count: only those in (now - windowMs, now] do. */
export function recentStarts(starts: readonly number[], now: number, windowMs: number): number[] {
  return starts.filter((s) => s > now - windowMs);
}

export function paceDecision(state: PaceState, now: number, limits: PaceLimits): PaceDecision {
  if (state.inFlight >= limits.maxConcurrency) return { kind: 'full' };
  const recent = recentStarts(state.starts, now, limits.windowMs);
  if (recent.length < limits.maxPerWindow) return { kind: 'go' };
  // The start that has to leave the window before another may begin.
  const blocking = recent[recent.length - limits.maxPerWindow] as number;
  return { kind: 'wait', ms: Math.max(1, blocking + limits.windowMs - now) };
}
