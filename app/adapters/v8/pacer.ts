import { type PaceLimits, paceDecision, recentStarts } from '../../domain/pacer-policy.ts';
import type { Clock } from '../clock.ts';

/** Runs `fn` after `ms`; injectable so tests drive time with a manual clock. */
export type Scheduler = (ms: number, fn: () => void) => void;

export const realScheduler: Scheduler = (ms, fn) => {
  setTimeout(fn, ms);
};

export interface PacerOptions {
  readonly maxRps: number;
  readonly maxConcurrency: number;
  /**
   * Length of the rate window. Slightly over one second by default: requests leave here paced to
   * the millisecond but reach V8 with network jitter, which could squeeze one extra into V8's second.
   */
  readonly windowMs?: number;
  readonly clock: Clock;
  readonly schedule?: Scheduler;
}

export const PACER_WINDOW_MS = 1050;

/**
 * FIFO gate in front of every V8 call of one client: at most `maxRps` starts per window and at
 * most `maxConcurrency` in flight, so this service does not provoke V8's 429s itself. Hand-written
 * (about 60 lines over the pure `paceDecision`) because it must share the injectable clock.
 */
export class Pacer {
  private readonly limits: PaceLimits;
  private readonly clock: Clock;
  private readonly schedule: Scheduler;
  private starts: number[] = [];
  private inFlight = 0;
  private readonly queue: ((grantedAt: number) => void)[] = [];
  private timerArmed = false;

  constructor(opts: PacerOptions) {
    this.limits = {
      maxPerWindow: opts.maxRps,
      windowMs: opts.windowMs ?? PACER_WINDOW_MS,
      maxConcurrency: opts.maxConcurrency,
    };
    this.clock = opts.clock;
    this.schedule = opts.schedule ?? realScheduler;
  }

  /** Calls waiting for a slot (observability and tests). */
  get waiting(): number {
    return this.queue.length;
  }

  get running(): number {
    return this.inFlight;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const grantedAt = await new Promise<number>((resolve) => {
      this.queue.push(resolve);
      this.pump();
    });
    try {
      return await fn();
    } finally {
      // From now on the call counts from when its answer came: V8 saw it somewhere between start
      // and answer, so however the network or a busy event loop delays it, the next call that
      // takes this slot reaches V8 at least one window after this one did.
      const i = this.starts.indexOf(grantedAt);
      if (i >= 0) this.starts.splice(i, 1);
      this.starts.push(this.clock.now());
      this.starts.sort((a, b) => a - b);
      this.inFlight--;
      this.pump();
    }
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const now = this.clock.now();
      this.starts = recentStarts(this.starts, now, this.limits.windowMs);
      const decision = paceDecision({ starts: this.starts, inFlight: this.inFlight }, now, this.limits);
      if (decision.kind === 'full') return; // a finishing call pumps again
      if (decision.kind === 'wait') {
        if (!this.timerArmed) {
          this.timerArmed = true;
          this.schedule(decision.ms, () => {
            this.timerArmed = false;
            this.pump();
          });
        }
        return;
      }
      this.starts.push(now);
      this.inFlight++;
      (this.queue.shift() as (grantedAt: number) => void)(now);
    }
  }
}
