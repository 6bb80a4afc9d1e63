import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits for a condition with a deadline instead of sleeping a fixed time: a busy machine only makes
 * the wait longer, never the test wrong. The message says what was awaited.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  message: () => string = () => 'condition not met',
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${message()} (after ${timeoutMs} ms)`);
    await sleep(intervalMs);
  }
}

/** Reads until `done(value)` holds and returns that value; the error shows the last value read. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs: number,
  what: () => string,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what()} (waited ${timeoutMs} ms): ${JSON.stringify(v)}`);
    await sleep(intervalMs);
  }
}
