import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import { openStore, type Store } from '../../app/adapters/store/store.ts';
import { createLogger } from '../../app/logging/logger.ts';
import {
  batchResultsCsv,
  cancelBatch,
  getBatch,
  listBatches,
  startBatch,
  subscribeBatch,
} from '../../app/use-cases/batches/index.ts';
import {
  closeFinishedBatches,
  feedPendingItems,
  settleFinishedItems,
} from '../../app/use-cases/batches/run-batches.ts';
import { DEFAULT_STEP_RETRY, type FlowDeps } from '../../app/use-cases/flow/flow-deps.ts';

// The runner's bookkeeping on a real (in-memory) store; flows are started but never run here: the
// test completes them by hand, as the flow worker would.
const A = '52998224725';
const B = '11144477735';
const C = '12345678909';
const LIMITS = { maxActive: 2, maxInFlight: 2 };

function deps(missing: string[] = []): FlowDeps & { store: Store; clock: ManualClock } {
  // `missing` is read on every call: a test may change it.
  const clock = new ManualClock();
  const store = openStore({ dataDir: '/nonexistent', fileName: ':memory:', clock });
  const { logger } = createLogger({ port: 6000, clientName: 't', level: 'error', stdout: false });
  return {
    store,
    clock,
    logger,
    missing: () => [...missing],
    provider: () => 'QI',
    v8Login: () => 'lote@corban.example',
    settings: {
      policy: 'max_amount',
      concurrency: 1,
      marginTimeoutMs: 60_000,
      pollFirstMs: 1000,
      pollMaxMs: 1000,
      consultValidDays: 30,
      placeholderEmailDomain: 'example.com',
      addMobileNine: true,
      stages: {
        marginFound: undefined,
        noMargin: undefined,
        simulated: undefined,
        proposal: undefined,
        paid: undefined,
        failed: undefined,
      },
      waTemplateId: undefined,
      maxSimulationAttempts: 1,
      stepRetry: DEFAULT_STEP_RETRY,
      outboxBackoff: { baseMs: 1, maxMs: 1 },
      reauthorizeMax: 0,
      evidenceRetentionDays: 0,
      consultQuota: { limit: 250, windowMs: 3_600_000 },
    },
    consultReads: { detailUnavailableUntil: 0 },
    v8: {} as FlowDeps['v8'],
    kentro: {} as FlowDeps['kentro'],
  } satisfies FlowDeps & { store: Store; clock: ManualClock };
}

function completeFlow(d: FlowDeps, flowId: string, outcome: 'simulated' | 'no_margin' | 'failed'): void {
  d.store.flows.update(flowId, { status: 'completed', outcome, reason: `fim: ${outcome}`, finishedAt: 1 }, 1);
}

function items(d: FlowDeps, batchId: string) {
  return d.store.batches.results(batchId);
}

describe('batch runner bookkeeping (in-memory store)', () => {
  test('feeds up to the limit, links item and flow, settles outcomes, completes the batch', async () => {
    const d = deps();
    const { batchId } = await startBatch(d, { cpfs: [A, B, C, '123'] });
    assert.equal(getBatch(d, batchId).status, 'queued');
    assert.deepEqual(feedPendingItems(d, LIMITS), { fed: 2 });
    assert.deepEqual(feedPendingItems(d, LIMITS), { fed: 0 }, 'the limit holds');
    let v = getBatch(d, batchId);
    assert.equal(v.status, 'running');
    assert.deepEqual([v.counts.pending, v.counts.running, v.counts.invalid], [1, 2, 1]);
    const running = items(d, batchId).filter((i) => i.status === 'running');
    for (const i of running) {
      const f = d.store.flows.get(i.flowId as string);
      assert.equal(f?.cpf, i.cpf);
      assert.equal(d.store.flows.list({ batchItemId: f?.batchItemId ?? '', limit: 5 }).length, 1);
    }
    // A flow waiting for V8 no longer counts as active, but still as in flight.
    d.store.flows.update(running[0]?.flowId as string, { status: 'waiting_margin' }, 1);
    assert.deepEqual(feedPendingItems(d, { maxActive: 2, maxInFlight: 3 }), { fed: 1 });

    d.clock.advance(1000);
    completeFlow(d, running[0]?.flowId as string, 'simulated');
    completeFlow(d, running[1]?.flowId as string, 'no_margin');
    assert.equal(settleFinishedItems(d), 2);
    assert.equal(settleFinishedItems(d), 0, 'settling twice changes nothing');
    v = getBatch(d, batchId);
    assert.deepEqual([v.counts.simulated, v.counts.no_margin, v.counts.running], [1, 1, 1]);
    assert.ok(v.percent > 0 && v.percent < 100);
    const last = items(d, batchId).find((i) => i.status === 'running');
    completeFlow(d, last?.flowId as string, 'failed');
    settleFinishedItems(d);
    v = getBatch(d, batchId);
    assert.equal(v.status, 'completed');
    assert.equal(v.percent, 100);
    assert.ok(v.finishedAt);
    assert.equal(items(d, batchId).find((i) => i.cpf === C)?.reason, 'fim: failed');
  });

  test('a failure inside the feeding transaction leaves no flow behind; the next pass feeds the item once', async () => {
    const d = deps();
    const { batchId } = await startBatch(d, { cpfs: [A] });
    const original = d.store.batches.markRunning.bind(d.store.batches);
    let crash = true;
    d.store.batches.markRunning = (...args) => {
      if (crash) throw new Error('disk I/O error');
      return original(...args);
    };
    assert.deepEqual(feedPendingItems(d, LIMITS), { fed: 0 });
    assert.equal(d.store.flows.list({ cpf: A, limit: 5 }).length, 0, 'the flow insert rolled back with it');
    assert.equal(getBatch(d, batchId).counts.pending, 1);
    crash = false;
    assert.deepEqual(feedPendingItems(d, LIMITS), { fed: 1 });
    assert.equal(d.store.flows.list({ cpf: A, limit: 5 }).length, 1);
    assert.deepEqual(feedPendingItems(d, LIMITS), { fed: 0 });
  });

  test('a CPF with an active flow is attached to it; missing settings block feeding without failing items', async () => {
    const missing: string[] = ['V8_PASSWORD'];
    const d = deps(missing);
    await assert.rejects(
      () => startBatch(d, { cpfs: [A] }),
      /needs these settings of this client: V8_PASSWORD/,
    );
    missing.length = 0;
    const waiting = (await startBatch(d, { cpfs: [B] })).batchId;
    missing.push('KENTRO_API_KEY'); // removed from the console after the batch started
    assert.match(feedPendingItems(d, LIMITS).blocked ?? '', /KENTRO_API_KEY/);
    assert.equal(getBatch(d, waiting).counts.pending, 1, 'the item waits, it does not fail');
    missing.length = 0;
    cancelBatch(d, waiting);
    const existing = d.store.flows.insert({ id: 'f-existing', cpf: A, options: {} }, 0);
    const { batchId } = await startBatch(d, { cpfs: [A] });
    feedPendingItems(d, LIMITS);
    const [item] = items(d, batchId);
    assert.equal(item?.flowId, existing.id);
    assert.equal(d.store.flows.list({ cpf: A, limit: 5 }).length, 1);
  });

  test('cancel, results CSV, list order and subscriptions', async () => {
    const d = deps();
    const first = (await startBatch(d, { cpfs: [A, B] })).batchId;
    d.clock.advance(1);
    const second = (await startBatch(d, { cpfs: [C, A], options: { createOpportunity: true } })).batchId;
    assert.deepEqual(
      listBatches(d).map((b) => b.id),
      [second, first],
    );
    const seen: number[] = [];
    const off = subscribeBatch(d, first, (v) => seen.push(v.counts.cancelled));
    feedPendingItems(d, { maxActive: 1, maxInFlight: 1 }); // the oldest batch is fed first
    const cancelled = cancelBatch(d, first);
    assert.equal(cancelled.status, 'cancelled');
    assert.deepEqual([cancelled.counts.running, cancelled.counts.cancelled], [1, 1]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, [1], 'changes of one tick arrive as one call');
    off();
    const csv = batchResultsCsv(d, first);
    assert.match(csv, /\r\n2;111\.444\.777-35;cancelled;cancelado;lote cancelado antes do início;;;;\r\n$/);
    const running = items(d, first).find((i) => i.status === 'running');
    completeFlow(d, running?.flowId as string, 'simulated');
    settleFinishedItems(d);
    closeFinishedBatches(d);
    const done = getBatch(d, first);
    assert.equal(done.status, 'cancelled');
    assert.ok(done.finishedAt);
    assert.deepEqual(d.store.batches.get(second)?.options, { createOpportunity: true });
  });
});
