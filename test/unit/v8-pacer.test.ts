import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import { Pacer } from '../../app/adapters/v8/pacer.ts';
import { type PaceDecision, paceDecision } from '../../app/domain/pacer-policy.ts';

const L = { maxPerWindow: 2, windowMs: 1000, maxConcurrency: 3 };

const TABLE: [name: string, starts: number[], inFlight: number, now: number, expected: PaceDecision][] = [
  ['idle', [], 0, 5000, { kind: 'go' }],
  ['one start in window', [4500], 1, 5000, { kind: 'go' }],
  ['budget spent', [4200, 4600], 0, 5000, { kind: 'wait', ms: 200 }],
  ['budget spent, oldest leaves exactly now', [4000, 4600], 0, 5000, { kind: 'go' }],
  ['old starts do not count', [1000, 2000, 3000], 0, 5000, { kind: 'go' }],
  ['three in window, limit 2', [4100, 4200, 4900], 0, 5000, { kind: 'wait', ms: 200 }],
  ['concurrency full beats everything', [], 3, 5000, { kind: 'full' }],
  ['concurrency full with budget spent', [4900, 4950], 3, 5000, { kind: 'full' }],
];
for (const [name, starts, inFlight, now, expected] of TABLE) {
  test(`pace: ${name}`, () => assert.deepEqual(paceDecision({ starts, inFlight }, now, L), expected));
}

/** A scheduler driven by the manual clock: `tick` moves time and fires what is due. */
function fakeTime() {
  const clock = new ManualClock(0);
  let timers: { at: number; fn: () => void }[] = [];
  return {
    clock,
    schedule: (ms: number, fn: () => void) => {
      timers.push({ at: clock.now() + ms, fn });
    },
    async tick(ms: number) {
      clock.advance(ms);
      const due = timers.filter((t) => t.at <= clock.now());
      timers = timers.filter((t) => t.at > clock.now());
      for (const t of due) t.fn();
      await new Promise((r) => setImmediate(r));
    },
  };
}

test('pacer: never more than maxRps starts in any window, FIFO order kept', async () => {
  const t = fakeTime();
  const pacer = new Pacer({
    maxRps: 3,
    maxConcurrency: 100,
    windowMs: 1000,
    clock: t.clock,
    schedule: t.schedule,
  });
  const started: { i: number; at: number }[] = [];
  const all = Array.from({ length: 10 }, (_, i) =>
    pacer.run(async () => {
      started.push({ i, at: t.clock.now() });
    }),
  );
  await new Promise((r) => setImmediate(r));
  for (let k = 0; k < 40 && started.length < 10; k++) await t.tick(100);
  await Promise.all(all);
  assert.deepEqual(
    started.map((s) => s.i),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.deepEqual(
    started.map((s) => s.at),
    [0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000, 3000],
  );
  for (const s of started) {
    const inWindow = started.filter((o) => o.at > s.at - 1000 && o.at <= s.at).length;
    assert.ok(inWindow <= 3, `at ${s.at}: ${inWindow} starts in one window`);
  }
});

test('pacer: never more than maxConcurrency in flight; a finished call lets the next one in', async () => {
  const t = fakeTime();
  const pacer = new Pacer({ maxRps: 100, maxConcurrency: 2, clock: t.clock, schedule: t.schedule });
  const release: (() => void)[] = [];
  let running = 0;
  let peak = 0;
  const all = Array.from({ length: 5 }, () =>
    pacer.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => release.push(r));
      running--;
    }),
  );
  await new Promise((r) => setImmediate(r));
  assert.equal(pacer.running, 2);
  assert.equal(pacer.waiting, 3);
  while (release.length > 0 || pacer.waiting > 0) {
    release.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(all);
  assert.equal(peak, 2);
  assert.equal(pacer.running, 0);
});

test('pacer: a failing call frees its slot', async () => {
  const t = fakeTime();
  const pacer = new Pacer({ maxRps: 100, maxConcurrency: 1, clock: t.clock, schedule: t.schedule });
  await assert.rejects(
    pacer.run(async () => {
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(await pacer.run(async () => 'next'), 'next');
});
