import { AppError } from '../../domain/app-error.ts';
import {
  type BreakerOptions,
  type BreakerOutcome,
  type BreakerState,
  breakerAdmit,
  breakerRecord,
  CLOSED,
  DEFAULT_BREAKER_OPTIONS,
} from '../../domain/breaker-policy.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Clock } from '../clock.ts';

/** Holds one client's breaker state; the transitions are the pure functions of breaker-policy. */
export class CircuitBreaker {
  private state: BreakerState = CLOSED;
  private readonly opts: BreakerOptions;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;

  constructor(clock: Clock, opts: Partial<BreakerOptions> = {}, logger?: Logger) {
    this.clock = clock;
    this.opts = { ...DEFAULT_BREAKER_OPTIONS, ...opts };
    this.logger = logger;
  }

  get current(): BreakerState {
    return this.state;
  }

  /** Throws `upstream_unavailable` (503) at once while the breaker is open. */
  admit(): void {
    const a = breakerAdmit(this.state, this.clock.now(), this.opts);
    this.state = a.state;
    if (!a.admitted) {
      const retryAfterS = Math.max(1, Math.ceil((a.retryInMs ?? 1000) / 1000));
      throw new AppError(
        'upstream_unavailable',
        `V8 is unavailable: ${this.opts.failureThreshold} calls in a row failed, so calls are paused for ` +
          `${Math.round(this.opts.coolDownMs / 1000)} s to let V8 recover; try again in ${retryAfterS} s`,
        { retryAfterS },
      );
    }
  }

  record(outcome: BreakerOutcome): void {
    const before = this.state.kind;
    this.state = breakerRecord(this.state, outcome, this.clock.now(), this.opts);
    if (before !== this.state.kind)
      this.logger?.warn('v8 circuit breaker', { from: before, to: this.state.kind });
  }
}
