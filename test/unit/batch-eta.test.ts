import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchEtaSeconds } from '../../app/domain/batch-eta.ts';

const T0 = Date.parse('2026-01-01T12:00:00Z');

const TABLE: [name: string, input: Parameters<typeof batchEtaSeconds>[0], expected: number | null][] = [
  ['nothing left: 0', { remaining: 0, finished: 5, recentFinishes: [], startedAt: T0, now: T0 + 1000 }, 0],
  [
    'not started: no rate yet',
    { remaining: 10, finished: 0, recentFinishes: [], startedAt: null, now: T0 },
    null,
  ],
  [
    'started, nothing finished yet: no rate yet',
    { remaining: 10, finished: 0, recentFinishes: [], startedAt: T0, now: T0 + 60_000 },
    null,
  ],
  [
    'fewer finishes than the window: rate since the start (10 in 20 s -> 90 left in 180 s)',
    {
      remaining: 90,
      finished: 10,
      recentFinishes: [T0 + 20_000, T0 + 18_000],
      startedAt: T0,
      now: T0 + 20_000,
    },
    180,
  ],
  [
    'more finishes than the window: the recent rate counts, not the slow start',
    {
      remaining: 100,
      finished: 1000,
      // window 3: the 4th newest (T0 + 97 s) marks its start; 3 done in 3 s -> 1/s.
      recentFinishes: [T0 + 100_000, T0 + 99_000, T0 + 98_000, T0 + 97_000],
      startedAt: T0,
      now: T0 + 100_000,
      window: 3,
    },
    100,
  ],
  [
    'a stall since the last finish makes the estimate grow',
    {
      remaining: 100,
      finished: 1000,
      recentFinishes: [T0 + 100_000, T0 + 99_000, T0 + 98_000, T0 + 97_000],
      startedAt: T0,
      now: T0 + 103_000,
      window: 3,
    },
    200,
  ],
  ['rounded up', { remaining: 1, finished: 3, recentFinishes: [], startedAt: T0, now: T0 + 1000 }, 1],
];

for (const [name, input, expected] of TABLE) {
  test(`batch ETA: ${name}`, () => {
    assert.equal(batchEtaSeconds(input), expected);
  });
}
