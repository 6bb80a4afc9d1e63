import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import { openStore } from '../../app/adapters/store/store.ts';
import { withQuotaEta } from '../../app/domain/batch-eta.ts';
import {
  lastSlotAt,
  type QuotaRule,
  type QuotaState,
  quotaDecision,
} from '../../app/domain/consult-quota.ts';

const clock = new ManualClock(Date.parse('2026-01-01T12:00:00Z'));
const T0 = clock.now();
const S = 1000;
const FIVE_PER_20S: QuotaRule = { limit: 5, windowMs: 20 * S };

describe('consult quota policy', () => {
  test('decision: free slot, used up until the oldest leaves the window, V8 429 block, no quota', () => {
    const table: [string, QuotaRule, QuotaState, number, number | 'ok'][] = [
      ['empty', FIVE_PER_20S, { used: [] }, T0, 'ok'],
      ['4 of 5 used', FIVE_PER_20S, { used: [T0 - 4 * S, T0 - 3 * S, T0 - 2 * S, T0 - S] }, T0, 'ok'],
      [
        '5 of 5: the oldest (T0-10 s) frees its slot at T0+10 s',
        FIVE_PER_20S,
        { used: [T0 - 10 * S, T0 - 3 * S, T0 - 2 * S, T0 - S, T0] },
        T0,
        T0 + 10 * S,
      ],
      [
        'older than the window does not count',
        FIVE_PER_20S,
        { used: [T0 - 20 * S, T0 - 25 * S, T0 - 3 * S, T0 - 2 * S, T0 - S] },
        T0,
        'ok',
      ],
      [
        'exactly at the window edge the slot is free',
        FIVE_PER_20S,
        { used: [T0 - 20 * S, T0 - 3 * S, T0 - 2 * S, T0 - S, T0] },
        T0,
        'ok',
      ],
      [
        'over the limit (counted elsewhere): wait for enough to leave',
        { limit: 2, windowMs: 20 * S },
        { used: [T0 - 15 * S, T0 - 10 * S, T0 - 5 * S] },
        T0,
        T0 + 10 * S,
      ],
      ['blocked by a 429', FIVE_PER_20S, { used: [], blockedUntil: T0 + 7 * S }, T0, T0 + 7 * S],
      ['block over', FIVE_PER_20S, { used: [], blockedUntil: T0 }, T0, 'ok'],
      [
        'block and quota: the later wins',
        FIVE_PER_20S,
        { used: [T0 - 10 * S, T0 - 3 * S, T0 - 2 * S, T0 - S, T0], blockedUntil: T0 + 2 * S },
        T0,
        T0 + 10 * S,
      ],
      ['no quota', { limit: 0, windowMs: 20 * S }, { used: Array(999).fill(T0) }, T0, 'ok'],
      [
        'no quota, but V8 said 429',
        { limit: 0, windowMs: 20 * S },
        { used: [], blockedUntil: T0 + S },
        T0,
        T0 + S,
      ],
    ];
    for (const [name, rule, state, now, want] of table) {
      const d = quotaDecision(rule, state, now);
      assert.deepEqual(d.ok ? 'ok' : d.resumeAt, want, name);
    }
  });

  test('slots as time passes on the injected clock: never more than the limit in any window', () => {
    const c = new ManualClock(T0);
    const used: number[] = [];
    const created: number[] = [];
    for (let step = 0; step < 120; step++) {
      // Two flows ask every second.
      for (let k = 0; k < 2; k++) {
        if (quotaDecision(FIVE_PER_20S, { used }, c.now()).ok) {
          used.push(c.now());
          created.push(c.now());
        }
      }
      c.advance(S);
    }
    assert.equal(created.length, 30, '120 s / 20 s x 5');
    for (const t of created) {
      const inWindow = created.filter((x) => x > t - FIVE_PER_20S.windowMs && x <= t).length;
      assert.ok(inWindow <= 5, `${inWindow} in the window ending ${t - T0}`);
    }
  });

  test('lastSlotAt: when the n-th more consult can start', () => {
    const table: [string, QuotaRule, QuotaState, number, number][] = [
      ['nothing to create', FIVE_PER_20S, { used: [T0] }, 0, T0],
      ['fits now', FIVE_PER_20S, { used: [] }, 5, T0],
      ['one window later', FIVE_PER_20S, { used: [] }, 6, T0 + 20 * S],
      ['12 from empty: 3 windows', FIVE_PER_20S, { used: [] }, 12, T0 + 40 * S],
      [
        'quota already used: the slots free in creation order',
        FIVE_PER_20S,
        { used: [T0 - 15 * S, T0 - 15 * S, T0 - 10 * S, T0 - 10 * S, T0 - 5 * S] },
        3,
        T0 + 10 * S,
      ],
      ['blocked first', FIVE_PER_20S, { used: [], blockedUntil: T0 + 9 * S }, 1, T0 + 9 * S],
      ['no quota', { limit: 0, windowMs: S }, { used: [] }, 1000, T0],
      ['250 an hour, 700 new', { limit: 250, windowMs: 3600 * S }, { used: [] }, 700, T0 + 2 * 3600 * S],
    ];
    for (const [name, rule, state, n, want] of table)
      assert.equal(lastSlotAt(rule, state, n, T0), want, name);
  });

  test('batch ETA: the quota wait while it binds, else the observed rate', () => {
    const table: [string, number | null, number | null, number | null][] = [
      ['no quota wait', 120, null, 120],
      ['quota slot already free', 120, T0 - S, 120],
      ['quota longer than the rate says', 5, T0 + 40 * S, 40],
      ['rate longer (misled by the waits): the quota wait', 900, T0 + 40 * S, 40],
      ['no rate yet: the quota wait', null, T0 + 1500, 2],
      ['nothing to go by', null, null, null],
    ];
    for (const [name, rate, readyAt, want] of table)
      assert.equal(withQuotaEta(rate, readyAt, T0), want, name);
  });

  test('the counts survive a restart of the store (per login); a release frees the slot', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cltv8-quota-'));
    try {
      const c = new ManualClock(T0);
      const first = openStore({ dataDir: dir, clock: c });
      for (let i = 0; i < 5; i++) first.consultQuota.take('a@login', T0 - i * S);
      const extra = first.consultQuota.take('a@login', T0);
      first.consultQuota.release(extra);
      first.consultQuota.take('b@login', T0);
      first.consultQuota.block('b@login', T0 + 3 * S);
      first.consultQuota.block('b@login', T0 + S); // an earlier block does not shorten it
      first.close();
      const again = openStore({ dataDir: dir, clock: c });
      const state = (login: string) => ({
        used: again.consultQuota.used(login, T0 - FIVE_PER_20S.windowMs),
        blockedUntil: again.consultQuota.blockedUntil(login),
      });
      assert.deepEqual(quotaDecision(FIVE_PER_20S, state('a@login'), T0), {
        ok: false,
        resumeAt: T0 + 16 * S,
      });
      assert.deepEqual(quotaDecision(FIVE_PER_20S, state('b@login'), T0), {
        ok: false,
        resumeAt: T0 + 3 * S,
      });
      assert.deepEqual(quotaDecision(FIVE_PER_20S, state('b@login'), T0 + 3 * S), { ok: true });
      assert.equal(again.consultQuota.prune(T0 - 2 * S), 3, 'a@login at -4, -3 and -2 s');
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
