import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BreakerOutcome,
  type BreakerState,
  breakerAdmit,
  breakerRecord,
  CLOSED,
} from '../../app/domain/breaker-policy.ts';

const OPTS = { failureThreshold: 3, coolDownMs: 10_000 };
const T = 1_000_000;

const RECORD: [name: string, from: BreakerState, outcome: BreakerOutcome, to: BreakerState][] = [
  ['closed success stays closed', CLOSED, 'success', CLOSED],
  ['closed failure counts', CLOSED, 'failure', { kind: 'closed', failures: 1 }],
  ['closed 2 failures + 1', { kind: 'closed', failures: 2 }, 'failure', { kind: 'open', openedAt: T }],
  ['closed success resets count', { kind: 'closed', failures: 2 }, 'success', CLOSED],
  [
    'open ignores late success',
    { kind: 'open', openedAt: T - 5 },
    'success',
    { kind: 'open', openedAt: T - 5 },
  ],
  [
    'open ignores late failure',
    { kind: 'open', openedAt: T - 5 },
    'failure',
    { kind: 'open', openedAt: T - 5 },
  ],
  ['half-open trial success closes', { kind: 'half_open', trialInFlight: true }, 'success', CLOSED],
  [
    'half-open trial failure reopens',
    { kind: 'half_open', trialInFlight: true },
    'failure',
    { kind: 'open', openedAt: T },
  ],
];
for (const [name, from, outcome, to] of RECORD) {
  test(`breaker record: ${name}`, () => assert.deepEqual(breakerRecord(from, outcome, T, OPTS), to));
}

const ADMIT: [
  name: string,
  from: BreakerState,
  now: number,
  admitted: boolean,
  to: BreakerState,
  retryInMs?: number,
][] = [
  ['closed admits', CLOSED, T, true, CLOSED],
  [
    'open during cool-down refuses',
    { kind: 'open', openedAt: T },
    T + 4000,
    false,
    { kind: 'open', openedAt: T },
    6000,
  ],
  [
    'open just before cool-down ends',
    { kind: 'open', openedAt: T },
    T + 9999,
    false,
    { kind: 'open', openedAt: T },
    1,
  ],
  [
    'open after cool-down lets one trial',
    { kind: 'open', openedAt: T },
    T + 10_000,
    true,
    { kind: 'half_open', trialInFlight: true },
  ],
  [
    'half-open with trial in flight refuses',
    { kind: 'half_open', trialInFlight: true },
    T,
    false,
    { kind: 'half_open', trialInFlight: true },
    1000,
  ],
  [
    'half-open without trial admits',
    { kind: 'half_open', trialInFlight: false },
    T,
    true,
    { kind: 'half_open', trialInFlight: true },
  ],
];
for (const [name, from, now, admitted, to, retryInMs] of ADMIT) {
  test(`breaker admit: ${name}`, () => {
    const a = breakerAdmit(from, now, OPTS);
    assert.equal(a.admitted, admitted);
    assert.deepEqual(a.state, to);
    assert.equal(a.retryInMs, retryInMs);
  });
}

test('a full cycle: closed -> open -> half-open -> closed', () => {
  let s: BreakerState = CLOSED;
  for (let i = 0; i < 3; i++) s = breakerRecord(s, 'failure', T, OPTS);
  assert.equal(s.kind, 'open');
  assert.equal(breakerAdmit(s, T + 1, OPTS).admitted, false);
  const trial = breakerAdmit(s, T + 10_000, OPTS);
  assert.equal(trial.admitted, true);
  assert.equal(breakerAdmit(trial.state, T + 10_001, OPTS).admitted, false, 'only one trial at a time');
  assert.deepEqual(breakerRecord(trial.state, 'success', T + 10_002, OPTS), CLOSED);
});
