import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { consultStatusAdvances, operationStatusAdvances } from '../../app/domain/consult-progress.ts';
import { CONSULT_STATUSES, OPERATION_STATUSES } from '../../app/domain/v8-status.ts';

/** Every ordered pair: [from, to] -> should `to` replace `from`? */
function matrix(
  statuses: readonly string[],
  expect: (from: string, to: string) => boolean,
  fn: typeof consultStatusAdvances,
) {
  for (const from of statuses) {
    for (const to of statuses) {
      assert.equal(fn(from, to), expect(from, to), `${from} -> ${to}`);
    }
  }
}

describe('status monotonicity', () => {
  test('consults: waiting states only move forward, results are final', () => {
    const rank: Record<string, number> = {
      WAITING_CONSENT: 0,
      CONSENT_APPROVED: 1,
      WAITING_CONSULT: 2,
      WAITING_CREDIT_ANALYSIS: 3,
    };
    const final = (s: string) => rank[s] === undefined;
    matrix(
      CONSULT_STATUSES,
      (from, to) =>
        from !== to && !final(from) && (final(to) || (rank[to] as number) > (rank[from] as number)),
      consultStatusAdvances,
    );
  });

  test('consults: explicit cases (late, duplicate and out-of-order webhooks)', () => {
    const table: [string | undefined, string, boolean][] = [
      [undefined, 'WAITING_CONSENT', true],
      [undefined, 'SUCCESS', true],
      ['WAITING_CONSENT', 'SUCCESS', true],
      ['CONSENT_APPROVED', 'WAITING_CONSULT', true],
      ['WAITING_CREDIT_ANALYSIS', 'WAITING_CONSULT', false],
      ['SUCCESS', 'WAITING_CREDIT_ANALYSIS', false],
      ['SUCCESS', 'SUCCESS', false],
      ['SUCCESS', 'REJECTED', false],
      ['REJECTED', 'SUCCESS', false],
      ['FAILED', 'WAITING_CONSENT', false],
      ['success', 'WAITING_CONSULT', false],
      ['WAITING_CONSULT', 'success', true],
      ['WAITING_CONSULT', 'SOMETHING_NEW', true],
      ['SOMETHING_NEW', 'SUCCESS', true],
      ['SUCCESS', 'SOMETHING_NEW', false],
    ];
    for (const [from, to, want] of table)
      assert.equal(consultStatusAdvances(from, to), want, `${from} -> ${to}`);
  });

  test('operations: the V8 order, lateral moves in analysis, paid only to refunded', () => {
    const table: [string | undefined, string, boolean][] = [
      [undefined, 'generating_ccb', true],
      [undefined, 'paid', true],
      ['generating_ccb', 'formalization', true],
      ['formalization', 'generating_ccb', false],
      ['formalization', 'analysis', true],
      ['analysis', 'pending', true],
      ['pending', 'analysis', true],
      ['manual_analysis', 'awaiting_call', true],
      ['analysis', 'formalization', false],
      ['processing', 'analysis', false],
      ['processing', 'paid', true],
      ['analysis', 'paid', true],
      ['paid', 'processing', false],
      ['paid', 'formalization', false],
      ['paid', 'paid', false],
      ['paid', 'refunded', true],
      ['paid', 'canceled', false],
      ['formalization', 'awaiting_cancel', true],
      ['awaiting_cancel', 'formalization', false],
      ['awaiting_cancel', 'canceled', true],
      ['canceled', 'paid', false],
      ['rejected', 'analysis', false],
      ['refunded', 'paid', false],
      ['PAID', 'analysis', false],
      ['analysis', 'brand_new_status', true],
    ];
    for (const [from, to, want] of table)
      assert.equal(operationStatusAdvances(from, to), want, `${from} -> ${to}`);
  });

  test('operations: final statuses never change, and nothing is ever replaced by itself', () => {
    for (const from of ['canceled', 'rejected', 'refunded']) {
      for (const to of OPERATION_STATUSES)
        assert.equal(operationStatusAdvances(from, to), false, `${from} -> ${to}`);
    }
    for (const s of OPERATION_STATUSES) assert.equal(operationStatusAdvances(s, s), false, s);
    for (const s of CONSULT_STATUSES) assert.equal(consultStatusAdvances(s, s), false, s);
  });
});
