import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  decideRetry,
  parseRetryAfter,
  type RetryDecision,
} from '../../app/domain/retry-policy.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const P = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 10_000 };

const DECISIONS: [
  name: string,
  q: { method: string; status: number | undefined; attempt: number; retryAfterMs?: number },
  expected: RetryDecision,
][] = [
  ['GET 503 first attempt', { method: 'GET', status: 503, attempt: 1 }, { retry: true, delayMs: 200 }],
  ['GET 500 second attempt', { method: 'GET', status: 500, attempt: 2 }, { retry: true, delayMs: 400 }],
  [
    'GET 429 with Retry-After',
    { method: 'GET', status: 429, attempt: 1, retryAfterMs: 1000 },
    { retry: true, delayMs: 1000 },
  ],
  [
    'GET 429 Retry-After 0',
    { method: 'GET', status: 429, attempt: 1, retryAfterMs: 0 },
    { retry: true, delayMs: 0 },
  ],
  [
    'GET 429 Retry-After too long',
    { method: 'GET', status: 429, attempt: 1, retryAfterMs: 60_000 },
    { retry: false, reason: 'retry_after_too_long' },
  ],
  [
    'GET 503 last attempt',
    { method: 'GET', status: 503, attempt: 3 },
    { retry: false, reason: 'attempts_exhausted' },
  ],
  ['POST 503 never', { method: 'POST', status: 503, attempt: 1 }, { retry: false, reason: 'not_idempotent' }],
  [
    'POST 429 never',
    { method: 'POST', status: 429, attempt: 1, retryAfterMs: 1000 },
    { retry: false, reason: 'not_idempotent' },
  ],
  [
    'PATCH 502 never',
    { method: 'PATCH', status: 502, attempt: 1 },
    { retry: false, reason: 'not_idempotent' },
  ],
  [
    'GET 400 not retryable',
    { method: 'GET', status: 400, attempt: 1 },
    { retry: false, reason: 'not_retryable' },
  ],
  [
    'GET 401 not retryable here',
    { method: 'GET', status: 401, attempt: 1 },
    { retry: false, reason: 'not_retryable' },
  ],
  ['GET 404', { method: 'GET', status: 404, attempt: 1 }, { retry: false, reason: 'not_retryable' }],
  [
    'GET timeout (no status)',
    { method: 'GET', status: undefined, attempt: 1 },
    { retry: false, reason: 'not_retryable' },
  ],
  ['get lower-case 504', { method: 'get', status: 504, attempt: 1 }, { retry: true, delayMs: 200 }],
];

for (const [name, q, expected] of DECISIONS) {
  test(`retry: ${name}`, () => {
    // random = 1 makes the jitter deterministic: the full exponential delay.
    assert.deepEqual(decideRetry({ retryAfterMs: undefined, random: 1, ...q }, P), expected);
  });
}

const RETRY_AFTER: [header: string | undefined, ms: number | undefined][] = [
  [undefined, undefined],
  ['', undefined],
  ['0', 0],
  ['1', 1000],
  ['2.5', 2500],
  ['120', 120_000],
  ['Thu, 01 Jan 2026 12:00:05 GMT', 5000],
  ['Thu, 01 Jan 2026 11:59:00 GMT', 0], // in the past
  ['soon', undefined],
];
for (const [header, ms] of RETRY_AFTER) {
  test(`Retry-After ${JSON.stringify(header)} -> ${ms}`, () =>
    assert.equal(parseRetryAfter(header, NOW), ms));
}

const BACKOFF: [attempt: number, random: number, ms: number][] = [
  [1, 0, 100],
  [1, 1, 200],
  [2, 0, 200],
  [2, 0.5, 300],
  [3, 1, 800],
  [20, 1, 10_000], // capped at maxDelayMs
];
for (const [attempt, random, ms] of BACKOFF) {
  test(`backoff attempt ${attempt} random ${random} -> ${ms} ms`, () =>
    assert.equal(backoffDelayMs(attempt, P, random), ms));
}

test('default policy makes at most 3 attempts', () => {
  assert.equal(DEFAULT_RETRY_POLICY.maxAttempts, 3);
});
