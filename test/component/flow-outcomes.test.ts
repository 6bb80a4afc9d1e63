import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { waitForFlow } from '../../app/use-cases/flow/start-flow.ts';
import {
  FAKE_KENTRO_FORM_FIELDS as F,
  FAKE_KENTRO_TEMPLATE_ID,
  FAKE_KENTRO_STAGES as S,
} from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { CPF, FlowHarness, REJECTION } from '../support/flow-harness.ts';

let h: FlowHarness;

before(async () => {
  h = await FlowHarness.start();
});
after(async () => {
  await h?.close();
});
beforeEach(() => {
  h.fakeKentro.reset();
  h.fakeKentro.clearRequests();
});

describe('CLT flow outcomes (fake V8 + fake Kentro, real workers)', () => {
  test('approved CPF: Kentro lead ends at the simulated stage with value (cents), fields and a note', async () => {
    const id = await h.startFlow(CPF.approved);
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    assert.match(flow.reason ?? '', /^simulação concluída: R\$ [\d.,]+ em 96x de R\$ 512,37$/);
    assert.deepEqual(
      flow.steps.map((s) => `${s.name}:${s.status}`),
      [
        'opportunity:done',
        'lead:done',
        'consult:done',
        'authorize:done',
        'margin:done',
        'simulation:done',
        'crm:done',
      ],
    );
    for (const s of flow.steps) {
      assert.ok(s.startedAt && s.finishedAt, `step ${s.name} has times`);
      assert.ok(s.finishedAt >= s.startedAt);
    }
    assert.equal(flow.opportunity?.id, 40101);
    assert.equal(flow.consult?.status, 'SUCCESS');
    assert.equal(flow.consult?.margin, 512.37);
    const sim = flow.simulation as {
      disbursedAmount: number;
      installments: number;
      installmentValue: number;
    };
    assert.equal(sim.installments, 96);
    assert.equal(sim.installmentValue, 512.37);
    // The margin is known before the simulation: the lead shows it at once (margin-found stage).
    assert.deepEqual(
      flow.crm.map((c) => `${c.kind}:${c.status}`),
      ['stage:delivered', 'update:delivered', 'stage:delivered', 'note:delivered'],
    );

    const opp = h.opportunity(40101);
    assert.equal(opp.fkStage, S.simulated);
    assert.deepEqual((opp.stageHistory as { to: number }[]).map((m) => m.to).slice(-2), [
      S.marginFound,
      S.simulated,
    ]);
    assert.equal(opp.value, Math.round(sim.disbursedAmount * 100), 'value in cents');
    assert.equal(opp.formsdata[F.simulatedAmount], sim.disbursedAmount.toFixed(2));
    assert.equal(opp.formsdata[F.installmentValue], '512.37');
    assert.equal(opp.formsdata[F.installments], '96');
    assert.equal(opp.formsdata[F.availableMargin], '512.37');
    assert.equal(opp.formsdata[F.provider], 'QI');
    // Fields we did not touch survive (read-merge-write).
    assert.equal(opp.formsdata[F.motherName], 'JOANA TESTE DA SILVA');
    assert.equal(opp.notes.length, 1);
    assert.match(
      opp.notes[0]?.note ?? '',
      /valor liberado R\$ .* em 96x de R\$ 512,37; margem disponível R\$ 512,37/,
    );

    // The V8 consult got the lead as Kentro has it, normalized.
    const [consult] = h.consultsAtV8(CPF.approved);
    assert.equal(consult?.birthDate, '1990-04-15');
    assert.equal(consult?.name, 'MARIA TESTE DA SILVA');
    assert.ok(h.assertKentroSpec() > 0);
  });

  test('rejected CPF: no-margin stage with the reason in a note', async () => {
    const id = await h.startFlow(CPF.rejected);
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'no_margin');
    assert.equal(flow.reason, `consulta recusada pela V8: ${REJECTION}`);
    assert.equal(flow.steps.find((s) => s.name === 'margin')?.status, 'done');
    assert.equal(flow.steps.find((s) => s.name === 'simulation')?.status, 'pending');
    const opp = h.opportunity(40102);
    assert.equal(opp.fkStage, S.noMargin);
    assert.equal(opp.notes.length, 1);
    assert.equal(
      opp.notes[0]?.note,
      `Crédito do Trabalhador (V8): sem margem. Motivo: consulta recusada pela V8: ${REJECTION}`,
    );
    assert.equal(h.fakeKentro.requests('updateOpportunity').length, 0, 'no value written');
    h.assertKentroSpec();
  });

  test('missing birth date: failed stage with a readable reason, nothing sent to V8', async () => {
    const before = h.consultsAtV8(CPF.noBirthDate).length;
    const id = await h.startFlow(CPF.noBirthDate);
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'failed');
    assert.equal(flow.reason, 'Dados do cliente incompletos: data de nascimento não informada.');
    assert.equal(flow.steps.find((s) => s.name === 'lead')?.status, 'failed');
    assert.deepEqual(flow.steps.find((s) => s.name === 'lead')?.detail, {
      problems: [{ field: 'birthDate', reason: 'data de nascimento não informada' }],
    });
    const opp = h.opportunity(40103);
    assert.equal(opp.fkStage, S.failed);
    assert.equal(
      opp.notes[0]?.note,
      'Crédito do Trabalhador: fluxo não concluído. Motivo: Dados do cliente incompletos: data de nascimento não informada.',
    );
    assert.equal(h.consultsAtV8(CPF.noBirthDate).length, before);
    h.assertKentroSpec();
  });

  test('same CPF twice: one active flow, then a later run reuses the opportunity and the consult', async () => {
    const cpf = CPF.approved;
    const consultsBefore = h.consultsAtV8(cpf).length;
    const [a, b] = await Promise.all([
      h.call<{ id: string; created: boolean }>('POST', '/flows', { cpf }),
      h.call<{ id: string; created: boolean }>('POST', '/flows', { cpf: '123.456.789-09' }),
    ]);
    assert.equal(a.status, 202);
    assert.equal(b.status, 202);
    assert.equal(a.body.id, b.body.id, 'the second start returns the active flow');
    assert.deepEqual([a.body.created, b.body.created].sort(), [false, true]);
    const first = await h.settled(a.body.id);
    assert.equal(first.outcome, 'simulated');

    const again = await h.startFlow(cpf);
    assert.notEqual(again, a.body.id);
    const second = await h.settled(again);
    assert.equal(second.outcome, 'simulated');
    assert.equal(second.opportunity?.id, first.opportunity?.id);
    assert.equal(second.consult?.id, first.consult?.id);
    assert.equal(second.steps.find((s) => s.name === 'consult')?.detail?.reused, true);
    assert.equal(h.consultsAtV8(cpf).length, Math.max(1, consultsBefore), 'one consult at V8');
    assert.equal(h.fakeKentro.requests('createOpportunity').length, 0, 'no opportunity created');

    const list = await h.call<{ items: { id: string }[] }>('GET', `/flows?cpf=${cpf}`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.items.slice(0, 2).map((f) => f.id),
      [again, a.body.id],
      'newest first',
    );
  });

  test('simulation refusals: the next candidate term is tried; a duplicate reuses our stored simulation', async () => {
    const cpf = CPF.approved;
    h.fakeV8.setFault({
      target: '/private-consignment/simulation',
      method: 'POST',
      status: 400,
      count: 1,
      body: {
        type: 'simulation_installments_above_maximum',
        title: 'Bad Request',
        status: 400,
        detail: 'O número de parcelas excede o máximo permitido de 84 parcelas.',
      },
    });
    const narrowed = await h.settled(await h.startFlow(cpf));
    assert.equal(narrowed.outcome, 'simulated');
    const attempts = narrowed.steps.find((s) => s.name === 'simulation')?.detail?.attempts as {
      installments: number;
      error?: string;
    }[];
    assert.deepEqual(
      attempts.map((a) => [a.installments, a.error === undefined]),
      [
        [96, false],
        [84, true],
      ],
    );
    assert.equal((narrowed.simulation as { installments: number }).installments, 84);

    // V8 refusing a simulation identical to an earlier one: the flow uses the one it stored.
    h.fakeV8.configure({ rejectDuplicateSimulations: true });
    try {
      const before = h.fakeV8.state().simulations.length;
      const again = await h.settled(await h.startFlow(cpf));
      assert.equal(again.outcome, 'simulated');
      const a2 = again.steps.find((s) => s.name === 'simulation')?.detail?.attempts as { reused?: boolean }[];
      assert.equal(a2[0]?.reused, true);
      assert.equal((again.simulation as { installments: number }).installments, 96);
      assert.equal(h.fakeV8.state().simulations.length, before, 'no new simulation at V8');
    } finally {
      h.fakeV8.configure({ rejectDuplicateSimulations: false });
    }
  });

  test('a CPF not in Kentro: failed without createOpportunity; created once (with the lead given) with it', async () => {
    const cpf = CPF.notInKentro;
    const refused = await h.settled(await h.startFlow(cpf));
    assert.equal(refused.outcome, 'failed');
    assert.match(refused.reason ?? '', /^Nenhuma oportunidade aberta no Kentro para este CPF/);
    assert.equal(refused.crm.length, 0, 'nothing to update without an opportunity');

    const id = await h.startFlow(cpf, {
      createOpportunity: true,
      sendWhatsapp: true,
      lead: { name: 'Rita Teste Nova', birthDate: '02/03/1988', phone: '(11) 97777-6666', gender: 'F' },
    });
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    assert.equal(flow.opportunity?.created, true);
    assert.equal(h.fakeKentro.requests('createOpportunity').length, 1);
    const opp = h.opportunity(flow.opportunity?.id as number);
    assert.equal(opp.title, 'RITA TESTE NOVA');
    assert.equal(opp.mainmail, cpf);
    assert.equal(
      opp.formsdata[F.birthDate],
      '02/03/1988',
      'the lead given is written to the new opportunity',
    );
    assert.equal(opp.formsdata[F.cpf], cpf);
    assert.equal(opp.formsdata[F.phone], '5511977776666');
    assert.equal(opp.fkStage, S.simulated);
    const [consult] = h.consultsAtV8(cpf);
    assert.equal(consult?.gender, 'female');
    const created = h.fakeV8
      .requests({ method: 'POST', path: '/private-consignment/consult' })
      .map((r) => r.body as { borrowerDocumentNumber: string; signerEmail: string })
      .filter((b) => b.borrowerDocumentNumber === cpf);
    assert.deepEqual(
      created.map((b) => b.signerEmail),
      [`${cpf}@example.com`],
      'placeholder e-mail',
    );
    const templates = h.fakeKentro.requests('sendWaTemplate');
    assert.equal(templates.length, 1);
    const body = templates[0]?.body as { number: string; templateId: number; data: string[] };
    assert.equal(body.number, '5511977776666');
    assert.equal(body.templateId, FAKE_KENTRO_TEMPLATE_ID);
    assert.equal(body.data[0], 'RITA');
    assert.match(body.data[1] ?? '', /^R\$ [\d.]+,\d\d$/);
    assert.deepEqual(
      flow.crm.map((c) => c.kind),
      ['stage', 'update', 'stage', 'note', 'wa_template'],
    );
    h.assertKentroSpec();
  });

  test('waitForFlow (for the legacy synchronous route) resolves with the outcome, or the state at the timeout', async () => {
    const id = await h.startFlow(CPF.rejected);
    const quick = await waitForFlow(h.app.flow, id, 0);
    assert.equal(quick.flow.id, id);
    const done = await waitForFlow(h.app.flow, id, 10_000);
    assert.equal(done.finished, true);
    assert.equal(done.flow.outcome, 'no_margin');
    await h.settled(id);
  });

  test('bad input: 400 naming the field; unknown flow 404; no token 401', async () => {
    const bad = await h.call<{ error: { code: string; fields: { field: string }[] } }>('POST', '/flows', {
      cpf: '123.456.789-00',
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_data');
    assert.deepEqual(
      bad.body.error.fields.map((f) => f.field),
      ['cpf'],
    );
    const both = await h.call<{ error: { fields: { field: string }[] } }>('POST', '/flows', {
      cpf: CPF.approved,
      options: { simulation: { installmentValue: 100, disbursedAmount: 5000 } },
    });
    assert.equal(both.status, 400);
    assert.deepEqual(
      both.body.error.fields.map((f) => f.field),
      ['options.simulation'],
    );
    const typo = await h.call<{ error: { fields: { field: string }[] } }>('POST', '/flows', {
      cpf: CPF.approved,
      options: { sendWhatsap: true },
    });
    assert.equal(typo.status, 400);
    const missing = await h.call('GET', '/flows/0b8f3c3e-1111-4111-8111-111111111111');
    assert.equal(missing.status, 404);
    const anon = await fetch(`${h.app.url}/api/v1/flows`, { method: 'POST' });
    assert.equal(anon.status, 401);
  });
});
