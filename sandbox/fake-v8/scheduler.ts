export type StepKind = 'consult' | 'operation';

interface Pending {
  kind: StepKind;
  id: string;
  run: () => void;
  timer: NodeJS.Timeout | undefined;
}

export interface AdvanceOptions {
  kind?: StepKind;
  id?: string;
  /** Keep firing (including steps scheduled by fired steps) until nothing matching is pending. */
  untilIdle?: boolean;
}

/**
 * Pending lifecycle steps (one per consult/operation). With `auto` they fire on real timers;
 * either way a test can fire them now with `advance()` instead of waiting.
 */
export class Scheduler {
  private readonly pending = new Map<string, Pending>();
  auto: boolean;

  constructor(auto: boolean) {
    this.auto = auto;
  }

  /** Replaces any step already pending for the same object. */
  schedule(kind: StepKind, id: string, delayMs: number, run: () => void): void {
    this.cancel(kind, id);
    const key = `${kind}:${id}`;
    const entry: Pending = { kind, id, run, timer: undefined };
    if (this.auto) {
      entry.timer = setTimeout(() => this.fire(key), Math.max(0, delayMs));
      entry.timer.unref();
    }
    this.pending.set(key, entry);
  }

  cancel(kind: StepKind, id: string): void {
    const key = `${kind}:${id}`;
    const entry = this.pending.get(key);
    if (entry?.timer) clearTimeout(entry.timer);
    this.pending.delete(key);
  }

  /** Fires matching pending steps now; returns how many fired. */
  advance(opts: AdvanceOptions = {}): number {
    let fired = 0;
    const limit = 10_000;
    for (;;) {
      const keys = [...this.pending.entries()]
        .filter(([, p]) => (!opts.kind || p.kind === opts.kind) && (!opts.id || p.id === opts.id))
        .map(([k]) => k);
      if (keys.length === 0) break;
      for (const key of keys) {
        if (this.fire(key)) fired++;
      }
      if (!opts.untilIdle || fired >= limit) break;
    }
    return fired;
  }

  size(): number {
    return this.pending.size;
  }

  clear(): void {
    for (const p of this.pending.values()) if (p.timer) clearTimeout(p.timer);
    this.pending.clear();
  }

  private fire(key: string): boolean {
    const entry = this.pending.get(key);
    if (!entry) return false;
    if (entry.timer) clearTimeout(entry.timer);
    this.pending.delete(key);
    entry.run();
    return true;
  }
}
