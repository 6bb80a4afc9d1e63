import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { webhookDedupeKey, webhookFacts } from '../../app/use-cases/webhooks/receive-webhook.ts';

describe('V8 webhook payloads', () => {
  test('facts: kind, subject and status from the shapes V8 (and integrators) show', () => {
    const table: [unknown, string, string | undefined, string | undefined][] = [
      [{ type: 'webhook.test', event: 'private.consignment.consult' }, 'handshake', undefined, undefined],
      [{ type: 'webhook.registered' }, 'handshake', undefined, undefined],
      [
        { type: 'private.consignment.consult.updated', consultId: 'c1', status: 'SUCCESS' },
        'consult',
        'c1',
        'SUCCESS',
      ],
      [
        { type: 'private.consignment.consult.updated', consult_id: 'c2', status: 'REJECTED' },
        'consult',
        'c2',
        'REJECTED',
      ],
      [
        { type: 'private.consignment.consult.updated', data: { id: 'c3', status: 'FAILED' } },
        'consult',
        'c3',
        'FAILED',
      ],
      [{ consultId: 'c4', status: 'WAITING_CONSULT' }, 'consult', 'c4', 'WAITING_CONSULT'],
      [
        { type: 'private.consignment.operation.created', operationId: 'o1', status: 'generating_ccb' },
        'operation',
        'o1',
        'generating_ccb',
      ],
      [
        { type: 'private.consignment.operation.updated', operation_id: 'o2', status: 'paid' },
        'operation',
        'o2',
        'paid',
      ],
      [{ type: 'balance.status.received.success', id: 'x' }, 'unknown', undefined, undefined],
      [[1, 2, 3], 'unknown', undefined, undefined],
      ['text', 'unknown', undefined, undefined],
    ];
    for (const [payload, kind, subject, status] of table) {
      const f = webhookFacts(payload);
      assert.deepEqual([f.kind, f.subjectId, f.status], [kind, subject, status], JSON.stringify(payload));
    }
    assert.equal(
      webhookFacts({ consultId: 'c', status: 'REJECTED', description: 'Data de nascimento não confere' })
        .description,
      'Data de nascimento não confere',
    );
    assert.equal(webhookFacts({ consultId: 'c', status: 'SUCCESS', description: null }).description, null);
  });

  test('dedupe key: same event -> same key; another status or timestamp -> another key; else the body hash', () => {
    const body = (o: unknown) => JSON.stringify(o);
    const e = {
      type: 'private.consignment.consult.updated',
      consultId: 'c1',
      status: 'SUCCESS',
      timestamp: 't1',
    };
    const key = (o: unknown) => webhookDedupeKey(body(o), webhookFacts(o));
    assert.equal(key(e), 'consult|c1|SUCCESS|t1');
    assert.equal(
      key({ ...e, availableMarginValue: '1.00' }),
      key(e),
      'the margin in the body does not matter',
    );
    assert.notEqual(key({ ...e, status: 'REJECTED' }), key(e));
    assert.notEqual(key({ ...e, timestamp: 't2' }), key(e));
    const hs = { type: 'webhook.test', timestamp: 't1' };
    assert.match(key(hs), /^sha256\|[0-9a-f]{64}$/);
    assert.equal(key(hs), key({ ...hs }));
    assert.notEqual(key(hs), key({ type: 'webhook.registered', timestamp: 't1' }));
    assert.match(webhookDedupeKey('not json', undefined), /^sha256\|/);
  });
});
