/**
 * Time left of a batch, from the rate it is actually going at: the last `window` items a flow
 * finished (or all of them since the batch started, while there are fewer). Items that end without a
 * flow (invalid, cancelled) take no time and do not count. Pure: the caller reads the times.
 */

export const ETA_WINDOW = 50;

export interface EtaInput {
  /** Items still pending or running. */
  readonly remaining: number;
  /** Items a flow finished so far. */
  readonly finished: number;
  /**
   * Finish times (ms) of the newest finished items, newest first, at most `window + 1` of them: the
   * extra one marks where the window starts.
   */
  readonly recentFinishes: readonly number[];
  /** When the batch started feeding (ms); null while queued. */
  readonly startedAt: number | null;
  readonly now: number;
  readonly window?: number;
}

/** Seconds left (rounded up), 0 when nothing remains, null while there is no rate to go by. */
export function batchEtaSeconds(i: EtaInput): number | null {
  if (i.remaining <= 0) return 0;
  if (i.finished <= 0 || i.startedAt === null) return null;
  const window = i.window ?? ETA_WINDOW;
  let done: number;
  let since: number;
  const edge = i.recentFinishes[window];
  if (i.finished > window && edge !== undefined) {
    done = window;
    since = edge;
  } else {
    done = i.finished;
    since = i.startedAt;
  }
  const elapsed = Math.max(1, i.now - since);
  const perMs = done / elapsed;
  return Math.ceil(i.remaining / perMs / 1000);
}

/**
 * The time left once V8's consult quota is counted in. While the quota binds (the last consult still
 * to create must wait for a slot, `quotaReadyAt` from consult-quota's lastSlotAt) that wait is the
 * estimate: the observed rate cannot know it (the first window runs at full speed), and it is itself
 * misled by the waits (nothing finishes while flows wait, so it grows far past the real time: a bench
 * run showed 1,661 s with 234 s left). The work after the last slot is not counted. Otherwise the
 * observed rate.
 */
export function withQuotaEta(
  rateEtaS: number | null,
  quotaReadyAt: number | null,
  now: number,
): number | null {
  if (quotaReadyAt === null || quotaReadyAt <= now) return rateEtaS;
  return Math.ceil((quotaReadyAt - now) / 1000);
}
