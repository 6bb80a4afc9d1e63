import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAKE_KENTRO_FORMALIZATION_TEMPLATE_ID } from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { CPF, FlowHarness, PROPOSAL_OVERRIDES, waitUntil } from '../support/flow-harness.ts';

// The operation stops in formalization, and both paths report it again and again: the webhooks
// (registered at the fake V8) and the reconciler every 100 ms.
let h: FlowHarness;

before(async () => {
  h = await FlowHarness.start({
    fakeV8: {
      operationStepMs: 100,
      scenarios: {
        [CPF.approved]: {
          label: 'tests: approved, operation stops in formalization',
          outcome: 'success',
          name: 'MARIA TESTE DA SILVA',
          availableMarginValue: '512.37',
          operationFlow: ['generating_ccb', 'formalization'],
        },
      },
    },
    config: { KENTRO_WA_TEMPLATE_FORMALIZATION_ID: String(FAKE_KENTRO_FORMALIZATION_TEMPLATE_ID) },
    ticks: { operationsReconcileTickMs: 100 },
  });
});
after(async () => {
  await h?.close();
});

describe('signing link to the borrower', () => {
  test('formalization reported by the webhook and the reconciler: template sent once, one note with the link', async () => {
    const flowId = await h.startFlow(CPF.approved);
    const flow = await h.settled(flowId);
    const oppId = flow.opportunity?.id as number;
    const r = await h.call<{ operationId: string }>('POST', `/flows/${flowId}/proposal`, PROPOSAL_OVERRIDES);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const opId = r.body.operationId;
    const reads = () =>
      h.fakeV8.requests({ method: 'GET', path: `/private-consignment/operation/${opId}` }).length;
    // Both paths saw formalization: a webhook event for it was processed, and the reconciler read it
    // back several more times.
    await waitUntil(
      () =>
        h.app.store.webhookEvents
          .list({ state: 'processed', limit: 100 })
          .some((e) => e.subjectId === opId && e.result?.includes('formalization')) && reads() >= 6,
      10_000,
      () => `formalization not reported by both paths (reads ${reads()})\n${h.logTail()}`,
    );
    await waitUntil(
      () => h.app.store.outbox.byOpportunity(oppId).every((o) => o.status === 'delivered'),
      5_000,
      () => 'the outbox did not deliver',
    );
    const link = h.fakeV8.state().operations.find((o) => o.id === opId)?.formalization_url as string;
    assert.ok(link);
    const templates = h.fakeKentro
      .requests('sendWaTemplate')
      .map((t) => t.body as { templateId: number; data: string[] })
      .filter((b) => b.templateId === FAKE_KENTRO_FORMALIZATION_TEMPLATE_ID);
    assert.equal(templates.length, 1, 'the signing link went once');
    assert.equal(templates[0]?.data[0], 'MARIA');
    assert.match(templates[0]?.data[1] ?? '', /^R\$ [\d.]+,\d\d$/);
    assert.equal(templates[0]?.data[3], link);
    const notes = h.opportunity(oppId).notes.filter((n) => n.note.includes(link));
    assert.equal(notes.length, 1, 'one note with the link');
    const view = await h.call<{ proposal: { formalizationUrl: string } }>('GET', `/flows/${flowId}`);
    assert.equal(view.body.proposal.formalizationUrl, link);
  });
});
