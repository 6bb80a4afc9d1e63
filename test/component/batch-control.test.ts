import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BatchView } from '../../app/use-cases/batches/index.ts';
import { cpfWithCheckDigits } from '../../sandbox/fake-v8/fake-v8-server.ts';
import { FlowHarness, waitUntil } from '../support/flow-harness.ts';

// The fake V8 only moves when the test says so (advance); at most 4 batch items run at once.
const cpf = (base8: string, ninth: number) => cpfWithCheckDigits(`${base8}${ninth}`);
const LEAD = { name: 'Cliente Lote Controle', birthDate: '1988-03-02', phone: '(11) 96666-1234' };
const OPTIONS = { createOpportunity: true, lead: LEAD };
const IN_FLIGHT = 4;

let h: FlowHarness;

before(async () => {
  h = await FlowHarness.start({
    fakeV8: { autoAdvance: false },
    ticks: { batchTickMs: 20, batchMaxInFlight: IN_FLIGHT },
  });
});
after(async () => {
  await h?.close();
});

async function startBatch(cpfs: string[]): Promise<string> {
  const r = await h.call<{ id: string; accepted: number }>('POST', '/batches', { cpfs, options: OPTIONS });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.equal(r.body.accepted, cpfs.length);
  return r.body.id;
}

async function view(id: string): Promise<BatchView> {
  const r = await h.call<BatchView>('GET', `/batches/${id}`);
  assert.equal(r.status, 200);
  return r.body;
}

/** Running items whose flows all wait for V8 (nothing else can move until the fake V8 advances). */
function runningAndWaiting(id: string): number {
  const rows = h.app.store.batches.results(id).filter((r) => r.status === 'running');
  const waiting = rows.every((r) => r.flowId && h.app.store.flows.get(r.flowId)?.status === 'waiting_margin');
  return waiting ? rows.length : -1;
}

async function advanceUntilDone(id: string, timeoutMs = 15_000): Promise<BatchView> {
  let last: BatchView | undefined;
  await waitUntil(
    async () => {
      h.fakeV8.advance({ untilIdle: true });
      last = await view(id);
      return last.finishedAt !== null;
    },
    timeoutMs,
    () => `batch ${id} did not finish: ${JSON.stringify(last)}\n${h.logTail()}`,
  );
  return last as BatchView;
}

/** Consult creations V8 received per CPF. */
function consultPosts(): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of h.fakeV8.requests({ method: 'POST', path: '/private-consignment/consult' })) {
    const c = (r.body as { borrowerDocumentNumber?: string }).borrowerDocumentNumber ?? '';
    out.set(c, (out.get(c) ?? 0) + 1);
  }
  return out;
}

describe('batch runner: pacing, cancel, restart, an active flow, Kentro down', () => {
  test('restart mid-batch: the new app finishes it by itself, every CPF exactly once', async () => {
    const cpfs = Array.from({ length: 12 }, (_, i) =>
      cpf(`4100${String(i).padStart(4, '0')}`, i % 3 === 2 ? 6 : i % 6),
    );
    const id = await startBatch(cpfs);
    // The runner keeps IN_FLIGHT items running: 4 wait for V8, 8 stay pending.
    await waitUntil(() => runningAndWaiting(id) === IN_FLIGHT);
    let v = await view(id);
    assert.equal(v.counts.pending, 8);
    assert.equal(v.status, 'running');
    assert.equal(v.etaS, null, 'no rate before the first result');
    // V8 answers those 4; the runner settles them and feeds the next 4.
    h.fakeV8.advance({ untilIdle: true });
    await waitUntil(async () => {
      v = await view(id);
      return v.processed === 4 && runningAndWaiting(id) === IN_FLIGHT;
    });
    assert.equal(v.counts.pending, 4);
    assert.ok(v.etaS !== null && v.etaS >= 0, 'an ETA from the observed rate');

    await h.stopApp();
    // V8 moves on while we are down (its webhooks go nowhere).
    h.fakeV8.advance({ untilIdle: true });
    await h.fakeV8.webhooksIdle();
    await h.startApp();

    const done = await advanceUntilDone(id);
    assert.equal(done.status, 'completed');
    assert.equal(done.percent, 100);
    assert.equal(done.counts.pending + done.counts.running, 0);
    assert.equal(done.counts.simulated + done.counts.no_margin + done.counts.failed, 12);
    assert.equal(done.counts.no_margin, 4, 'the four REJECTED CPFs');

    const posts = consultPosts();
    for (const c of cpfs) {
      assert.equal(posts.get(c), 1, `one consult created at V8 for ${c}`);
      assert.equal(h.consultsAtV8(c).length, 1);
      assert.equal(h.app.store.flows.list({ cpf: c, limit: 10 }).length, 1, `one flow for ${c}`);
    }
    for (const r of h.app.store.batches.results(id)) {
      assert.ok(r.flowId);
      const flows = h.app.store.flows.list({ cpf: r.cpf, limit: 10 });
      assert.deepEqual(
        flows.map((f) => f.id),
        [r.flowId],
      );
      assert.equal(flows[0]?.batchItemId !== null, true);
      assert.equal(h.app.store.flows.list({ batchItemId: flows[0]?.batchItemId ?? '', limit: 10 }).length, 1);
    }
  });

  test('cancel: pending items are cancelled at once, running ones finish, nothing new starts', async () => {
    const cpfs = Array.from({ length: 10 }, (_, i) => cpf(`4200${String(i).padStart(4, '0')}`, i % 6));
    const id = await startBatch(cpfs);
    await waitUntil(() => runningAndWaiting(id) === IN_FLIGHT);
    const cancelled = await h.call<BatchView>('POST', `/batches/${id}/cancel`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal(cancelled.body.counts.cancelled, 6);
    assert.equal(cancelled.body.counts.running, IN_FLIGHT);
    assert.equal(cancelled.body.finishedAt, null, 'not finished while items run');
    const done = await advanceUntilDone(id);
    assert.equal(done.status, 'cancelled');
    assert.equal(done.counts.running, 0);
    assert.equal(done.counts.cancelled, 6);
    assert.equal(done.counts.simulated, IN_FLIGHT);
    assert.equal(done.percent, 100);
    assert.equal(done.etaS, null);
    const started = h.app.store.batches.results(id).filter((r) => r.flowId !== null);
    assert.equal(started.length, IN_FLIGHT);
    const posts = consultPosts();
    for (const r of h.app.store.batches.results(id)) {
      if (r.status === 'cancelled') {
        assert.equal(posts.get(r.cpf), undefined, 'a cancelled CPF never reached V8');
        assert.equal(r.reason, 'lote cancelado antes do início');
      }
    }
    const anon = await fetch(`${h.app.url}/api/v1/batches/${id}/results.csv`);
    assert.equal(anon.status, 401, 'results need the token');
    const again = await h.call<BatchView>('POST', `/batches/${id}/cancel`);
    assert.equal(again.status, 200, 'cancelling twice changes nothing');
    assert.equal(again.body.counts.cancelled, 6);
  });

  test('a CPF with an active flow from elsewhere: the item follows that flow, no second flow or consult', async () => {
    const shared = cpf('43000001', 1);
    const other = cpf('43000002', 2);
    const flowId = await h.startFlow(shared, OPTIONS);
    await waitUntil(async () => (await h.flow(flowId)).status === 'waiting_margin');
    const id = await startBatch([shared, other]);
    await waitUntil(() => runningAndWaiting(id) === 2);
    const item = h.app.store.batches.results(id).find((r) => r.cpf === shared);
    assert.equal(item?.flowId, flowId);
    const done = await advanceUntilDone(id);
    assert.equal(done.counts.simulated, 2);
    assert.equal(h.app.store.flows.list({ cpf: shared, limit: 10 }).length, 1);
    assert.equal(consultPosts().get(shared), 1);
  });

  test('Kentro down while the batch finishes: after it is back every CRM update is delivered once', async () => {
    const cpfs = [cpf('44000001', 1), cpf('44000002', 2), cpf('44000003', 6), cpf('44000004', 9)];
    const id = await startBatch(cpfs);
    // Opportunities are created before the consults: Kentro goes down after that.
    await waitUntil(() => runningAndWaiting(id) === 4);
    h.fakeKentro.setDown(true);
    h.fakeKentro.clearRequests();
    const done = await advanceUntilDone(id);
    assert.equal(done.status, 'completed', 'the batch does not need Kentro to finish');
    assert.deepEqual([done.counts.simulated, done.counts.no_margin], [2, 2]);
    const flowIds = h.app.store.batches.results(id).map((r) => r.flowId as string);
    const crm = () => flowIds.flatMap((f) => h.app.store.outbox.byFlow(f));
    await waitUntil(
      () =>
        crm().length > 0 && crm().every((o) => o.status === 'pending') && crm().some((o) => o.attempts >= 2),
      10_000,
      () => `the relay did not keep trying: ${JSON.stringify(crm())}`,
    );
    assert.ok(
      h.fakeKentro.requests().every((r) => r.status === 503),
      'nothing applied while down',
    );
    h.fakeKentro.setDown(false);
    await waitUntil(
      () => crm().every((o) => o.status === 'delivered'),
      10_000,
      () => JSON.stringify(crm()),
    );
    const opps = flowIds.map((f) => h.app.store.flows.get(f)?.opportunityId as number);
    // This batch's leads only: a flow of an earlier test may still deliver to its own lead meanwhile.
    const applied = (op: string) => {
      const out: Record<number, number> = {};
      for (const r of h.fakeKentro.requests(op)) {
        const oid = (r.body as { id: number }).id;
        if (r.status !== 200 || !opps.includes(oid)) continue;
        out[oid] = (out[oid] ?? 0) + 1;
      }
      return out;
    };
    const simulatedOpps = flowIds
      .filter((f) => h.app.store.flows.get(f)?.outcome === 'simulated')
      .map((f) => h.app.store.flows.get(f)?.opportunityId as number);
    assert.deepEqual(applied('updateOpportunity'), Object.fromEntries(simulatedOpps.map((o) => [o, 1])));
    // Simulated leads move twice (margin found, simulated); the others once.
    assert.deepEqual(
      applied('changeOpportunityStage'),
      Object.fromEntries(opps.map((o) => [o, simulatedOpps.includes(o) ? 2 : 1])),
    );
    assert.deepEqual(applied('insertOpportunityNote'), Object.fromEntries(opps.map((o) => [o, 1])));
    h.assertKentroSpec();
  });
});
