import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deliveryRetryDelayMs, isPermanentDeliveryError } from '../../app/domain/delivery-retry.ts';
import { pollDelayMs } from '../../app/use-cases/flow/poll-consults.ts';

describe('retry delays', () => {
  test('outbox delivery: exponential from the base, jitter under 21%, capped', () => {
    const backoff = { baseMs: 2000, maxMs: 300_000 };
    const table: [number, number, number][] = [
      // attempt, lowest, highest (exp .. exp*1.2, capped)
      [1, 2000, 2400],
      [2, 4000, 4800],
      [3, 8000, 9600],
      [5, 32_000, 38_400],
      [8, 256_000, 300_000],
      [9, 300_000, 300_000],
      [50, 300_000, 300_000],
      [0, 2000, 2400],
      [-3, 2000, 2400],
    ];
    for (const [attempt, lo, hi] of table) {
      for (const seed of [0, 1, 7, 12345, -9]) {
        const d = deliveryRetryDelayMs(attempt, backoff, seed);
        assert.ok(d >= lo && d <= hi, `attempt ${attempt} seed ${seed}: ${d} not in [${lo}, ${hi}]`);
      }
    }
  });

  test('outbox delivery: deterministic per seed, and not the same for every row', () => {
    const backoff = { baseMs: 1000, maxMs: 60_000 };
    assert.equal(deliveryRetryDelayMs(3, backoff, 42), deliveryRetryDelayMs(3, backoff, 42));
    const spread = new Set([1, 2, 3, 4, 5, 6].map((seed) => deliveryRetryDelayMs(3, backoff, seed)));
    assert.ok(spread.size > 1);
  });

  test('permanent delivery errors are the ones repeating cannot fix', () => {
    const table: [string | undefined, boolean][] = [
      ['invalid_data', true],
      ['not_found', true],
      ['rejected', true],
      ['upstream_unavailable', false],
      ['upstream_error', false],
      ['timeout', false],
      ['rate_limited', false],
      ['auth_failed', false],
      ['not_configured', false],
      [undefined, false],
    ];
    for (const [code, want] of table) assert.equal(isPermanentDeliveryError(code), want, String(code));
  });

  test('consult polling: first interval doubling up to the max', () => {
    const table: [number, number][] = [
      [0, 20_000],
      [1, 40_000],
      [2, 80_000],
      [3, 120_000],
      [10, 120_000],
      [500, 120_000],
    ];
    for (const [count, want] of table) assert.equal(pollDelayMs(count, 20_000, 120_000), want, String(count));
  });
});
