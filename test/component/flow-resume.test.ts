import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAKE_KENTRO_STAGES as S } from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { cpfWithCheckDigits } from '../../sandbox/fake-v8/fake-v8-server.ts';
import { CPF, FlowHarness, waitUntil } from '../support/flow-harness.ts';

describe('restart mid-flow (the fake V8 only moves when the test says so)', () => {
  let h: FlowHarness;
  before(async () => {
    h = await FlowHarness.start({ fakeV8: { autoAdvance: false } });
  });
  after(async () => {
    await h?.close();
  });

  test('stop after the consult was created, start a new app on the same data: it finishes, one consult', async () => {
    const id = await h.startFlow(CPF.approved);
    await waitUntil(async () => (await h.flow(id)).status === 'waiting_margin');
    assert.equal(h.consultsAtV8(CPF.approved).length, 1);
    await h.stopApp();

    // V8 moves on while we are down: its webhooks go nowhere (the old port is closed).
    h.fakeV8.advance({ untilIdle: true });
    await h.fakeV8.webhooksIdle();
    await h.startApp();
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    assert.equal(h.consultsAtV8(CPF.approved).length, 1, 'still one consult at V8');
    assert.equal(h.fakeKentro.requests('createOpportunity').length, 0);
    assert.equal(h.opportunity(40101).fkStage, S.simulated);
    assert.equal(h.fakeKentro.requests('changeOpportunityStage').length, 2, 'margin found, simulated');
  });

  test('stopping while a V8 call is in flight lets that step finish and commit; the next app goes on', async () => {
    const cpf = CPF.notInKentro;
    h.fakeV8.setFault({ target: '/private-consignment/consult', method: 'POST', delayMs: 300 });
    const id = await h.startFlow(cpf, {
      createOpportunity: true,
      lead: { name: 'Rita Teste Nova', birthDate: '02/03/1988', phone: '11977776666' },
    });
    await h.fakeV8.waitFor(() =>
      h.fakeV8
        .requests({ method: 'POST', path: '/private-consignment/consult' })
        .some((r) => (r.body as { borrowerDocumentNumber?: string }).borrowerDocumentNumber === cpf),
    );
    await h.stopApp();
    await h.startApp();
    const stopped = h.app.store.flows.get(id);
    assert.ok(stopped?.consultId, 'the consult id was committed before the worker stopped');
    assert.notEqual(stopped?.step, 'consult', 'it resumes after the consult step');
    await waitUntil(async () => (await h.flow(id)).status === 'waiting_margin');
    h.fakeV8.advance({ untilIdle: true });
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'simulated');
    assert.equal(h.consultsAtV8(cpf).length, 1);
    assert.equal(h.fakeKentro.requests('createOpportunity').length, 1);
  });

  test('a consult V8 created but we never recorded (crash before the commit) is found, not created again', async () => {
    const cpf = CPF.rejected;
    // What V8 holds after "create consult" answered but before our commit: a consult we do not know.
    await h.app.v8.client.createConsult({
      cpf,
      name: 'JOAO TESTE PEREIRA',
      birthDate: '1985-11-03',
      gender: 'male',
      email: 'joao.teste@example.com',
      phone: { countryCode: '55', areaCode: '21', phoneNumber: '987654321' },
      provider: 'QI',
    });
    const id = await h.startFlow(cpf);
    await waitUntil(async () => (await h.flow(id)).status === 'waiting_margin');
    const flow0 = await h.flow(id);
    // Found in V8's list before any creation (reuse before you spend): no second POST.
    const detail = flow0.steps.find((s) => s.name === 'consult')?.detail;
    assert.deepEqual([detail?.reused, detail?.source, detail?.why], [true, 'v8_list', 'in_progress']);
    h.fakeV8.advance({ untilIdle: true });
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'no_margin');
    assert.equal(h.consultsAtV8(cpf).length, 1, 'one consult at V8');
  });
});

describe('polling fallback and the bounded wait (no webhooks registered)', () => {
  let h: FlowHarness;
  const HANG = cpfWithCheckDigits('731002668');
  before(async () => {
    h = await FlowHarness.start({
      registerWebhooks: false,
      config: { FLOW_POLL_FIRST_MS: '40', FLOW_POLL_MAX_MS: '80', FLOW_MARGIN_TIMEOUT_S: '1' },
    });
  });
  after(async () => {
    await h?.close();
  });

  test('without webhooks the poller gets the margin and the flow completes', async () => {
    const id = await h.startFlow(CPF.approved);
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'simulated');
    assert.equal(h.app.store.webhookEvents.counts().processed, 0, 'no webhook was involved');
    const polls = h.fakeV8.requests({
      method: 'GET',
      path: `/private-consignment/consult/${flow.consult?.id}`,
    });
    assert.ok(polls.length >= 1);
  });

  test('a consult that never finishes ends the flow at the failed stage after FLOW_MARGIN_TIMEOUT_S', async () => {
    const id = await h.startFlow(HANG, {
      createOpportunity: true,
      lead: { name: 'Carla Teste Espera', birthDate: '1991-01-31', phone: '11944443333' },
    });
    const flow = await h.settled(id, 8000);
    assert.equal(flow.outcome, 'failed');
    assert.match(
      flow.reason ?? '',
      /^a V8 não informou a margem em 1 min \(último status: WAITING_CREDIT_ANALYSIS\)/,
    );
    assert.equal(h.opportunity(flow.opportunity?.id as number).fkStage, S.failed);
  });
});
