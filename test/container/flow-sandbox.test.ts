// Issue 4 in real containers: the CLT flow of a sandbox client (its own fake V8 and fake Kentro) on
// the demo leads of the fake Kentro, read back at the fakes; then the old routes of the PM2 service
// (/clt/fluxo-completo, /cache/simulacao/:cpf) answering in their {success, message, resultado} envelope.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  FAKE_KENTRO_CPFS as CPFS,
  FAKE_KENTRO_FORM_FIELDS as F,
  FAKE_KENTRO_STAGES as S,
} from '../../sandbox/fake-kentro/fake-kentro-seed.ts';
import { assertKentroRequest } from '../support/kentro-spec.ts';
import { freePort, OpsHome } from '../support/ops.ts';
import { SandboxClient } from '../support/sandbox-client.ts';

const REJECTION = 'Trabalhador não elegível para o Crédito do Trabalhador';
/** Demo leads of the fake Kentro seed (FAKE_KENTRO_DEMO_LEADS) and the reference lead "ana". */
const LEAD = { approved: 40107, approved2: 40108, rejected: 40109, ana: 40103 } as const;

const home = new OpsHome();
let c: SandboxClient;

describe('CLT flow in a sandbox client (fake V8 + fake Kentro containers)', () => {
  before(async () => {
    c = await SandboxClient.start(home, {
      port: await freePort(21000 + Math.floor(Math.random() * 1500)),
      name: 'Corban Fluxo',
      // Short lifecycle steps at the fake; polling only as the fallback of the webhooks.
      fakes: { FAKE_V8_STEP_MS: '150' },
      config: { FLOW_POLL_FIRST_MS: '1000', FLOW_POLL_MAX_MS: '2000', V8_MAX_RPS: '10' },
    });
  });

  after(async () => {
    await home.cleanup();
  });

  test('approved demo CPF: lead at the simulated stage with the value in cents, the form fields and a note', async () => {
    const started = await c.call('POST', '/api/v1/flows', { cpf: '123.456.780-62' });
    assert.equal(started.status, 202, started.text);
    const flow = await c.settledFlow(started.body.id);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    assert.equal(flow.cpf, CPFS.demoApproved);
    assert.deepEqual(flow.opportunity, { id: LEAD.approved, created: false });
    assert.equal(flow.consult.status, 'SUCCESS');
    assert.equal(flow.consult.margin, 512.37);
    assert.match(flow.reason, /^simulação concluída: R\$ [\d.,]+ em 96x de R\$ 512,37$/);
    assert.deepEqual(
      flow.crm.map((u: { kind: string; status: string }) => `${u.kind}:${u.status}`),
      ['stage:delivered', 'update:delivered', 'stage:delivered', 'note:delivered'],
    );
    const sim = flow.simulation as {
      disbursedAmount: number;
      installments: number;
      installmentValue: number;
    };
    assert.equal(sim.installments, 96);
    assert.equal(sim.installmentValue, 512.37);

    const opp = (await c.kentroOpportunities()).find((o) => o.id === LEAD.approved);
    assert.ok(opp);
    assert.equal(opp.fkStage, S.simulated);
    assert.equal(opp.value, Math.round(sim.disbursedAmount * 100), 'opportunity value in cents');
    assert.equal(opp.formsdata[F.simulatedAmount], sim.disbursedAmount.toFixed(2));
    assert.equal(opp.formsdata[F.installmentValue], '512.37');
    assert.equal(opp.formsdata[F.installments], '96');
    assert.equal(opp.formsdata[F.availableMargin], '512.37');
    assert.equal(opp.formsdata[F.provider], 'QI');
    assert.equal(opp.formsdata[F.birthDate], '10/02/1988', 'fields we did not write survive');
    assert.equal(opp.notes.length, 1);
    assert.match(opp.notes[0]?.note ?? '', /em 96x de R\$ 512,37; margem disponível R\$ 512,37/);

    // V8 got the lead as Kentro holds it.
    const [consult] = (await c.v8Requests({ method: 'POST', path: '/private-consignment/consult' })).filter(
      (r) => r.path === '/private-consignment/consult',
    );
    const body = consult?.body as { borrowerDocumentNumber: string; birthDate: string; signerName: string };
    assert.equal(body.borrowerDocumentNumber, CPFS.demoApproved);
    assert.equal(body.birthDate, '1988-02-10');
    assert.equal(body.signerName, 'LUCAS DEMO APROVADO');
  });

  test('rejected demo CPF: no-margin stage, the V8 reason in the flow and in a note', async () => {
    const started = await c.call('POST', '/api/v1/flows', { cpf: CPFS.demoRejected });
    const flow = await c.settledFlow(started.body.id);
    assert.equal(flow.outcome, 'no_margin', JSON.stringify(flow));
    assert.equal(flow.reason, `consulta recusada pela V8: ${REJECTION}`);
    assert.equal(flow.consult.status, 'REJECTED');
    const opp = (await c.kentroOpportunities()).find((o) => o.id === LEAD.rejected);
    assert.equal(opp?.fkStage, S.noMargin);
    assert.deepEqual(
      opp?.notes.map((n) => n.note),
      [`Crédito do Trabalhador (V8): sem margem. Motivo: consulta recusada pela V8: ${REJECTION}`],
    );
    assert.equal(opp?.value, 0, 'no value written');
  });

  test('lead with missing data ("ana", no birth date): failed stage, readable reason, nothing sent to V8', async () => {
    const started = await c.call('POST', '/api/v1/flows', { cpf: CPFS.ana });
    const flow = await c.settledFlow(started.body.id);
    assert.equal(flow.outcome, 'failed', JSON.stringify(flow));
    assert.equal(flow.reason, 'Dados do cliente incompletos: data de nascimento não informada.');
    const lead = flow.steps.find((s: { name: string }) => s.name === 'lead');
    assert.equal(lead.status, 'failed');
    assert.deepEqual(lead.detail, {
      problems: [{ field: 'birthDate', reason: 'data de nascimento não informada' }],
    });
    const opp = (await c.kentroOpportunities()).find((o) => o.id === LEAD.ana);
    assert.equal(opp?.fkStage, S.failed);
    assert.deepEqual(
      opp?.notes.map((n) => n.note),
      [
        'Crédito do Trabalhador: fluxo não concluído. Motivo: Dados do cliente incompletos: data de nascimento não informada.',
      ],
    );
    const consults = (await c.v8Consults()).filter((x) => x.documentNumber === CPFS.ana);
    assert.deepEqual(consults, []);
  });

  test('old route POST /clt/fluxo-completo {cpf}: the {success, message, resultado} envelope, 200 and 400', async () => {
    const ok = await c.call('POST', '/clt/fluxo-completo', { cpf: CPFS.demoApproved2 });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.success, true);
    assert.equal(ok.body.message, 'Fluxo CLT executado com sucesso');
    const r = ok.body.resultado;
    // The old keys (docs/LEGACY-CONTRACT.md): V8's own answer in simulacao_resultado.
    assert.equal(r.sucesso, true);
    assert.equal(r.cpf, CPFS.demoApproved2);
    assert.equal(r.simulacao_criada, true);
    assert.equal(r.oportunidade_id, LEAD.approved2);
    assert.equal(r.status_termo, 'SUCCESS');
    assert.equal(r.termo_resultado.availableMarginValue, 1500);
    assert.ok(r.simulacao_resultado.disbursement_amount > 0, JSON.stringify(r.simulacao_resultado));
    // The instalment is the margin unless V8's valueMax caps the loan (then it is lowered to fit).
    const face = r.simulacao_resultado.installment_face_value;
    assert.ok(face > 0 && face <= 1500, JSON.stringify(r.simulacao_resultado));
    assert.ok(r.simulacao_resultado.disbursement_amount <= 25_000, JSON.stringify(r.simulacao_resultado));
    await c.settledFlow(r.flow_id);

    const failed = await c.call('POST', '/clt/fluxo-completo', { cpf: '529.982.247-25' });
    assert.equal(failed.status, 400, failed.text);
    assert.equal(failed.body.success, false);
    assert.equal(failed.body.error, 'Dados obrigatórios não preenchidos');
    assert.equal(failed.body.etapa, 'validacao_dados');
    assert.deepEqual(failed.body.dadosFaltantes, ['data_nascimento']);
    assert.equal(failed.body.resultado.sucesso, false);

    const bad = await c.call('POST', '/clt/fluxo-completo', { cpf: '123' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.success, false);
    assert.equal(bad.body.resultado, null);
    assert.equal(bad.body.campo, 'cpf');
    assert.equal(bad.body.error, 'CPF inválido');
    assert.equal(bad.body.code, 'invalid_data');
  });

  test('old route GET /cache/simulacao/:cpf: the simulation of the flow in the envelope; 404 in it too', async () => {
    const hit = await c.call('GET', `/cache/simulacao/${CPFS.demoApproved2}`);
    assert.equal(hit.status, 200, hit.text);
    assert.equal(hit.body.success, true);
    assert.equal(hit.body.message, 'Simulação encontrada no cache');
    assert.equal(hit.body.resultado.cpf, CPFS.demoApproved2);
    assert.equal(hit.body.resultado.status, 'APROVADA');
    assert.ok(hit.body.resultado.simulacao.valor_liberado > 0);
    assert.deepEqual(hit.body.dados, hit.body.resultado);

    const miss = await c.call('GET', `/cache/simulacao/${CPFS.ana}`);
    assert.equal(miss.status, 404, miss.text);
    assert.equal(miss.body.success, false);
    assert.equal(miss.body.resultado, null);
    assert.equal(typeof miss.body.message, 'string');

    const anon = await fetch(`http://127.0.0.1:${c.port}/cache/simulacao/${CPFS.demoApproved2}`);
    assert.equal(anon.status, 401);
  });

  test('every request the fake Kentro received matches the Kentro spec', async () => {
    const requests = await c.kentroRequests();
    assert.ok(requests.length > 0);
    for (const r of requests) {
      assert.ok(r.op, 'no call to an unknown Kentro path');
      assertKentroRequest(r.op, r.body);
    }
  });
});
