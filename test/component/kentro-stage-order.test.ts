import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  FAKE_KENTRO_CPFS,
  FAKE_KENTRO_OTHER_PIPELINE_ID,
  FAKE_KENTRO_OTHER_STAGES,
  FAKE_KENTRO_PIPELINE_ID,
  FAKE_KENTRO_STAGES as S,
} from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { CPF, FlowHarness, waitUntil } from '../support/flow-harness.ts';

// Seed opportunities of the fake Kentro.
const MARIA_OPP = 40101; // CPF.approved, entry stage
const JOAO_OPP = 40102; // CPF.rejected
const BEATRIZ_OPP = 40106; // FAKE_KENTRO_CPFS.otherPipeline, in pipeline 2

let h: FlowHarness;

before(async () => {
  // Lookup in the CLT pipeline, then in the other one; default stage order (from KENTRO_STAGE_*).
  h = await FlowHarness.start({
    config: { KENTRO_PIPELINE_IDS: `${FAKE_KENTRO_PIPELINE_ID},${FAKE_KENTRO_OTHER_PIPELINE_ID}` },
  });
});
after(async () => {
  await h?.close();
});

/** Log lines of skipped stage moves for one opportunity. */
function skipped(opportunityId: number): { code: string; reason: string; stageId: number }[] {
  const text = readFileSync(path.join(h.logDir, 'combined-6000.log'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.includes('Kentro stage move skipped'))
    .map((l) => JSON.parse(l) as { opportunityId: number; code: string; reason: string; stageId: number })
    .filter((l) => l.opportunityId === opportunityId);
}

async function settledWithOutbox(cpf: string): Promise<void> {
  const flow = await h.settled(await h.startFlow(cpf));
  await waitUntil(
    () => h.app.store.outbox.byFlow(flow.id).every((o) => o.status !== 'pending'),
    10_000,
    () => `the CRM updates of flow ${flow.id} were not delivered`,
  );
}

describe('Kentro stage moves only go forward; the lookup covers KENTRO_PIPELINE_IDS', () => {
  test('a lead at the proposal stage stays there when its CPF is run again (simulated, then refused)', async () => {
    await h.app.flow.kentro.changeOpportunityStage(MARIA_OPP, S.proposal);
    await h.app.flow.kentro.changeOpportunityStage(JOAO_OPP, S.proposal);
    h.fakeKentro.clearRequests();

    await settledWithOutbox(CPF.approved);
    await settledWithOutbox(CPF.rejected);

    assert.equal(h.opportunity(MARIA_OPP).fkStage, S.proposal, 'not moved back to simulated');
    assert.equal(h.opportunity(JOAO_OPP).fkStage, S.proposal, 'not moved back to no margin');
    assert.equal(h.fakeKentro.requests('changeOpportunityStage').length, 0, 'no move was sent');
    assert.ok(h.fakeKentro.requests('insertOpportunityNote').length >= 2, 'the notes are still written');
    // The approved CPF asks for two moves, both skipped: margin found (before simulating), then simulated.
    const maria = skipped(MARIA_OPP);
    assert.deepEqual(
      maria.map((l) => [l.stageId, l.code]),
      [
        [S.marginFound, 'not_forward'],
        [S.simulated, 'not_forward'],
      ],
    );
    assert.match(maria[0]?.reason ?? '', /at stage 24, which comes after stage 21/);
    assert.match(maria[1]?.reason ?? '', /at stage 24, which comes after stage 23/);
    assert.deepEqual(
      skipped(JOAO_OPP).map((l) => [l.stageId, l.code]),
      [[S.noMargin, 'not_forward']],
    );
    h.assertKentroSpec();
  });

  test('a lead still at the entry stage moves forward as before', async () => {
    const flow = await h.settled(
      await h.startFlow(CPF.notInKentro, {
        createOpportunity: true,
        lead: { name: 'Nova Teste', birthDate: '01/01/1990', phone: '11977776666' },
      }),
    );
    assert.equal(flow.outcome, 'simulated');
    const id = flow.opportunity?.id as number;
    await waitUntil(
      () => h.opportunity(id).fkStage === S.simulated,
      10_000,
      () => `opportunity ${id} did not reach the simulated stage`,
    );
    assert.equal(
      (h.opportunity(id) as unknown as { fkPipeline: number }).fkPipeline,
      FAKE_KENTRO_PIPELINE_ID,
      'created in the first pipeline',
    );
    assert.deepEqual(skipped(id), []);
  });

  test('a CPF found in the second pipeline is used (not created again); its stage is kept, with the reason logged', async () => {
    h.fakeKentro.clearRequests();
    await settledWithOutbox(FAKE_KENTRO_CPFS.otherPipeline);
    const flow = (
      await h.call<{ items: { opportunity: { id: number; created: boolean } | null }[] }>(
        'GET',
        `/flows?cpf=${FAKE_KENTRO_CPFS.otherPipeline}`,
      )
    ).body.items[0];
    assert.deepEqual(flow?.opportunity && { id: flow.opportunity.id, created: flow.opportunity.created }, {
      id: BEATRIZ_OPP,
      created: false,
    });
    assert.equal(h.fakeKentro.requests('createOpportunity').length, 0);
    assert.deepEqual(
      h.fakeKentro
        .requests('getPipeOpportunities')
        .map((r) => (r.body as { pipelineId: number }).pipelineId)
        .slice(0, 2),
      [FAKE_KENTRO_PIPELINE_ID, FAKE_KENTRO_OTHER_PIPELINE_ID],
      'looked up in the configured order',
    );
    assert.equal(h.opportunity(BEATRIZ_OPP).fkStage, FAKE_KENTRO_OTHER_STAGES.start);
    assert.equal(skipped(BEATRIZ_OPP)[0]?.code, 'other_pipeline');
    h.assertKentroSpec();
  });
});
