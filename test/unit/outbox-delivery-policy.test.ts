import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  kentroBadAnswer,
  kentroHttpError,
  kentroNetworkError,
} from '../../app/adapters/kentro/kentro-errors.ts';
import { AppError } from '../../app/domain/app-error.ts';
import {
  classifyFailure,
  type DeliveryFailure,
  decideAfterFailure,
  type FailureClass,
  type OutboxKindName,
} from '../../app/domain/outbox-delivery-policy.ts';

/** As the relay reads an error (relay-outbox.ts failureOf). */
function failureOf(err: unknown): DeliveryFailure {
  if (!(err instanceof AppError)) return { code: undefined };
  const d = (err.detail ?? {}) as { operation?: string; httpStatus?: number; reason?: string };
  return { code: err.code, operation: d.operation, httpStatus: d.httpStatus, reason: d.reason };
}

const net = (code: string, name?: string) =>
  kentroNetworkError('insertOpportunityNote', Object.assign(new Error(code), { code, name }), 1000);

describe('outbox delivery policy', () => {
  const cases: readonly [string, unknown, FailureClass][] = [
    ['connection refused', net('ECONNREFUSED'), 'not_sent'],
    ['name not found', net('ENOTFOUND'), 'not_sent'],
    ['DNS temporary failure', net('EAI_AGAIN'), 'not_sent'],
    ['timeout', net('ETIMEDOUT', 'TimeoutError'), 'unknown'],
    ['connection reset', net('ECONNRESET'), 'unknown'],
    ['broken pipe', net('EPIPE'), 'unknown'],
    ['HTTP 500', kentroHttpError('insertOpportunityNote', 500, '{"message":"x"}', 'k'), 'unknown'],
    ['HTTP 502', kentroHttpError('insertOpportunityNote', 502, '', 'k'), 'unknown'],
    ['HTTP 504', kentroHttpError('insertOpportunityNote', 504, '', 'k'), 'unknown'],
    [
      'HTTP 503 queue unavailable',
      kentroHttpError('sendWaTemplate', 503, '{"code":"QUEUE_008"}', 'k'),
      'not_applied',
    ],
    ['HTTP 401', kentroHttpError('sendWaTemplate', 401, '{"code":"AUTH_018"}', 'k'), 'not_applied'],
    ['HTTP 429', kentroHttpError('sendWaTemplate', 429, '', 'k'), 'not_applied'],
    ['HTTP 400', kentroHttpError('sendWaTemplate', 400, '{"message":"bad"}', 'k'), 'refused'],
    ['HTTP 403 chat open', kentroHttpError('sendWaTemplate', 403, '', 'k'), 'refused'],
    ['HTTP 404 no WhatsApp', kentroHttpError('sendWaTemplate', 404, '', 'k'), 'refused'],
    ['200 with the web app page', kentroBadAnswer('sendWaTemplate', 200, 'html'), 'not_applied'],
    ['200 with broken JSON', kentroBadAnswer('sendWaTemplate', 200, 'json'), 'unknown'],
    ['missing setting, before any call', new AppError('not_configured', 'x'), 'not_sent'],
    ['bad id, before any call', AppError.invalid([{ field: 'id', reason: 'x' }]), 'refused'],
    ['unexpected exception', new TypeError('boom'), 'unknown'],
  ];
  for (const [name, err, expected] of cases) {
    test(`${name} -> ${expected}`, () => {
      assert.equal(classifyFailure(failureOf(err)), expected);
    });
  }

  const decisions: readonly [OutboxKindName, FailureClass, string][] = [
    ['note', 'unknown', 'park:unknown_outcome'],
    ['wa_template', 'unknown', 'park:unknown_outcome'],
    ['update', 'unknown', 'retry'],
    ['stage', 'unknown', 'retry'],
    ['note', 'not_sent', 'retry'],
    ['wa_template', 'not_applied', 'retry'],
    ['note', 'refused', 'park:refused'],
    ['stage', 'refused', 'park:refused'],
  ];
  for (const [kind, failure, expected] of decisions) {
    test(`${kind} after ${failure}: ${expected}`, () => {
      const d = decideAfterFailure(kind, failure);
      assert.equal(d.action === 'park' ? `park:${d.reason}` : d.action, expected);
    });
  }
});
