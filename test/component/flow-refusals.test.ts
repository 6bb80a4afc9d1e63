import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAKE_KENTRO_STAGES as S } from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { cpfWithCheckDigits } from '../../sandbox/fake-v8/fake-v8-server.ts';
import { API_TOKEN, FlowHarness, waitUntil } from '../support/flow-harness.ts';

// Outcomes that tell the broker what to do, and V8 answers that are not final yet. Polls are quick
// here (the in-analysis and lost-consent retries are spaced by the poll backoff).
let h: FlowHarness;
const BIRTH_DATE_MISMATCH = '45678901320';
const BLOCKED = '22233344669';
const IN_ANALYSIS = '77889900198';
const LOST_CONSENT = '77889911203';
/** Hangs in WAITING_CREDIT_ANALYSIS (9th digit 8) until the test moves it. */
const LATE = cpfWithCheckDigits('731002778');
/** Hangs in WAITING_CREDIT_ANALYSIS, but V8 already shows the margin there. */
const MARGIN_IN_ANALYSIS = cpfWithCheckDigits('731002338');
const lead = (name: string) => ({
  createOpportunity: true,
  lead: { name, birthDate: '01/02/1980', phone: '11955550000' },
});

before(async () => {
  h = await FlowHarness.start({
    fakeV8: {
      scenarios: {
        [MARGIN_IN_ANALYSIS]: {
          label: 'tests: margin during analysis',
          outcome: 'hang',
          pendingMarginValue: '333.00',
        },
      },
    },
    config: { FLOW_POLL_FIRST_MS: '100', FLOW_POLL_MAX_MS: '400', FLOW_MARGIN_TIMEOUT_S: '600' },
  });
});
after(async () => {
  await h?.close();
});

const notes = (oppId: number | undefined) => h.opportunity(oppId as number).notes.map((n) => n.note);

describe('refusals that need action, answers that are not final yet', () => {
  test('birth-date mismatch: needs_data at its own stage, the note names the field', async () => {
    const id = await h.startFlow(BIRTH_DATE_MISMATCH, lead('Carlos Teste Lima'));
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'needs_data', JSON.stringify(flow));
    assert.match(flow.reason ?? '', /Data de nascimento não confere/);
    const opp = h.opportunity(flow.opportunity?.id as number);
    assert.equal(opp.fkStage, S.needsData);
    assert.equal(notes(flow.opportunity?.id).length, 1);
    assert.match(notes(flow.opportunity?.id)[0] ?? '', /campo: data de nascimento/);
    const margin = flow.steps.find((s) => s.name === 'margin');
    assert.equal((margin?.detail as { field?: string } | undefined)?.field, 'birthDate');
  });

  test('worker blocked margin queries: blocked_by_worker, the broker is told to ask for the unblock', async () => {
    const id = await h.startFlow(BLOCKED, lead('Bia Teste Bloqueio'));
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'blocked_by_worker', JSON.stringify(flow));
    assert.equal(h.opportunity(flow.opportunity?.id as number).fkStage, S.needsData);
    assert.match(notes(flow.opportunity?.id)[0] ?? '', /bloqueou a consulta de margem/);
  });

  test('"ainda em análise": retried later, never failed, ends with the real outcome', async () => {
    const id = await h.startFlow(IN_ANALYSIS, lead('Lucas Teste Analise'));
    const flow = await h.settled(id, 20_000);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    assert.equal(flow.consult?.margin, 450);
    const consultId = flow.consult?.id as string;
    const sims = h.fakeV8
      .requests({ method: 'POST', path: '/private-consignment/simulation' })
      .filter((r) => (r.body as { consult_id?: string }).consult_id === consultId);
    assert.deepEqual(
      sims.map((r) => r.status),
      [400, 400, 201],
      'two refusals "ainda em análise", then V8 answered',
    );
    const step = flow.steps.find((s) => s.name === 'simulation');
    assert.equal(step?.status, 'done');
    assert.equal(h.consultsAtV8(IN_ANALYSIS).length, 1, 'no new consult was spent');
  });

  test('a consult closed as "ainda em análise": a new consult later, never failed, real outcome at the end', async () => {
    const cpf = cpfWithCheckDigits('731002448');
    h.fakeV8.setScenario(cpf, {
      label: 'tests: closed while in analysis',
      outcome: 'rejected',
      description: 'Consulta ainda em análise',
    });
    const id = await h.startFlow(cpf, lead('Otto Teste Analise'));
    await h.fakeV8.waitFor(() => h.consultsAtV8(cpf).length >= 2, 10_000);
    assert.equal((await h.flow(id)).active, true, 'not failed while V8 was analysing');
    h.fakeV8.setScenario(cpf, {
      label: 'tests: analysed',
      outcome: 'success',
      availableMarginValue: '275.00',
    });
    const flow = await h.settled(id, 20_000);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    assert.equal(flow.consult?.margin, 275);
  });

  test('consent lost at V8 (still WAITING_CONSENT after authorize): authorized again, then completes', async () => {
    const id = await h.startFlow(LOST_CONSENT, lead('Renata Teste Consentimento'));
    const flow = await h.settled(id, 20_000);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    const consultId = flow.consult?.id as string;
    const authorizes = h.fakeV8.requests({
      method: 'POST',
      path: `/private-consignment/consult/${consultId}/authorize`,
    });
    assert.equal(authorizes.length, 2, 'one lost authorize, one that V8 took');
    assert.equal(flow.steps.find((s) => s.name === 'authorize')?.attempts, 2);
  });

  test('WAITING_CREDIT_ANALYSIS with a margin V8 shows: simulated on it without waiting for SUCCESS', async () => {
    const id = await h.startFlow(MARGIN_IN_ANALYSIS, lead('Caio Teste Analise'));
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    assert.equal(flow.consult?.status, 'WAITING_CREDIT_ANALYSIS');
    assert.equal(flow.consult?.margin, 333);
    assert.equal((flow.simulation as { installmentValue: number }).installmentValue, 333);
    assert.equal(h.opportunity(flow.opportunity?.id as number).fkStage, S.simulated);
  });

  test('a SUCCESS after FLOW_MARGIN_TIMEOUT_S reopens the flow and completes it', async () => {
    const id = await h.startFlow(LATE, lead('Tiago Teste Atraso'));
    await waitUntil(async () => (await h.flow(id)).status === 'waiting_margin');
    await h.fakeV8.waitFor(() => h.consultsAtV8(LATE).some((c) => c.status === 'WAITING_CREDIT_ANALYSIS'));
    // The wait's deadline passes (moved, not slept): the flow gives up as failed.
    const now = Date.now();
    h.app.store.flows.update(id, { waitDeadlineAt: now - 1, nextPollAt: now - 1 }, now);
    await waitUntil(async () => (await h.flow(id)).status === 'completed');
    const gaveUp = await h.flow(id);
    assert.equal(gaveUp.outcome, 'failed');
    assert.match(gaveUp.reason ?? '', /não informou a margem/);

    const consultId = gaveUp.consult?.id as string;
    h.fakeV8.setConsultStatus(consultId, 'SUCCESS');
    await h.fakeV8.webhooksIdle();
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    assert.equal(flow.consult?.status, 'SUCCESS');
    const opp = h.opportunity(flow.opportunity?.id as number);
    assert.equal(opp.fkStage, S.simulated, 'the lead left the failed stage');
    assert.equal(h.consultsAtV8(LATE).length, 1);
  });

  test('a batch reports needs_data and blocked_by_worker as their own counts and results.csv labels', async () => {
    // Both CPFs have Kentro leads now (created by the tests above, with the same mismatching birth date).
    const created = await h.call<{ id: string }>('POST', '/batches', {
      cpfs: [BIRTH_DATE_MISMATCH, BLOCKED],
    });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    let counts: Record<string, number> = {};
    await waitUntil(async () => {
      const b = await h.call<{ status: string; counts: Record<string, number> }>(
        'GET',
        `/batches/${created.body.id}`,
      );
      counts = b.body.counts;
      return b.body.status === 'completed';
    }, 15_000);
    assert.equal(counts.needs_data, 1, JSON.stringify(counts));
    assert.equal(counts.blocked_by_worker, 1);
    assert.equal(counts.failed, 0);
    const res = await fetch(`${h.app.url}/api/v1/batches/${created.body.id}/results.csv`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const csv = await res.text();
    assert.match(csv, /corrigir dados/);
    assert.match(csv, /bloqueado pelo trabalhador/);
  });

  test('a late SUCCESS for a flow of a batch: the item and the batch follow the reopened flow', async () => {
    const cpf = cpfWithCheckDigits('731002888');
    const created = await h.call<{ id: string }>('POST', '/batches', {
      cpfs: [cpf],
      options: lead('Vera Teste Lote'),
    });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const batchView = async () =>
      (await h.call<{ status: string; counts: Record<string, number> }>('GET', `/batches/${created.body.id}`))
        .body;
    let flowId = '';
    await waitUntil(() => {
      flowId = h.app.store.flows.list({ cpf, limit: 1 })[0]?.id ?? '';
      return flowId !== '' && h.app.store.flows.get(flowId)?.status === 'waiting_margin';
    });
    await h.fakeV8.waitFor(() => h.consultsAtV8(cpf).some((c) => c.status === 'WAITING_CREDIT_ANALYSIS'));
    const now = Date.now();
    h.app.store.flows.update(flowId, { waitDeadlineAt: now - 1, nextPollAt: now - 1 }, now);
    await waitUntil(async () => (await batchView()).status === 'completed');
    assert.equal((await batchView()).counts.failed, 1);

    const consultId = h.app.store.flows.get(flowId)?.consultId as string;
    h.fakeV8.setConsultStatus(consultId, 'SUCCESS');
    await h.settled(flowId);
    await waitUntil(async () => {
      const b = await batchView();
      return b.status === 'completed' && b.counts.simulated === 1;
    });
    const b = await batchView();
    assert.equal(b.counts.failed, 0, JSON.stringify(b.counts));
    assert.equal(b.counts.running, 0);
  });
});
