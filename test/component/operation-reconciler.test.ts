import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAKE_KENTRO_STAGES as S } from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { CPF, FlowHarness, PROPOSAL_OVERRIDES, waitUntil } from '../support/flow-harness.ts';

// The operation webhooks are dropped on purpose (none registered at the fake V8): only the
// reconciler, every RECONCILE_MS, can bring the operation's statuses to the lead.
const RECONCILE_MS = 300;
let h: FlowHarness;

before(async () => {
  h = await FlowHarness.start({
    registerWebhooks: false,
    fakeV8: { operationStepMs: 100 },
    ticks: { operationsReconcileTickMs: RECONCILE_MS },
  });
});
after(async () => {
  await h?.close();
});

describe('operation reconciler', () => {
  test('a missed webhook is caught up within one interval: paid stage and a note with the contract number', async () => {
    const flowId = await h.startFlow(CPF.approved);
    const flow = await h.settled(flowId);
    assert.equal(flow.outcome, 'simulated');
    const oppId = flow.opportunity?.id as number;
    const r = await h.call<{ operationId: string }>('POST', `/flows/${flowId}/proposal`, PROPOSAL_OVERRIDES);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const opId = r.body.operationId;
    // The fake walks the operation to paid (a few steps of 100 ms); then one interval at most.
    await waitUntil(
      () => h.fakeV8.state().operations.find((o) => o.id === opId)?.status === 'paid',
      10_000,
      () => 'the fake V8 did not pay the operation',
    );
    const paidAtV8 = Date.now();
    await waitUntil(
      () => h.app.store.operations.get(opId)?.status === 'paid',
      RECONCILE_MS * 2 + 2_000,
      () => `operation not caught up: ${JSON.stringify(h.app.store.operations.get(opId))}\n${h.logTail()}`,
    );
    const lag = Date.now() - paidAtV8;
    assert.ok(lag <= RECONCILE_MS + 1_500, `caught up ${lag} ms after V8 paid it`);
    assert.equal(
      h.app.store.webhookEvents.list({ limit: 50 }).filter((e) => e.subjectId === opId).length,
      0,
      'no webhook carried it',
    );
    const contract = h.fakeV8.state().operations.find((o) => o.id === opId)?.contract_number as string;
    await waitUntil(
      () =>
        h.opportunity(oppId).fkStage === S.paid &&
        h.app.store.outbox.byOpportunity(oppId).every((o) => o.status === 'delivered'),
      5_000,
      () => `lead not in the paid stage or CRM updates not delivered: ${h.opportunity(oppId).fkStage}`,
    );
    const notes = h.opportunity(oppId).notes.map((n) => n.note);
    assert.equal(notes.filter((n) => n.includes('operação paga')).length, 1);
    assert.ok(
      notes.some((n) => n.includes(`contrato ${contract}`)),
      JSON.stringify(notes),
    );
    const view = await h.call<{
      proposal: { status: string; contractNumber: string; history: { status: string }[] };
    }>('GET', `/flows/${flowId}`);
    assert.equal(view.body.proposal.status, 'paid');
    assert.equal(view.body.proposal.contractNumber, contract);
    assert.equal(view.body.proposal.history.at(-1)?.status, 'paid');
  });
});
