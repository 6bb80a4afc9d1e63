import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import { openStore, type Store } from '../../app/adapters/store/store.ts';

const CPF = '12345678909';
const CPF2 = '11144477735';

function memoryStore(): { store: Store; clock: ManualClock } {
  const clock = new ManualClock();
  return { store: openStore({ dataDir: '', fileName: ':memory:', clock }), clock };
}

describe('store repositories', () => {
  test('flows: one active flow per CPF; a completed one does not block a new run', () => {
    const { store, clock } = memoryStore();
    const now = clock.now();
    store.flows.insert({ id: 'f1', cpf: CPF, options: {} }, now);
    assert.throws(() => store.flows.insert({ id: 'f2', cpf: CPF, options: {} }, now), /UNIQUE/);
    assert.equal(store.flows.activeByCpf(CPF)?.id, 'f1');
    store.flows.update('f1', { status: 'completed', outcome: 'simulated', opportunityId: 40101 }, now);
    assert.equal(store.flows.activeByCpf(CPF), undefined);
    clock.advance(1000);
    store.flows.insert({ id: 'f2', cpf: CPF, options: { createOpportunity: true } }, clock.now());
    assert.deepEqual(
      store.flows.list({ cpf: CPF, limit: 10 }).map((f) => f.id),
      ['f2', 'f1'],
    );
    assert.equal(store.flows.knownOpportunity(CPF), 40101);
    assert.deepEqual(store.flows.get('f2')?.options, { createOpportunity: true });
    store.close();
  });

  test('flows: runnable respects due time and excludes flows already running here', () => {
    const { store, clock } = memoryStore();
    const now = clock.now();
    store.flows.insert({ id: 'a', cpf: CPF, options: {} }, now);
    store.flows.insert({ id: 'b', cpf: CPF2, options: {} }, now);
    store.flows.update('b', { status: 'running', nextRunAt: now + 5000 }, now);
    assert.deepEqual(
      store.flows.runnable(now, 10, new Set()).map((f) => f.id),
      ['a'],
    );
    assert.deepEqual(store.flows.runnable(now, 10, new Set(['a'])), []);
    assert.deepEqual(
      store.flows.runnable(now + 5000, 10, new Set()).map((f) => f.id),
      ['a', 'b'],
    );
    store.close();
  });

  test('flows: waking by consult only touches waiting flows of that consult', () => {
    const { store, clock } = memoryStore();
    const now = clock.now();
    store.flows.insert({ id: 'a', cpf: CPF, options: {} }, now);
    store.flows.insert({ id: 'b', cpf: CPF2, options: {} }, now);
    store.flows.update('a', { status: 'waiting_margin', consultId: 'c1', nextPollAt: now + 1000 }, now);
    store.flows.update('b', { status: 'running', consultId: 'c1' }, now);
    assert.deepEqual(store.flows.wakeByConsult('c1', now + 10), ['a']);
    assert.equal(store.flows.get('a')?.status, 'running');
    assert.deepEqual(store.flows.wakeByConsult('c1', now + 20), []);
    store.close();
  });

  test('flow steps keep their first start, count attempts and keep the detail', () => {
    const { store, clock } = memoryStore();
    const t0 = clock.now();
    store.flows.insert({ id: 'a', cpf: CPF, options: {} }, t0);
    store.flows.startStep('a', 'margin', t0);
    store.flows.stepError('a', 'margin', 'V8 is unavailable', t0 + 1);
    store.flows.startStep('a', 'margin', t0 + 100);
    store.flows.finishStep('a', 'margin', 'done', t0 + 200, { margin: 512.37 });
    const [step] = store.flows.steps('a');
    assert.deepEqual(
      { ...step },
      {
        name: 'margin',
        seq: 4,
        status: 'done',
        attempts: 2,
        startedAt: t0,
        finishedAt: t0 + 200,
        detail: { margin: 512.37 },
        error: 'V8 is unavailable',
      },
    );
    store.close();
  });

  test('consults: status never goes backwards; V8 reads fill money and mark the row verified', () => {
    const { store, clock } = memoryStore();
    const t = clock.now();
    const c = store.consults;
    assert.equal(
      c.record({ id: 'c1', cpf: CPF, status: 'WAITING_CONSENT', verified: false }, t).statusChanged,
      true,
    );
    assert.equal(
      c.record({ id: 'c1', status: 'WAITING_CREDIT_ANALYSIS', verified: false }, t + 1).statusChanged,
      true,
    );
    // Late webhook of an earlier step: ignored.
    assert.equal(
      c.record({ id: 'c1', status: 'WAITING_CONSULT', verified: false }, t + 2).statusChanged,
      false,
    );
    assert.equal(c.get('c1')?.status, 'WAITING_CREDIT_ANALYSIS');
    const success = c.record(
      {
        id: 'c1',
        status: 'SUCCESS',
        margin: 512.37,
        simulationLimit: { installmentsMax: 96 },
        verified: true,
      },
      t + 3,
    );
    assert.equal(success.statusChanged, true);
    assert.equal(success.record.margin, 512.37);
    assert.equal(success.record.verifiedAt, t + 3);
    // Duplicate SUCCESS: no change of status; REJECTED after SUCCESS: ignored.
    assert.equal(c.record({ id: 'c1', status: 'SUCCESS', verified: false }, t + 4).statusChanged, false);
    assert.equal(
      c.record({ id: 'c1', status: 'REJECTED', description: 'x', verified: false }, t + 5).statusChanged,
      false,
    );
    const final = c.get('c1');
    assert.equal(final?.status, 'SUCCESS');
    assert.equal(final?.description, null);
    assert.equal(final?.margin, 512.37);
    assert.equal(final?.cpf, CPF);
    store.close();
  });

  test("consults: V8's own read corrects a waiting status we assumed; a final one never moves", () => {
    const { store, clock } = memoryStore();
    const t = clock.now();
    const c = store.consults;
    c.record({ id: 'c1', cpf: CPF, status: 'CONSENT_APPROVED', verified: false }, t);
    assert.equal(
      c.record({ id: 'c1', status: 'WAITING_CONSENT', verified: false }, t + 1).statusChanged,
      false,
    );
    assert.equal(
      c.record({ id: 'c1', status: 'WAITING_CONSENT', verified: true }, t + 2).statusChanged,
      true,
    );
    assert.equal(c.get('c1')?.status, 'WAITING_CONSENT');
    c.record({ id: 'c1', status: 'REJECTED', description: 'x', verified: true }, t + 3);
    assert.equal(c.record({ id: 'c1', status: 'SUCCESS', verified: true }, t + 4).statusChanged, false);
    assert.equal(c.get('c1')?.status, 'REJECTED');
    store.close();
  });

  test('flows: a late result reopens only the newest flow that gave up at the margin step', () => {
    const { store, clock } = memoryStore();
    const t = clock.now();
    const gaveUp = { status: 'completed', outcome: 'failed', step: 'margin', consultId: 'c1' } as const;
    store.flows.insert({ id: 'old', cpf: CPF, options: {} }, t);
    store.flows.update('old', gaveUp, t);
    store.flows.insert({ id: 'new', cpf: CPF, options: {} }, t + 1);
    store.flows.update('new', gaveUp, t + 1);
    store.flows.insert({ id: 'other', cpf: CPF2, options: {} }, t + 2);
    store.flows.update('other', { ...gaveUp, step: 'simulation' }, t + 2);
    assert.deepEqual(store.flows.reopenAtMargin('c1', t + 3), ['new']);
    assert.equal(store.flows.get('new')?.status, 'running');
    assert.equal(store.flows.get('new')?.outcome, null);
    assert.equal(store.flows.get('old')?.status, 'completed');
    // The CPF has an active flow now: nothing more reopens.
    assert.deepEqual(store.flows.reopenAtMargin('c1', t + 4), []);
    store.close();
  });

  test('consults: reusable means recent and not rejected/failed', () => {
    const { store, clock } = memoryStore();
    const day = 86_400_000;
    store.consults.record({ id: 'old', cpf: CPF, status: 'SUCCESS', verified: false }, clock.now());
    clock.advance(40 * day);
    store.consults.record({ id: 'rej', cpf: CPF, status: 'REJECTED', verified: false }, clock.now());
    assert.equal(store.consults.reusableForCpf(CPF, clock.now() - 30 * day), undefined);
    store.consults.record(
      { id: 'new', cpf: CPF, status: 'WAITING_CONSULT', verified: false },
      clock.now() + 1,
    );
    assert.equal(store.consults.reusableForCpf(CPF, clock.now() - 30 * day)?.id, 'new');
    store.close();
  });

  test('operations: recorded once, status never backwards, CPF and opportunity kept', () => {
    const { store, clock } = memoryStore();
    const t = clock.now();
    const first = store.operations.record({ id: 'o1', status: 'paid', cpf: CPF, opportunityId: 7 }, t);
    assert.equal(first.inserted, true);
    const late = store.operations.record({ id: 'o1', status: 'generating_ccb' }, t + 1);
    assert.equal(late.inserted, false);
    assert.equal(late.statusChanged, false);
    assert.deepEqual(
      { status: late.record.status, cpf: late.record.cpf, opp: late.record.opportunityId },
      { status: 'paid', cpf: CPF, opp: 7 },
    );
    store.close();
  });

  test('simulations: the latest per CPF is "the" simulation; manual entries, delete and list', () => {
    const { store, clock } = memoryStore();
    const s = store.simulations;
    s.add({ cpf: CPF, source: 'flow', disbursedAmount: 5000, installments: 96, data: { a: 1 } }, clock.now());
    clock.advance(10);
    const manual = s.put(CPF, { disbursedAmount: 4000, data: { valorLiberado: 4000 } }, clock.now());
    clock.advance(10);
    s.put(CPF2, { data: { x: true } }, clock.now());
    assert.equal(s.latest(CPF)?.id, manual.id);
    assert.equal(s.latest(CPF)?.source, 'manual');
    assert.deepEqual(s.latest(CPF)?.data, { valorLiberado: 4000 });
    assert.equal(s.history(CPF, 10).length, 2);
    const page = s.listLatest({ limit: 10, offset: 0 });
    assert.equal(page.total, 2);
    assert.deepEqual(
      page.items.map((i) => i.cpf),
      [CPF2, CPF],
    );
    assert.equal(s.deleteByCpf(CPF), 2);
    assert.equal(s.latest(CPF), undefined);
    assert.equal(s.deleteByCpf(CPF), 0);
    store.close();
  });

  test('simulations: deleting a CPF does not break the flow that used its simulation', () => {
    const { store, clock } = memoryStore();
    const now = clock.now();
    store.flows.insert({ id: 'f', cpf: CPF, options: {} }, now);
    const sim = store.simulations.add({ cpf: CPF, source: 'flow', flowId: 'f' }, now);
    store.flows.update('f', { simulationId: sim.id }, now);
    store.simulations.deleteByCpf(CPF);
    assert.equal(store.flows.get('f')?.simulationId, null);
    store.close();
  });

  test('webhook events: the dedupe key stores an event once; failures stay unprocessed', () => {
    const { store, clock } = memoryStore();
    const w = store.webhookEvents;
    const first = w.insert({ dedupeKey: 'k1', type: 't', subjectId: 'c1', body: '{}' }, clock.now());
    const again = w.insert({ dedupeKey: 'k1', type: 't', subjectId: 'c1', body: '{}' }, clock.now());
    assert.equal(first.duplicate, false);
    assert.deepEqual(again, { id: first.id, duplicate: true });
    w.markFailed(first.id, 'V8 is unavailable');
    assert.deepEqual(w.unprocessedIds(10), [first.id]);
    assert.deepEqual(w.counts(), { unprocessed: 1, failed: 1, processed: 0 });
    w.markProcessed(first.id, 'done', clock.now());
    assert.deepEqual(w.unprocessedIds(10), []);
    assert.deepEqual(w.counts(), { unprocessed: 0, failed: 0, processed: 1 });
    assert.equal(w.get(first.id)?.attempts, 2);
    store.close();
  });

  test('outbox: idempotent keys, head-of-line per opportunity, parked rows do not block', () => {
    const { store, clock } = memoryStore();
    const o = store.outbox;
    const t = clock.now();
    assert.equal(
      o.enqueue({ key: 'f:update', kind: 'update', opportunityId: 1, payload: { value: 10 } }, t),
      true,
    );
    assert.equal(
      o.enqueue({ key: 'f:update', kind: 'update', opportunityId: 1, payload: { value: 99 } }, t),
      false,
    );
    o.enqueue(
      { key: 'f:stage', kind: 'stage', opportunityId: 1, payload: { stageId: 23, stage: 'simulated' } },
      t,
    );
    o.enqueue({ key: 'g:note', kind: 'note', opportunityId: 2, payload: { text: 'x' } }, t);
    const heads = o.due(t, 10);
    assert.deepEqual(
      heads.map((h) => h.idempotencyKey),
      ['f:update', 'g:note'],
    );
    assert.deepEqual(heads[0]?.payload, { value: 10 });
    // The head of opportunity 1 fails: its next row waits behind it, other opportunities go on.
    const head = heads[0];
    assert.ok(head);
    o.markRetry(head.id, 'Kentro is unavailable', t + 5000, t);
    assert.deepEqual(
      o.due(t, 10).map((h) => h.idempotencyKey),
      ['g:note'],
    );
    // Due rows come oldest-due first.
    assert.deepEqual(
      o.due(t + 5000, 10).map((h) => h.idempotencyKey),
      ['g:note', 'f:update'],
    );
    o.park(head.id, 'refused', 'Kentro refused the data', t + 5000);
    assert.deepEqual(
      o
        .due(t + 5000, 10)
        .map((h) => h.idempotencyKey)
        .sort(),
      ['f:stage', 'g:note'],
    );
    assert.equal(o.get(head.id)?.lastError, 'Kentro refused the data');
    assert.equal(o.get(head.id)?.attempts, 2);
    assert.equal(o.get(head.id)?.parkReason, 'refused');
    assert.equal(o.get(head.id)?.parkedAt, t + 5000);
    assert.deepEqual(o.counts(), { pending: 2, delivered: 0, parked: 1, dropped: 0 });
    assert.deepEqual(
      o.list('parked', 10).map((r) => r.id),
      [head.id],
    );
    assert.equal(o.unpark(head.id, t + 6000), true);
    assert.equal(o.unpark(head.id, t + 6000), false, 'only a parked row can be put back');
    assert.equal(o.get(head.id)?.parkReason, null);
    assert.ok(o.due(t + 6000, 10).some((h) => h.idempotencyKey === 'f:update'));
    store.close();
  });

  test('outbox: an in-flight mark survives until the result; drop keeps the row as the record', () => {
    const { store, clock } = memoryStore();
    const o = store.outbox;
    const t = clock.now();
    o.enqueue({ key: 'n', kind: 'note', opportunityId: 7, payload: { text: 'x' } }, t);
    const row = o.due(t, 1)[0];
    assert.ok(row);
    assert.equal(o.markSending(row.id, t + 1), true);
    assert.equal(o.get(row.id)?.sendingAt, t + 1);
    o.markRetry(row.id, 'refused connection', t + 10, t + 2);
    assert.equal(o.get(row.id)?.sendingAt, null, 'a recorded result clears the mark');
    o.markSending(row.id, t + 20);
    o.park(row.id, 'interrupted', 'stopped', t + 30);
    const parked = o.get(row.id);
    assert.equal(parked?.status, 'parked');
    assert.equal(parked?.parkReason, 'interrupted');
    assert.equal(parked?.sendingAt, null);
    assert.equal(parked?.attempts, 1, 'the interrupted attempt is not counted twice');
    assert.equal(o.drop(row.id, t + 40), true);
    assert.equal(o.drop(row.id, t + 40), false, 'only a parked row can be dropped');
    assert.equal(o.markSending(row.id, t + 50), false);
    assert.equal(o.get(row.id)?.status, 'dropped');
    assert.equal(o.get(row.id)?.droppedAt, t + 40);
    assert.deepEqual(o.due(t + 100, 10), []);
    assert.deepEqual(o.counts(), { pending: 0, delivered: 0, parked: 0, dropped: 1 });
    store.close();
  });

  test('tx: all or nothing, nested calls join, async callbacks are refused', () => {
    const { store, clock } = memoryStore();
    assert.throws(
      () =>
        store.tx(() => {
          store.flows.insert({ id: 'x', cpf: CPF, options: {} }, clock.now());
          store.tx(() =>
            store.outbox.enqueue({ key: 'k', kind: 'note', opportunityId: 1, payload: { text: 't' } }, 0),
          );
          throw new Error('boom');
        }),
      /boom/,
    );
    assert.equal(store.flows.get('x'), undefined);
    assert.equal(store.outbox.counts().pending, 0);
    assert.throws(() => store.tx(() => Promise.resolve(1) as unknown as number), /synchronous/);
    store.close();
  });
});
