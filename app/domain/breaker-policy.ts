/**
 * Circuit breaker as a pure state machine. After `failureThreshold` consecutive upstream failures
 * (5xx, timeouts, network errors) it opens and calls fail fast; after `coolDownMs` one trial call is
 * let through (half-open): its success closes the breaker, its failure opens it again.
 */
export interface BreakerOptions {
  readonly failureThreshold: number;
  readonly coolDownMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = { failureThreshold: 5, coolDownMs: 30_000 };

export type BreakerState =
  | { readonly kind: 'closed'; readonly failures: number }
  | { readonly kind: 'open'; readonly openedAt: number }
  | { readonly kind: 'half_open'; readonly trialInFlight: boolean };

export const CLOSED: BreakerState = { kind: 'closed', failures: 0 };

export type BreakerOutcome = 'success' | 'failure';

export interface Admission {
  readonly admitted: boolean;
  readonly state: BreakerState;
  /** When not admitted: how long until a trial call will be let through. */
  readonly retryInMs?: number;
}

export function breakerAdmit(state: BreakerState, now: number, opts: BreakerOptions): Admission {
  switch (state.kind) {
    case 'closed':
      return { admitted: true, state };
    case 'open': {
      const elapsed = now - state.openedAt;
      if (elapsed >= opts.coolDownMs)
        return { admitted: true, state: { kind: 'half_open', trialInFlight: true } };
      return { admitted: false, state, retryInMs: opts.coolDownMs - elapsed };
    }
    case 'half_open':
      if (state.trialInFlight) return { admitted: false, state, retryInMs: 1000 };
      return { admitted: true, state: { kind: 'half_open', trialInFlight: true } };
  }
}

export function breakerRecord(
  state: BreakerState,
  outcome: BreakerOutcome,
  now: number,
  opts: BreakerOptions,
): BreakerState {
  switch (state.kind) {
    case 'closed':
      if (outcome === 'success') return state.failures === 0 ? state : CLOSED;
      return state.failures + 1 >= opts.failureThreshold
        ? { kind: 'open', openedAt: now }
        : { kind: 'closed', failures: state.failures + 1 };
    case 'open':
      // A call admitted before the breaker opened may finish late; it does not decide anything.
      return state;
    case 'half_open':
      return outcome === 'success' ? CLOSED : { kind: 'open', openedAt: now };
  }
}
