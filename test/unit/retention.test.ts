import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import { openStore, type Store } from '../../app/adapters/store/store.ts';
import { createLogger } from '../../app/logging/logger.ts';
import { RETENTION_INTERVAL_MS, RetentionWorker } from '../../app/workers/retention-worker.ts';

// Retention with the injected clock: rows are written "in the past" by moving the manual clock, and
// the worker is driven by its pass() (the hourly rule is the clock's, not the wall's).
const DAY = 86_400_000;
const SETTINGS = { days: 90, webhookEventsDays: 30 };
const CPFS = ['52998224725', '11144477735', '12345678909', '98765432100', '39053344705', '71428793860'];
const { logger } = createLogger({ port: 6000, clientName: 't', level: 'error', stdout: false });

interface World {
  store: Store;
  clock: ManualClock;
  at(daysAgo: number): void;
  flow(cpf: string): string;
  batchWith(flowIds: string[]): string;
}

/** A store whose clock ends at "today"; `at(n)` moves it to n days before today to write old rows. */
function world(): World {
  const today = Date.parse('2026-06-01T12:00:00Z');
  const clock = new ManualClock(today);
  const store = openStore({ dataDir: '', fileName: ':memory:', clock });
  const set = (t: number) => clock.advance(t - clock.now());
  return {
    store,
    clock,
    at: (daysAgo) => set(today - daysAgo * DAY),
    flow: (cpf) => {
      const id = randomUUID();
      store.flows.insert({ id, cpf, options: {} }, clock.now());
      store.flows.update(
        id,
        { status: 'completed', outcome: 'simulated', reason: 'ok', finishedAt: clock.now() },
        clock.now(),
      );
      return id;
    },
    batchWith: (flowIds) => {
      const id = randomUUID();
      const items = flowIds.map((_, i) => ({
        id: randomUUID(),
        line: i + 2,
        cpf: CPFS[i] as string,
        status: 'pending' as const,
      }));
      store.batches.create({ id, options: {}, source: 'csv', rejected: [], items }, clock.now());
      store.batches.markStarted(id, clock.now());
      items.forEach((item, i) => {
        store.batches.markRunning(item.id, flowIds[i] as string, false, clock.now());
        store.batches.settle(item.id, 'simulated', null, clock.now());
      });
      assert.equal(store.batches.finishIfDone(id, clock.now()), true);
      return id;
    },
  };
}

function note(w: World, key: string, flowId?: string): number {
  w.store.outbox.enqueue(
    { key, kind: 'note', opportunityId: 1, payload: { text: key }, ...(flowId ? { flowId } : {}) },
    w.clock.now(),
  );
  const row = w.store.outbox.list(undefined, 1000).find((r) => r.idempotencyKey === key);
  assert.ok(row);
  return row.id;
}

function event(w: World, key: string): number {
  return w.store.webhookEvents.insert(
    { dedupeKey: key, type: 'consult', subjectId: key, body: '{}' },
    w.clock.now(),
  ).id;
}

describe('retention', () => {
  test('old finished records go, recent ones and anything still waiting stay', () => {
    const w = world();
    const { store } = w;

    w.at(200);
    const oldFlow = w.flow(CPFS[0] as string);
    const oldDelivered = note(w, 'old-delivered', oldFlow);
    store.outbox.markDelivered(oldDelivered, w.clock.now());
    const flowWithParked = w.flow(CPFS[1] as string);
    const oldParked = note(w, 'old-parked', flowWithParked);
    store.outbox.park(oldParked, 'unknown_outcome', 'timeout', w.clock.now());
    const oldPending = note(w, 'old-pending');
    const oldDropped = note(w, 'old-dropped');
    store.outbox.park(oldDropped, 'refused', 'x', w.clock.now());
    store.outbox.drop(oldDropped, w.clock.now());
    const oldBatchFlow = w.flow(CPFS[2] as string);
    const oldBatch = w.batchWith([oldBatchFlow]);
    // An old flow that a recent batch still reports on (the batch's results read it).
    const flowOfRecentBatch = w.flow(CPFS[3] as string);
    const runningFlow = randomUUID();
    store.flows.insert({ id: runningFlow, cpf: CPFS[4] as string, options: {} }, w.clock.now());

    w.at(40);
    const oldEvent = event(w, 'e-old');

    w.at(10);
    const recentFlow = w.flow(CPFS[5] as string);
    const recentDelivered = note(w, 'recent-delivered', recentFlow);
    store.outbox.markDelivered(recentDelivered, w.clock.now());
    const recentBatch = w.batchWith([flowOfRecentBatch]);
    const recentEvent = event(w, 'e-recent');

    w.at(0);
    const worker = new RetentionWorker({ store, clock: w.clock, logger }, SETTINGS, { tickMs: 60_000 });
    const report = worker.pass();
    assert.deepEqual(report, { batches: 1, outbox: 2, flows: 2, webhookEvents: 1 });

    assert.equal(store.flows.get(oldFlow), undefined);
    assert.equal(store.flows.get(oldBatchFlow), undefined, 'its batch went first');
    assert.deepEqual(store.flows.steps(oldFlow), []);
    assert.equal(store.batches.get(oldBatch), undefined);
    assert.equal(store.outbox.get(oldDelivered), undefined);
    assert.equal(store.outbox.get(oldDropped), undefined);
    assert.equal(store.webhookEvents.get(oldEvent), undefined);

    assert.ok(store.flows.get(flowWithParked), 'a parked CRM update keeps its flow');
    assert.equal(store.outbox.get(oldParked)?.status, 'parked');
    assert.equal(store.outbox.get(oldPending)?.status, 'pending');
    assert.ok(store.flows.get(flowOfRecentBatch), 'a retained batch keeps the flows it reports on');
    assert.ok(store.flows.get(runningFlow), 'a running flow is never pruned');
    assert.ok(store.flows.get(recentFlow));
    assert.equal(store.outbox.get(recentDelivered)?.status, 'delivered');
    assert.ok(store.batches.get(recentBatch));
    assert.equal(store.batches.results(recentBatch).length, 1);
    assert.ok(store.webhookEvents.get(recentEvent));
    store.close();
  });

  test('the worker prunes at most once an hour (by the injected clock)', () => {
    const w = world();
    const { store } = w;
    const worker = new RetentionWorker({ store, clock: w.clock, logger }, SETTINGS, { tickMs: 60_000 });
    w.at(0);
    assert.deepEqual(worker.pass(), { batches: 0, outbox: 0, flows: 0, webhookEvents: 0 });
    // An event that turns 31 days old after the first pass.
    w.at(30);
    w.clock.advance(-RETENTION_INTERVAL_MS);
    const e = event(w, 'e');
    w.at(0);
    w.clock.advance(30 * 60_000);
    assert.equal(worker.pass(), undefined, 'half an hour later: nothing runs');
    assert.ok(store.webhookEvents.get(e));
    w.at(0);
    w.clock.advance(RETENTION_INTERVAL_MS);
    assert.equal(worker.pass()?.webhookEvents, 1);
    assert.equal(store.webhookEvents.get(e), undefined);
    store.close();
  });

  test('many old rows are deleted in chunks, all of them', () => {
    const w = world();
    w.at(100);
    for (let i = 0; i < 1203; i++) event(w, `bulk-${i}`);
    w.at(0);
    const worker = new RetentionWorker({ store: w.store, clock: w.clock, logger }, SETTINGS, { tickMs: 1 });
    assert.equal(worker.pass()?.webhookEvents, 1203);
    assert.deepEqual(w.store.webhookEvents.counts(), { unprocessed: 0, failed: 0, processed: 0 });
    w.store.close();
  });
});
