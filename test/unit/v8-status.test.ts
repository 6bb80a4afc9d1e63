import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canConsultTransition,
  isCancellableOperationStatus,
  isTerminalConsultStatus,
  isTerminalOperationStatus,
} from '../../app/domain/v8-status.ts';

const TERMINAL: [status: string, terminal: boolean][] = [
  ['WAITING_CONSENT', false],
  ['CONSENT_APPROVED', false], // not a result
  ['WAITING_CONSULT', false],
  ['WAITING_CREDIT_ANALYSIS', false],
  ['SUCCESS', true],
  ['REJECTED', true],
  ['FAILED', true],
  ['ERROR', true],
  ['CANCELED', true],
  ['success', true],
  ['SOMETHING_NEW', false],
];
for (const [status, terminal] of TERMINAL) {
  test(`consult ${status} terminal=${terminal}`, () =>
    assert.equal(isTerminalConsultStatus(status), terminal));
}

const TRANSITIONS: [from: string, to: string, allowed: boolean][] = [
  ['WAITING_CONSENT', 'CONSENT_APPROVED', true],
  ['CONSENT_APPROVED', 'WAITING_CONSULT', true],
  ['WAITING_CONSULT', 'WAITING_CREDIT_ANALYSIS', true],
  ['WAITING_CREDIT_ANALYSIS', 'SUCCESS', true],
  ['WAITING_CREDIT_ANALYSIS', 'REJECTED', true],
  ['WAITING_CONSULT', 'FAILED', true],
  ['WAITING_CONSENT', 'FAILED', true],
  ['CONSENT_APPROVED', 'SUCCESS', true], // skipped intermediate states (webhooks may be missed)
  ['WAITING_CONSENT', 'SUCCESS', false], // no result without consent
  ['WAITING_CREDIT_ANALYSIS', 'WAITING_CONSULT', false], // backwards (late webhook)
  ['SUCCESS', 'WAITING_CREDIT_ANALYSIS', false],
  ['SUCCESS', 'REJECTED', false], // terminal never changes
  ['FAILED', 'SUCCESS', false],
  ['SUCCESS', 'SUCCESS', true],
  ['WAITING_CONSULT', 'NEW_STATUS', true], // unknown statuses never block
];
for (const [from, to, allowed] of TRANSITIONS) {
  test(`consult ${from} -> ${to} allowed=${allowed}`, () =>
    assert.equal(canConsultTransition(from, to), allowed));
}

const OPS: [status: string, terminal: boolean, cancellable: boolean][] = [
  ['generating_ccb', false, true],
  ['formalization', false, true],
  ['analysis', false, true],
  ['pending', false, true],
  ['processing', false, true],
  ['awaiting_cancel', false, false],
  ['paid', true, false],
  ['canceled', true, false],
  ['refunded', true, false],
  ['rejected', true, false],
];
for (const [status, terminal, cancellable] of OPS) {
  test(`operation ${status} terminal=${terminal} cancellable=${cancellable}`, () => {
    assert.equal(isTerminalOperationStatus(status), terminal);
    assert.equal(isCancellableOperationStatus(status), cancellable);
  });
}
