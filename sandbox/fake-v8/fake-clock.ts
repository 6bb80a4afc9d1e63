/** Anything with `now()` in epoch ms (the app's `Clock` fits). */
export interface TimeSource {
  now(): number;
}

/**
 * The fake's notion of time (token expiry, createdAt, quotas): an injectable source plus an
 * offset that `advance()` moves, so tests can expire tokens without sleeping.
 */
export class FakeClock {
  private offsetMs = 0;
  private readonly source: TimeSource;

  constructor(source: TimeSource = { now: () => Date.now() }) {
    this.source = source;
  }

  now(): number {
    return this.source.now() + this.offsetMs;
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  resetOffset(): void {
    this.offsetMs = 0;
  }
}
