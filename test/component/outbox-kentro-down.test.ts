import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAKE_KENTRO_STAGES as S } from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { CPF, FlowHarness, waitUntil } from '../support/flow-harness.ts';

let h: FlowHarness;

before(async () => {
  // The fake V8 only moves when the test says so: Kentro goes down after the lookups, before the results.
  h = await FlowHarness.start({ fakeV8: { autoAdvance: false } });
});
after(async () => {
  await h?.close();
});

/** Successful calls per operation and opportunity, as the fake Kentro saw them. */
function applied(op: string): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of h.fakeKentro.requests(op)) {
    if (r.status !== 200) continue;
    const id = (r.body as { id: number }).id;
    out[id] = (out[id] ?? 0) + 1;
  }
  return out;
}

describe('CRM outbox', () => {
  test('Kentro down while flows finish: after it is back every update arrives exactly once, in order', async () => {
    const ids = [await h.startFlow(CPF.approved), await h.startFlow(CPF.rejected)];
    await waitUntil(async () => {
      const flows = await Promise.all(ids.map((id) => h.flow(id)));
      return flows.every((f) => f.status === 'waiting_margin');
    });
    h.fakeKentro.setDown(true);
    h.fakeKentro.clearRequests();
    h.fakeV8.advance({ untilIdle: true });
    // The flows complete (V8 does not need Kentro); their CRM updates wait in the outbox.
    await waitUntil(async () => (await Promise.all(ids.map((id) => h.flow(id)))).every((f) => !f.active));
    await waitUntil(
      () => h.app.store.outbox.due(Date.now() + 3_600_000, 10).every((o) => o.attempts >= 3),
      10_000,
      () => 'the relay did not keep trying',
    );
    const [approved, rejected] = await Promise.all(ids.map((id) => h.flow(id)));
    assert.equal(approved?.outcome, 'simulated');
    assert.equal(rejected?.outcome, 'no_margin');
    const pending = approved?.crm.find((c) => c.status === 'pending');
    assert.ok(pending?.lastError?.includes('Kentro'), JSON.stringify(approved?.crm));
    assert.ok(h.fakeKentro.requests().length > 0);
    assert.ok(
      h.fakeKentro.requests().every((r) => r.status === 503),
      'nothing was applied while Kentro was down',
    );

    h.fakeKentro.setDown(false);
    const [a, r] = await Promise.all(ids.map((id) => h.settled(id)));
    assert.ok(a && r);
    assert.ok(a.crm.every((c) => c.status === 'delivered'));
    assert.ok(r.crm.every((c) => c.status === 'delivered'));
    assert.deepEqual(applied('updateOpportunity'), { 40101: 1 });
    assert.deepEqual(applied('changeOpportunityStage'), { 40101: 2, 40102: 1 });
    assert.deepEqual(applied('insertOpportunityNote'), { 40101: 1, 40102: 1 });
    // Per opportunity, in the order decided: margin-found stage, value/fields, stage, note.
    const order = h.fakeKentro
      .requests()
      .filter(
        (q) => q.status === 200 && (q.body as { id?: number }).id === 40101 && q.op !== 'getOpportunity',
      )
      .map((q) => q.op);
    assert.deepEqual(order, [
      'changeOpportunityStage',
      'updateOpportunity',
      'changeOpportunityStage',
      'insertOpportunityNote',
    ]);
    const maria = h.opportunity(40101);
    assert.equal(maria.fkStage, S.simulated);
    assert.equal(maria.notes.length, 1);
    assert.equal(h.opportunity(40102).fkStage, S.noMargin);
    h.assertKentroSpec();
  });

  test('a permanent Kentro refusal parks the update with the error visible in the flow; later updates go on', async () => {
    h.fakeKentro.setFault({ op: 'changeOpportunityStage', status: 400, message: 'Etapa inválida', count: 1 });
    const id = await h.startFlow(CPF.noBirthDate);
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'failed');
    const stage = flow.crm.find((c) => c.kind === 'stage');
    const note = flow.crm.find((c) => c.kind === 'note');
    assert.equal(stage?.status, 'parked');
    assert.equal(stage?.attempts, 1, 'not repeated');
    assert.match(
      stage?.lastError ?? '',
      /Kentro refused the data of changeOpportunityStage \(HTTP 400\).*Etapa inválida/,
    );
    assert.equal(note?.status, 'delivered', 'the parked row does not block the next one');
    assert.equal(h.opportunity(40103).notes.length, 1);
  });
});
