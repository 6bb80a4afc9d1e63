import type { Logger } from '../logging/logger.ts';

export interface PeriodicWorkerOptions {
  readonly name: string;
  /** Pause between two runs when there was nothing (more) to do. */
  readonly tickMs: number;
  readonly logger: Logger;
  /** One pass; resolves true when it did something and may have more (run again at once). */
  readonly runOnce: () => Promise<boolean>;
}

/**
 * A loop that runs `runOnce` every `tickMs`, or at once after `wake()`. Runs never overlap. `stop()`
 * lets the current run finish (runs check `stopping` between items) and then resolves.
 */
export class PeriodicWorker {
  private readonly o: PeriodicWorkerOptions;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private wakeRequested = false;
  private started = false;
  private stopped = false;

  constructor(o: PeriodicWorkerOptions) {
    this.o = o;
  }

  get stopping(): boolean {
    return this.stopped;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** Run as soon as possible (a hint that work arrived). */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.current) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.current = this.run().finally(() => {
        this.current = undefined;
      });
    }, ms);
  }

  private async run(): Promise<void> {
    let more = false;
    this.wakeRequested = false;
    try {
      more = await this.o.runOnce();
    } catch (err) {
      this.o.logger.error(`${this.o.name} worker pass failed`, {
        error: err instanceof Error ? err.message : String(err),
      });
    }
    if (!this.stopped) this.schedule(more || this.wakeRequested ? 0 : this.o.tickMs);
  }
}
