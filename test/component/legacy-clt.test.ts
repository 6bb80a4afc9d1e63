import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAKE_KENTRO_TEMPLATE_ID } from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { cpfWithCheckDigits } from '../../sandbox/fake-v8/fake-v8-server.ts';
import {
  API_TOKEN,
  APPROVED_BORROWER,
  CPF,
  FlowHarness,
  type HttpAnswer,
  waitUntil,
} from '../support/flow-harness.ts';

// The old service's routes (/clt, /cache, /v8) on the real app, answering in the old envelope.
let h: FlowHarness;

before(async () => {
  h = await FlowHarness.start();
});
after(async () => {
  await h?.close();
});

type Envelope = {
  success: boolean;
  message: string;
  resultado: Record<string, unknown> | null;
  [k: string]: unknown;
};

async function old(
  method: string,
  p: string,
  body?: unknown,
  token = API_TOKEN,
): Promise<HttpAnswer<Envelope>> {
  const res = await fetch(`${h.app.url}${p}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Envelope };
}

function assertOldError(r: HttpAnswer<Envelope>, status: number, code: string): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.success, false);
  assert.equal(typeof r.body.message, 'string');
  assert.equal(r.body.resultado, null);
  assert.equal(typeof r.body.error, 'string', 'the old error was a text');
  assert.equal(r.body.code, code);
}

describe('old routes, old envelope', () => {
  test('POST /clt/fluxo-completo: simulated -> 200 with the outcome; the cache then has it', async () => {
    const r = await old('POST', '/clt/fluxo-completo', { cpf: CPF.approved });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.success, true);
    assert.equal(r.body.message, 'Fluxo CLT executado com sucesso');
    assert.equal(r.body.origem, 'V8');
    const res = r.body.resultado as Record<string, unknown>;
    assert.equal(res.sucesso, true);
    assert.equal(res.simulacao_criada, true);
    assert.equal(res.motivo_falha, null);
    assert.equal('etapa' in res, false, 'the old success carried no etapa');
    assert.equal(res.oportunidade_id, 40101);
    assert.equal(res.status_termo, 'SUCCESS');
    assert.equal((res.termo_resultado as Record<string, unknown>).availableMarginValue, 512.37);
    assert.equal((res.dados_validados as Record<string, unknown>).nome, 'MARIA TESTE DA SILVA');
    // V8's own answer, in V8's names: the instalment is the margin when no valor was sent (old default).
    const sim = res.simulacao_resultado as Record<string, number>;
    assert.equal(sim.number_of_installments, 96);
    assert.equal(sim.installment_face_value, 512.37);
    assert.ok((sim.disbursement_amount ?? 0) > 0);
    const flow = await h.flow(res.flow_id as string);
    assert.equal(flow.outcome, 'simulated');

    const cached = await old('POST', '/clt/simular-cache', { cpf: '123.456.789-09' });
    assert.equal(cached.status, 200);
    assert.equal(cached.body.message, 'Simulação realizada com sucesso');
    assert.equal(
      (cached.body.resultado as Record<string, unknown>).disbursement_amount,
      sim.disbursement_amount,
    );
    const dados = cached.body.dados as Record<string, unknown>;
    assert.equal(dados.status, 'APROVADA');
    assert.equal(dados.consultId, flow.consult?.id);
    assert.equal((dados.dadosSimulacao as Record<string, unknown>).number_of_installments, 96);
    const client = dados.dadosCliente as Record<string, unknown>;
    assert.equal(client.nome, 'MARIA TESTE DA SILVA');
    assert.equal(client.statusTermo, 'SUCCESS');
    assert.equal(client.oportunidadeId, 40101);
  });

  test('POST /clt/fluxo-completo: no margin -> 400 with etapa and motivo_falha (as the old service)', async () => {
    const r = await old('POST', '/clt/fluxo-completo', { cpf: CPF.rejected });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.equal('etapa' in r.body, false, 'the old refusal of a consult carried no etapa');
    assert.equal(typeof r.body.motivo_falha, 'string');
    assert.equal(r.body.error, r.body.motivo_falha);
    assert.equal(r.body.status_termo, 'REJECTED');
    const res = r.body.resultado as Record<string, unknown>;
    assert.equal(res.simulacao_criada, false);
    assert.equal((res.termo_resultado as Record<string, unknown>).status, 'REJECTED');
  });

  test('POST/GET /clt/fluxo-completo: still running -> 202 "em andamento" with the flow id; a second call joins it', async () => {
    const hang = cpfWithCheckDigits('510000018');
    await h.app.flow.kentro.findOrCreateOpportunity(hang, {
      title: 'CLIENTE ESPERA',
      phone: '5511977770000',
      fields: { birthDate: '01/02/1980' },
    });
    const r = await old('POST', '/clt/fluxo-completo', { cpf: hang, aguardar_s: 0 });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.success, true);
    const res = r.body.resultado as Record<string, unknown>;
    assert.equal(res.status, 'em andamento');
    assert.match(res.flow_id as string, /^[0-9a-f-]{36}$/);
    const again = await fetch(`${h.app.url}/clt/fluxo-completo?cpf=${hang}&aguardar_s=0`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    assert.equal(again.status, 202);
    assert.equal(((await again.json()) as Envelope).resultado?.flow_id, res.flow_id);
  });

  test('POST /clt/fluxo-completo: bad input and no token answer in the old envelope', async () => {
    const bad = await old('POST', '/clt/fluxo-completo', { cpf: '123.456.789-00' });
    assertOldError(bad, 400, 'invalid_data');
    assert.equal(bad.body.campo, 'cpf');
    assert.equal(bad.body.motivo, 'CPF inválido (dígitos verificadores não conferem)');
    assert.match(bad.body.message, /^Dados inválidos: cpf CPF inválido/);
    const missing = await old('POST', '/clt/fluxo-completo', {});
    assertOldError(missing, 400, 'invalid_data');
    assert.deepEqual([missing.body.campo, missing.body.motivo], ['cpf', 'é obrigatório']);
    const badWait = await old('POST', '/clt/fluxo-completo', { cpf: CPF.approved, aguardar_s: 999 });
    assertOldError(badWait, 400, 'invalid_data');
    assert.equal(badWait.body.campo, 'aguardar_s');
    const anon = await old('POST', '/clt/fluxo-completo', { cpf: CPF.approved }, '');
    assertOldError(anon, 401, 'unauthorized');
    const unknown = await old('GET', '/clt/nao-existe');
    assertOldError(unknown, 404, 'not_found');
    const notJson = await fetch(`${h.app.url}/clt/fluxo-completo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: '{"cpf": ',
    });
    assertOldError({ status: notJson.status, body: (await notJson.json()) as Envelope }, 400, 'invalid_data');
  });

  test('POST /clt/simular-personalizada: valor/prazo on the SUCCESS consult, stored as the newest simulation', async () => {
    const r = await old('POST', '/clt/simular-personalizada', {
      cpf: CPF.approved,
      valor: '300,50',
      prazo: 24,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.message, 'Simulação personalizada realizada com sucesso');
    const res = r.body.resultado as Record<string, unknown>;
    assert.equal(res.prazo, 24);
    assert.equal(res.origem, 'manual');
    assert.ok((res.valor_liberado as number) > 0);
    const sent = h.fakeV8
      .requests({ method: 'POST', path: '/private-consignment/simulation' })
      .map((q) => q.body as Record<string, unknown>)
      .at(-1);
    assert.equal(sent?.number_of_installments, 24);
    assert.equal(sent?.installment_face_value, 300.5, 'valor is the instalment, as the old service sent it');
    assert.equal(sent?.disbursed_amount, undefined);
    assert.equal(res.installment_face_value, 300.5);
    assert.equal(res.number_of_installments, 24);
    const cached = await old('POST', '/clt/simular-cache', { cpf: CPF.approved });
    assert.equal((cached.body.resultado as Record<string, unknown>).id, res.id, 'the newest simulation');

    const byInstallment = await old('POST', '/clt/simular-personalizada', {
      cpf: CPF.approved,
      installment_face_value: 200,
      number_of_installments: 36,
    });
    assert.equal(byInstallment.status, 200, JSON.stringify(byInstallment.body));
    assert.equal((byInstallment.body.resultado as Record<string, unknown>).prazo, 36);

    const both = await old('POST', '/clt/simular-personalizada', {
      cpf: CPF.approved,
      valor: 1000,
      installment_face_value: 100,
      prazo: 12,
    });
    assertOldError(both, 400, 'invalid_data');
    assert.equal(both.body.campo, 'valor');
    const noTerm = await old('POST', '/clt/simular-personalizada', { cpf: CPF.approved, valor: 1000 });
    assertOldError(noTerm, 400, 'invalid_data');
    assert.deepEqual(
      [noTerm.body.campo, noTerm.body.motivo],
      ['prazo', 'é obrigatório (número de parcelas)'],
    );
    const never = await old('POST', '/clt/simular-personalizada', {
      cpf: cpfWithCheckDigits('520000010'),
      valor: 1000,
      prazo: 12,
    });
    assertOldError(never, 400, 'not_found');
    assert.equal(never.body.message, 'Nenhum termo aprovado encontrado para simulação');
    assert.match(never.body.erro as string, /nenhuma consulta aprovada \(SUCCESS\)/);
  });

  test('POST /clt/simular-cache: 404 in the old envelope for a CPF without a simulation', async () => {
    const r = await old('POST', '/clt/simular-cache', { cpf: cpfWithCheckDigits('530000010') });
    assertOldError(r, 404, 'not_found');
    assert.match(r.body.message, /^Simulação não encontrada no cache/);
  });

  test('/cache/simulacao: salvar, GET, PUT (merge), list, DELETE', async () => {
    const cpf = cpfWithCheckDigits('540000010');
    const saved = await old('POST', '/cache/simulacao/salvar', {
      cpf,
      consultId: 'consult-legado-1',
      dadosSimulacao: {
        disbursement_amount: 5000,
        installment_face_value: 250.5,
        number_of_installments: 36,
      },
      dadosCliente: { nome: 'Fulano de Tal', telefone: '5511999990000' },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.message, 'Simulação e dados do cliente salvos no cache com sucesso');
    assert.deepEqual(saved.body.dados, { cpf, consultId: 'consult-legado-1' });

    const got = await old('GET', `/cache/simulacao/${cpf}`);
    assert.equal(got.status, 200);
    const entry = got.body.dados as Record<string, unknown>;
    assert.equal(entry.cpf, cpf);
    assert.equal(entry.consultId, 'consult-legado-1');
    assert.equal(entry.status, 'APROVADA');
    assert.deepEqual(entry.dadosCliente, { nome: 'Fulano de Tal', telefone: '5511999990000' });
    assert.equal((entry.dadosSimulacao as Record<string, unknown>).number_of_installments, 36);
    assert.equal((entry.simulacao as Record<string, unknown>).valor_liberado, 5000);
    assert.match(entry.timestamp as string, /^\d{4}-\d\d-\d\dT/);

    const put = await old('PUT', `/cache/simulacao/${cpf}`, {
      formalization_url: 'https://formalizacao.example/abc',
      dadosSimulacao: { disbursement_amount: 6000, installment_face_value: 280, number_of_installments: 36 },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.dados, { cpf });
    const after = (await old('GET', `/cache/simulacao/${cpf}`)).body.dados as Record<string, unknown>;
    assert.equal(after.formalization_url, 'https://formalizacao.example/abc');
    assert.equal(after.consultId, 'consult-legado-1', 'keys not sent are kept');
    assert.deepEqual(after.dadosCliente, { nome: 'Fulano de Tal', telefone: '5511999990000' });
    assert.equal((after.simulacao as Record<string, unknown>).valor_liberado, 6000);

    const list = await old('GET', '/cache/simulacoes?limit=500');
    assert.equal(list.status, 200);
    assert.equal(list.body.message, 'Simulações listadas com sucesso');
    const all = list.body.simulacoes as Record<string, unknown>[];
    assert.equal(list.body.total, all.length);
    assert.equal(all.filter((s) => s.cpf === cpf).length, 1, 'one entry per CPF');

    const emptyPut = await old('PUT', `/cache/simulacao/${cpf}`, {});
    assertOldError(emptyPut, 400, 'invalid_data');
    const del = await old('DELETE', `/cache/simulacao/${cpf}`);
    assert.equal(del.status, 200);
    assert.equal(del.body.message, 'Simulação removida do cache com sucesso');
    assertOldError(await old('GET', `/cache/simulacao/${cpf}`), 404, 'not_found');
    assertOldError(await old('DELETE', `/cache/simulacao/${cpf}`), 404, 'not_found');
    // The old route answered 500 for a CPF without an entry (kept: callers may test for it).
    const putMissing = await old('PUT', `/cache/simulacao/${cpf}`, { a: 1 });
    assertOldError(putMissing, 500, 'not_found');
    assert.equal(putMissing.body.message, 'Erro ao atualizar simulação no cache');

    const nothing = await old('POST', '/cache/simulacao/salvar', { cpf });
    assertOldError(nothing, 400, 'invalid_data');
    assert.equal(nothing.body.campo, 'dadosSimulacao');
    const badCpf = await old('GET', '/cache/simulacao/12345');
    assertOldError(badCpf, 400, 'invalid_data');
    assert.deepEqual([badCpf.body.campo, badCpf.body.motivo], ['cpf', 'CPF deve ter 11 dígitos']);
  });

  test('GET /v8/operacoes: V8 operations in the old shape, with the default window', async () => {
    const flowId = (await old('POST', '/clt/fluxo-completo', { cpf: CPF.approved })).body.resultado
      ?.flow_id as string;
    const flow = await h.flow(flowId);
    const created = await h.app.v8.client.createOperation({
      simulationId: (flow.simulation as { v8SimulationId: string }).v8SimulationId,
      provider: 'QI',
      borrower: APPROVED_BORROWER,
    });
    const r = await old('GET', `/v8/operacoes?cpf=${CPF.approved}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.message, 'Operações listadas com sucesso');
    assert.deepEqual(r.body.empresas, ['QI']);
    const ops = r.body.operacoes as Record<string, unknown>[];
    assert.equal(r.body.total, ops.length);
    const op = ops.find((o) => o.operationId === created.id);
    assert.ok(op, JSON.stringify(ops));
    assert.equal(op.cpf, CPF.approved);
    assert.equal(op.empresa, 'QI');
    assert.equal(typeof op.status, 'string');
    const window = (r.body.resultado as { janela: { inicio: string; fim: string } }).janela;
    const days = (Date.parse(window.fim) - Date.parse(window.inicio)) / 86_400_000;
    assert.equal(Math.round(days), 30, 'default window: the last 30 days');
    const sent = h.fakeV8
      .requests({ method: 'GET', path: '/private-consignment/operation' })
      .filter((q) => q.path === '/private-consignment/operation')
      .at(-1);
    assert.equal(sent?.query.startDate, window.inicio);

    const ranged = await old('GET', '/v8/operacoes?startDate=2020-01-01&endDate=2020-01-31');
    assert.equal(ranged.status, 200);
    assert.equal(ranged.body.total, 0);
    const bad = await old('GET', '/v8/operacoes?startDate=ontem');
    assertOldError(bad, 400, 'invalid_data');
    assert.equal(bad.body.campo, 'startDate');
  });

  test('POST /clt/mensagem-whatsapp: template with the newest simulation through the outbox, once per simulation', async () => {
    await old('POST', '/clt/fluxo-completo', { cpf: CPF.approved });
    h.fakeKentro.clearRequests();
    const r = await old('POST', '/clt/mensagem-whatsapp', { cpf: CPF.approved });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.message, 'Mensagem enviada');
    const res = r.body.resultado as Record<string, unknown>;
    assert.equal(res.status, 'enviada');
    assert.equal(res.template_id, FAKE_KENTRO_TEMPLATE_ID);
    const sent = h.fakeKentro.requests('sendWaTemplate');
    assert.equal(sent.length, 1);
    const body = sent[0]?.body as { number: string; templateId: number; data: string[] };
    assert.equal(body.number, '5511912345678');
    assert.equal(body.templateId, FAKE_KENTRO_TEMPLATE_ID);
    assert.equal(body.data[0], 'MARIA');
    assert.match(body.data[1] ?? '', /^R\$ [\d.]+,\d\d$/);

    const again = await old('POST', '/clt/mensagem-whatsapp', { cpf: CPF.approved });
    assert.equal(again.status, 200);
    assert.match(again.body.message, /já enviada/);
    assert.equal(h.fakeKentro.requests('sendWaTemplate').length, 1, 'not sent twice');

    h.fakeKentro.setDown(true);
    try {
      const queued = await old('POST', '/clt/mensagem-whatsapp', {
        cpf: CPF.approved,
        reenviar: true,
        aguardar_s: 0,
      });
      assert.equal(queued.status, 202, JSON.stringify(queued.body));
      assert.equal((queued.body.resultado as Record<string, unknown>).status, 'na fila');
    } finally {
      h.fakeKentro.setDown(false);
    }
    await waitUntil(
      () => h.fakeKentro.requests('sendWaTemplate').filter((q) => q.status === 200).length === 2,
      10_000,
      () => 'the queued message was not delivered after Kentro came back',
    );

    // Kentro sends it but answers 500: the message may have reached the borrower, so it is not resent.
    const sentBefore = h.fakeKentro.requests('sendWaTemplate').length;
    h.fakeKentro.setFault({ op: 'sendWaTemplate', status: 500, when: 'after', count: 1 });
    const unsure = await old('POST', '/clt/mensagem-whatsapp', { cpf: CPF.approved, reenviar: true });
    assert.equal(unsure.status, 502, JSON.stringify(unsure.body));
    assert.equal((unsure.body.resultado as Record<string, unknown>).status, 'incerta');
    assert.match(unsure.body.message as string, /não confirmou o envio/);
    assert.equal(h.fakeKentro.requests('sendWaTemplate').length, sentBefore + 1, 'sent once, not repeated');

    const none = await old('POST', '/clt/mensagem-whatsapp', { cpf: cpfWithCheckDigits('550000010') });
    assertOldError(none, 404, 'not_found');
    const bad = await old('POST', '/clt/mensagem-whatsapp', { cpf: 'abc' });
    assertOldError(bad, 400, 'invalid_data');
  });
});

describe('old routes without V8 webhooks', () => {
  test('POST /clt/simular-personalizada: a SUCCESS consult made elsewhere is found through V8 and recorded', async () => {
    const cpf = cpfWithCheckDigits('560000020');
    const h2 = await FlowHarness.start({ registerWebhooks: false });
    try {
      const c = await h2.app.v8.client.createConsult({
        cpf,
        name: 'CONSULTA EXTERNA',
        birthDate: '1985-05-05',
        gender: 'female',
        email: 'externa@example.com',
        phone: { countryCode: '55', areaCode: '11', phoneNumber: '955554321' },
        provider: 'QI',
      });
      await h2.app.v8.client.authorizeConsult(c.id);
      await waitUntil(() => h2.consultsAtV8(cpf)[0]?.status === 'SUCCESS');
      assert.equal(h2.app.store.consults.get(c.id), undefined, 'not known to us (no webhook)');
      const res = await fetch(`${h2.app.url}/clt/simular-personalizada`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ cpf, valor: 1500, prazo: 12 }),
      });
      const r = { status: res.status, body: (await res.json()) as Envelope };
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal((r.body.resultado as Record<string, unknown>).consult_id, c.id);
      assert.equal(h2.app.store.consults.get(c.id)?.status, 'SUCCESS', 'recorded from V8');
    } finally {
      await h2.close();
    }
  });
});
