import { performance } from 'node:perf_hooks';

/** Sliding 1-second window of request times per account (wall clock, not the fake clock). */
export class RateWindow {
  private readonly windows = new Map<string, number[]>();

  /** Records a request and returns how many the account made in the last second, this one included. */
  hit(account: string, at = performance.now()): number {
    const times = this.windows.get(account) ?? [];
    while (times.length > 0 && (times[0] ?? 0) <= at - 1000) times.shift();
    times.push(at);
    this.windows.set(account, times);
    return times.length;
  }

  clear(): void {
    this.windows.clear();
  }
}

/** Rolling-window counter of consult creations per account (fake clock: tests can advance it). */
export class HourlyQuota {
  private readonly events = new Map<string, number[]>();

  /**
   * Ms until a slot frees up if the account is at `limit` in the last `windowMs` (default one hour),
   * else 0 (and the event is counted).
   */
  take(account: string, limit: number, now: number, windowMs = 3_600_000): number {
    const list = (this.events.get(account) ?? []).filter((t) => t > now - windowMs);
    this.events.set(account, list);
    if (limit > 0 && list.length >= limit) return (list[list.length - limit] ?? now) + windowMs - now;
    list.push(now);
    return 0;
  }

  clear(): void {
    this.events.clear();
  }
}

export const RATE_LIMIT_MESSAGE = 'Limite de requisições excedido';
