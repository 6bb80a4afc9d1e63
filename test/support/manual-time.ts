import { ManualClock } from '../../app/adapters/clock.ts';
import type { Scheduler } from '../../app/adapters/v8/pacer.ts';

/**
 * A manual clock with a scheduler bound to it, for the pacer and anything else that takes a
 * `Scheduler`: nothing fires until the test moves time with `tick`, so pacing is tested without
 * waiting and without depending on how busy the machine is.
 */
export interface ManualTime {
  readonly clock: ManualClock;
  readonly schedule: Scheduler;
  /** Timers armed and not fired yet. */
  pending(): number;
  /** Moves time by `ms`, fires every timer now due, then lets the woken work run. */
  tick(ms: number): Promise<void>;
}

export function manualTime(start = 0): ManualTime {
  const clock = new ManualClock(start);
  let timers: { at: number; fn: () => void }[] = [];
  return {
    clock,
    schedule: (ms, fn) => {
      timers.push({ at: clock.now() + ms, fn });
    },
    pending: () => timers.length,
    async tick(ms) {
      clock.advance(ms);
      const due = timers.filter((t) => t.at <= clock.now());
      timers = timers.filter((t) => t.at > clock.now());
      for (const t of due) t.fn();
      await new Promise((r) => setImmediate(r));
    },
  };
}
