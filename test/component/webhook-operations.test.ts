import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  FAKE_KENTRO_FORM_FIELDS as F,
  FAKE_KENTRO_STAGES as S,
} from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { APPROVED_BORROWER, CPF, FlowHarness, waitUntil } from '../support/flow-harness.ts';

// V8's webhooks are registered: the fake V8 delivers consult and operation events to our receiver.
let h: FlowHarness;

before(async () => {
  h = await FlowHarness.start({
    fakeV8: { operationStepMs: 150 },
    config: { FLOW_POLL_FIRST_MS: '600000', FLOW_POLL_MAX_MS: '600000' },
  });
});
after(async () => {
  await h?.close();
});

describe('V8 webhooks drive the flow and the proposal stages', () => {
  test('registration handshake is recorded; the consult result arrives by webhook (no polling)', async () => {
    await h.fakeV8.webhooksIdle();
    await h.app.webhooks.drain();
    const handshakes = h.app.store.webhookEvents
      .list({ state: 'processed', limit: 50 })
      .filter((e) => e.type === 'webhook.test' || e.type === 'webhook.registered');
    assert.equal(handshakes.length, 4, 'test + registered, for consult and operation');

    const id = await h.startFlow(CPF.approved);
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'simulated');
    assert.equal(h.app.store.flows.get(id)?.pollCount, 0, 'the poller never had to ask');
    const applied = h.app.store.webhookEvents
      .list({ state: 'processed', limit: 50 })
      .filter((e) => e.subjectId === flow.consult?.id && e.result?.includes('SUCCESS applied'));
    assert.equal(applied.length, 1);
  });

  test('operation created -> proposal stage (+ formalization link); paid -> paid stage and a note, in order', async () => {
    const [flow] = (
      await h.call<{ items: { simulation: { v8SimulationId: string }; opportunity: { id: number } }[] }>(
        'GET',
        `/flows?cpf=${CPF.approved}`,
      )
    ).body.items;
    assert.ok(flow);
    const oppId = flow.opportunity.id;
    const created = await h.app.v8.client.createOperation({
      simulationId: flow.simulation.v8SimulationId,
      provider: 'QI',
      borrower: APPROVED_BORROWER,
    });
    await waitUntil(
      () => h.app.store.operations.get(created.id)?.status === 'paid',
      15_000,
      () => `operation not paid: ${JSON.stringify(h.app.store.operations.get(created.id))}\n${h.logTail()}`,
    );
    await h.fakeV8.webhooksIdle();
    await h.app.webhooks.drain();
    await waitUntil(() => h.app.store.outbox.byOpportunity(oppId).every((o) => o.status === 'delivered'));

    const op = h.app.store.operations.get(created.id);
    assert.equal(op?.cpf, CPF.approved, 'the CPF was found through V8 (list of operations)');
    assert.equal(op?.opportunityId, oppId);
    const opp = h.opportunity(oppId);
    assert.equal(opp.fkStage, S.paid);
    const moves = (opp.stageHistory as { to: number }[]).map((m) => m.to);
    assert.deepEqual(moves.slice(-3), [S.simulated, S.proposal, S.paid]);
    assert.equal(moves.filter((m) => m === S.paid).length, 1, 'paid once, although V8 sent several events');
    assert.equal(opp.formsdata[F.formalizationUrl], created.formalizationUrl);
    assert.match(
      opp.notes.at(-1)?.note ?? '',
      /^Crédito do Trabalhador \(V8\): operação paga \(R\$ [\d.,]+\), contrato CCB-\d+\.$/,
    );
    // Every operation event was re-read from V8 before acting.
    const reads = h.fakeV8.requests({ method: 'GET', path: `/private-consignment/operation/${created.id}` });
    const events = h.app.store.webhookEvents.list({ limit: 100 }).filter((e) => e.subjectId === created.id);
    assert.ok(events.length >= 2);
    assert.equal(reads.length, events.length);
    h.assertKentroSpec();
  });
});
