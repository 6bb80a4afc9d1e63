import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cpfWithCheckDigits } from '../../sandbox/fake-v8/fake-v8-server.ts';
import { API_TOKEN, CPF, FlowHarness, type HttpAnswer, REJECTION } from '../support/flow-harness.ts';

// The old service's contract (test/fixtures/legacy/contract.json, docs/LEGACY-CONTRACT.md) checked
// route by route with the old callers' request shapes, then an old caller's session replayed.

type Json = Record<string, unknown>;
type Spec = Record<string, string>;
interface Route {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly responses: Record<string, Json>;
  readonly statuses: number[];
}
interface Contract {
  readonly shapes: Record<string, Spec>;
  readonly errorShapes: Record<string, Spec>;
  readonly etapa: { readonly values: string[] };
  readonly routes: Route[];
}
interface SessionStep {
  readonly name: string;
  readonly request: { readonly method: string; readonly path: string; readonly body?: unknown };
  readonly response: { readonly status: number; readonly body: Json };
}

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'legacy');
const contract = JSON.parse(readFileSync(path.join(FIXTURES, 'contract.json'), 'utf8')) as Contract;
const session = JSON.parse(readFileSync(path.join(FIXTURES, 'session.json'), 'utf8')) as {
  steps: SessionStep[];
};
const covered = new Set<string>();

function route(id: string): Route {
  const r = contract.routes.find((x) => x.id === id);
  assert.ok(r, `route ${id} is in contract.json`);
  covered.add(id);
  return r;
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Every key of `spec` (a shape name or {key: "type|type"}, "key?" optional) is in `value` with its type. */
function checkShape(value: unknown, spec: string | Spec, where: string): void {
  const s = typeof spec === 'string' ? (contract.shapes[spec] ?? contract.errorShapes[spec]) : spec;
  assert.ok(s, `shape ${String(spec)} is in contract.json`);
  assert.equal(typeOf(value), 'object', `${where} is an object: ${JSON.stringify(value)}`);
  const o = value as Json;
  for (const [k, types] of Object.entries(s)) {
    const optional = k.endsWith('?');
    const key = optional ? k.slice(0, -1) : k;
    if (optional && !(key in o)) continue;
    assert.ok(key in o, `${where}.${key} is present: ${JSON.stringify(o)}`);
    assert.ok(
      types.split('|').includes(typeOf(o[key])),
      `${where}.${key} is ${types}, got ${typeOf(o[key])} (${JSON.stringify(o[key])})`,
    );
  }
}

function checkResponse(r: HttpAnswer<Json>, id: string, status: number): void {
  const rt = route(id);
  assert.ok(rt.statuses.includes(status), `${status} is an old status of ${id}`);
  assert.equal(r.status, status, JSON.stringify(r.body));
  const spec = rt.responses[String(status)] as { keys?: Spec; shape?: string; values?: Json } | undefined;
  if (spec?.keys) checkShape(r.body, spec.keys, id);
  if (spec?.shape) {
    const shapes = spec.shape.split('|');
    const fits = shapes.some((s) => {
      try {
        checkShape(r.body, s, id);
        return true;
      } catch {
        return false;
      }
    });
    assert.ok(fits, `${id} ${status} fits ${spec.shape}: ${JSON.stringify(r.body)}`);
  }
  for (const [k, v] of Object.entries(spec?.values ?? {})) assert.deepEqual(r.body[k], v, `${id}.${k}`);
}

let h: FlowHarness;
before(async () => {
  h = await FlowHarness.start();
});
after(async () => {
  await h?.close();
});

async function call(method: string, p: string, body?: unknown): Promise<HttpAnswer<Json>> {
  const res = await fetch(`${h.app.url}${p}`, {
    method,
    headers: {
      authorization: `Bearer ${API_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

const lastSimulationSent = () =>
  h.fakeV8
    .requests({ method: 'POST', path: '/private-consignment/simulation' })
    .map((q) => q.body as Json)
    .at(-1);

describe('the old contract, route by route', () => {
  test('POST /clt/fluxo-completo: CPF with punctuation, valor "300,50" = the instalment; old keys and types', async () => {
    const r = await call('POST', '/clt/fluxo-completo', {
      cpf: '123.456.789-09',
      valor: '300,50',
      prazo: '24',
    });
    checkResponse(r, 'fluxo-completo', 200);
    const res = r.body.resultado as Json;
    checkShape(res, 'fluxoResultado', 'resultado');
    checkShape(res.dados_validados, 'dadosValidados', 'resultado.dados_validados');
    checkShape(res.termo_resultado, 'termoResultado', 'resultado.termo_resultado');
    checkShape(res.simulacao_resultado, 'v8Simulation', 'resultado.simulacao_resultado');
    assert.equal('etapa' in r.body || 'etapa' in res, false, 'no etapa on success (old)');
    assert.equal((res.simulacao_resultado as Json).installment_face_value, 300.5);
    const sent = lastSimulationSent();
    assert.equal(sent?.installment_face_value, 300.5, 'sent to V8 as the instalment');
    assert.equal(sent?.number_of_installments, 24);
    assert.equal(sent?.disbursed_amount, undefined);
    // Kentro holds the birth date as DD/MM/YYYY: shown as typed, sent to V8 as YYYY-MM-DD.
    assert.equal((res.dados_validados as Json).data_nascimento, '15/04/1990');
    const consult = h.fakeV8
      .requests({ method: 'POST', path: '/private-consignment/consult' })
      .map((q) => q.body as Json)
      .find((b) => b.borrowerDocumentNumber === CPF.approved);
    assert.equal(consult?.birthDate, '1990-04-15');
  });

  test('GET /clt/fluxo-completo: the same with the query (valor=300 -> instalments of 300)', async () => {
    const res = await fetch(`${h.app.url}/clt/fluxo-completo?cpf=12345678909&valor=300&prazo=12`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const r = { status: res.status, body: (await res.json()) as Json };
    checkResponse(r, 'fluxo-completo-get', 200);
    const sim = (r.body.resultado as Json).simulacao_resultado as Json;
    assert.equal(sim.installment_face_value, 300);
    assert.equal(sim.number_of_installments, 12);
  });

  test('POST /clt/fluxo-completo refusals: old shape, old etapa values and statuses', async () => {
    const etapas = new Set(contract.etapa.values);
    const cases: [unknown, number, string | undefined, string[] | null][] = [
      // birth date missing: refused (the old code sent 1990-01-01), told in the old shape
      [{ cpf: '529.982.247-25' }, 400, 'validacao_dados', ['data_nascimento']],
      [{ cpf: '98765432100' }, 400, 'busca_oportunidade', null],
      [{ cpf: 11144477735 }, 400, undefined, null],
    ];
    for (const [body, status, etapa, missing] of cases) {
      const r = await call('POST', '/clt/fluxo-completo', body);
      checkResponse(r, 'fluxo-completo', status);
      checkShape(r.body, 'fluxoRefused', 'refusal');
      assert.equal(r.body.etapa, etapa, JSON.stringify(r.body));
      if (etapa) assert.ok(etapas.has(etapa));
      assert.deepEqual(r.body.dadosFaltantes, missing);
    }
    const rejected = await call('POST', '/clt/fluxo-completo', { cpf: CPF.rejected });
    assert.equal(rejected.body.error, REJECTION);
    assert.equal(rejected.body.status_termo, 'REJECTED');
    checkShape((rejected.body.resultado as Json).termo_resultado, 'termoResultado', 'termo_resultado');

    const noName = cpfWithCheckDigits('400000010');
    await h.app.flow.kentro.findOrCreateOpportunity(noName, {
      title: '5511955550000',
      phone: '5511955550000',
      fields: { birthDate: '01/02/1980' },
    });
    const nameless = await call('POST', '/clt/fluxo-completo', { cpf: noName });
    checkResponse(nameless, 'fluxo-completo', 400);
    assert.equal(nameless.body.etapa, 'validacao_nome');
    assert.deepEqual(nameless.body.dadosFaltantes, ['nome']);

    const bad = await call('POST', '/clt/fluxo-completo', { cpf: '123' });
    checkResponse(bad, 'fluxo-completo', 400);
    checkShape(bad.body, 'fluxoBadCpf', 'bad cpf');
    assert.equal(bad.body.error, 'CPF inválido');
    // Issue 10: valor had no upper bound. Refused before anything starts: no flow, nothing sent to V8.
    const fresh = cpfWithCheckDigits('400000410');
    const consultsBefore = h.fakeV8.requests({ method: 'POST', path: '/private-consignment/consult' }).length;
    const tooBig = await call('POST', '/clt/fluxo-completo', { cpf: fresh, valor: 100_000.01 });
    assert.equal(tooBig.status, 400);
    assert.deepEqual([tooBig.body.campo, tooBig.body.code], ['valor', 'invalid_data']);
    assert.equal(h.app.store.flows.list({ cpf: fresh, limit: 5 }).length, 0, 'no flow started');
    assert.equal(
      h.fakeV8.requests({ method: 'POST', path: '/private-consignment/consult' }).length,
      consultsBefore,
      'nothing sent to V8',
    );
  });

  test('POST /clt/fluxo-completo: an approved consult without a simulation still writes the cache entry', async () => {
    const noMargin = cpfWithCheckDigits('400000019');
    await h.app.flow.kentro.findOrCreateOpportunity(noMargin, {
      title: 'CLIENTE SEM MARGEM',
      phone: '5511966660000',
      fields: { birthDate: '01/02/1980', motherName: 'MAE DO CLIENTE', rg: '123456', city: 'CAMPINAS' },
    });
    const r = await call('POST', '/clt/fluxo-completo', { cpf: noMargin });
    checkResponse(r, 'fluxo-completo', 400);
    assert.equal('etapa' in r.body, false);
    assert.equal(r.body.status_termo, 'SUCCESS');
    assert.equal((r.body.resultado as Json).simulacao_criada, false);
    const entry = await call('GET', `/cache/simulacao/${noMargin}`);
    checkResponse(entry, 'cache-get', 200);
    checkShape(entry.body.dados, 'cacheEntry', 'dados');
    const dados = entry.body.dados as Json;
    assert.equal(dados.dadosSimulacao, null);
    checkShape(dados.dadosCliente, 'dadosCliente', 'dadosCliente');
    const client = dados.dadosCliente as Json;
    assert.deepEqual(
      [client.nomeMae, client.rg, client.statusTermo],
      ['MAE DO CLIENTE', '123456', 'SUCCESS'],
    );
    assert.equal((client.endereco as Json).cidade, 'CAMPINAS');
  });

  test('GET /clt/buscar-oportunidade/:cpf', async () => {
    checkResponse(await call('GET', `/clt/buscar-oportunidade/${CPF.approved}`), 'buscar-oportunidade', 200);
    checkResponse(await call('GET', '/clt/buscar-oportunidade/98765432100'), 'buscar-oportunidade', 404);
    checkResponse(await call('GET', '/clt/buscar-oportunidade/123'), 'buscar-oportunidade', 400);
  });

  test('POST /clt/simular-personalizada: V8 names and the documented valor/prazo; bounds', async () => {
    const v8Names = await call('POST', '/clt/simular-personalizada', {
      cpf: CPF.approved,
      installment_face_value: 200,
      number_of_installments: 36,
    });
    checkResponse(v8Names, 'simular-personalizada', 200);
    checkShape(v8Names.body.resultado, 'v8Simulation', 'resultado');
    assert.equal((v8Names.body.resultado as Json).installment_face_value, 200);
    const documented = await call('POST', '/clt/simular-personalizada', {
      cpf: '123.456.789-09',
      valor: '300,50',
      prazo: '24',
    });
    checkResponse(documented, 'simular-personalizada', 200);
    assert.equal(lastSimulationSent()?.installment_face_value, 300.5);
    const none = await call('POST', '/clt/simular-personalizada', {
      cpf: cpfWithCheckDigits('400000170'),
      valor: 100,
      prazo: 12,
    });
    checkResponse(none, 'simular-personalizada', 400);
    const huge = await call('POST', '/clt/simular-personalizada', {
      cpf: CPF.approved,
      valor: 1e9,
      prazo: 12,
    });
    checkResponse(huge, 'simular-personalizada', 400);
    assert.equal(huge.body.campo, 'valor');
  });

  test('POST /clt/simular-cache', async () => {
    const r = await call('POST', '/clt/simular-cache', { cpf: CPF.approved, valor: 1, prazo: 1 });
    checkResponse(r, 'simular-cache', 200);
    checkShape(r.body.resultado, 'v8Simulation', 'resultado');
    checkResponse(
      await call('POST', '/clt/simular-cache', { cpf: cpfWithCheckDigits('400000250') }),
      'simular-cache',
      404,
    );
  });

  test('/cache/simulacao: salvar (old body, DD/MM/YYYY kept as sent), GET, PUT, DELETE, list, propostas', async () => {
    const cpf = cpfWithCheckDigits('400000330');
    const saved = await call('POST', '/cache/simulacao/salvar', {
      cpf,
      consultId: 'termo-antigo-1',
      dadosSimulacao: {
        id_simulation: 'sim-1',
        installment_face_value: 250,
        number_of_installments: 24,
        disbursement_amount: 4000,
      },
      dadosCliente: { nome: 'CLIENTE ANTIGO', dataNascimento: '05/04/1990' },
    });
    checkResponse(saved, 'cache-salvar', 200);
    checkShape(saved.body.dados, { cpf: 'string', consultId: 'string' }, 'dados');
    const got = await call('GET', `/cache/simulacao/${cpf}`);
    checkResponse(got, 'cache-get', 200);
    checkShape(got.body.dados, 'cacheEntry', 'dados');
    assert.equal(((got.body.dados as Json).dadosCliente as Json).dataNascimento, '05/04/1990');
    assert.equal(((got.body.dados as Json).dadosSimulacao as Json).installment_face_value, 250);
    checkResponse(await call('PUT', `/cache/simulacao/${cpf}`, { operation_id: 'op-9' }), 'cache-put', 200);
    checkResponse(await call('PUT', `/cache/simulacao/${cpf}`, {}), 'cache-put', 400);
    checkResponse(await call('POST', '/cache/simulacao/salvar', { cpf }), 'cache-salvar', 400);
    const list = await call('GET', '/cache/simulacoes');
    checkResponse(list, 'cache-list', 200);
    for (const e of list.body.simulacoes as Json[]) checkShape(e, 'cacheEntry', 'simulacoes[]');
    const props = await call('GET', '/cache/propostas');
    checkResponse(props, 'cache-propostas', 200);
    const mine = (props.body.propostas as Json[]).find((p) => p.cpf === cpf);
    checkShape(mine, 'proposta', 'propostas[]');
    assert.deepEqual([mine?.valor_parcela, mine?.parcelas, mine?.operation_id], [250, 24, 'op-9']);
    checkResponse(await call('DELETE', `/cache/simulacao/${cpf}`), 'cache-delete', 200);
    checkResponse(await call('DELETE', `/cache/simulacao/${cpf}`), 'cache-delete', 404);
    checkResponse(await call('GET', `/cache/simulacao/${cpf}`), 'cache-get', 404);
    checkResponse(await call('PUT', `/cache/simulacao/${cpf}`, { a: 1 }), 'cache-put', 500);
  });

  test('GET /v8/operacoes', async () => {
    const r = await call('GET', '/v8/operacoes?limit=50&page=1');
    checkResponse(r, 'v8-operacoes', 200);
    for (const op of r.body.operacoes as Json[]) checkShape(op, 'operacao', 'operacoes[]');
    const times = (r.body.operacoes as Json[]).map((o) => Date.parse(String(o.createdAt)));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );
  });

  test('POST /clt/mensagem-whatsapp', async () => {
    const r = await call('POST', '/clt/mensagem-whatsapp', { cpf: '123.456.789-09' });
    checkResponse(r, 'mensagem-whatsapp', r.status === 202 ? 202 : 200);
  });

  test("/config/v8 routes are the console's (checked in console-api.test.ts)", () => {
    for (const id of ['config-atual', 'config-salvar', 'config-testar']) route(id);
  });

  test('every old route of contract.json was exercised', () => {
    assert.deepEqual(
      contract.routes.map((r) => r.id).filter((id) => !covered.has(id)),
      [],
    );
  });
});

describe('the old fluxo-completo waits: LEGACY_SYNC_TIMEOUT_S, ?async=1, finalizacao_termo', () => {
  test('no answer within LEGACY_SYNC_TIMEOUT_S: 408 in the old timeout shape with the flow id; ?async=1 -> 202', async () => {
    // Workers off: the flow never moves, so only the guard can answer.
    const still = await FlowHarness.start({ workers: false, config: { LEGACY_SYNC_TIMEOUT_S: '1' } });
    try {
      const ask = async (p: string, body: unknown) => {
        const res = await fetch(`${still.app.url}${p}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Json };
      };
      const r = await ask('/clt/fluxo-completo', { cpf: CPF.approved });
      checkResponse(r, 'fluxo-completo', 408);
      checkShape(r.body, 'fluxoTimeout', 'timeout');
      assert.match(r.body.error as string, /^Timeout: processamento excedeu/);
      assert.match(r.body.flow_id as string, /^[0-9a-f-]{36}$/);
      const queued = await ask('/clt/fluxo-completo?async=1', { cpf: CPF.approved, aguardar_s: 0 });
      assert.equal(queued.status, 202, JSON.stringify(queued.body));
      assert.equal((queued.body.resultado as Json).flow_id, r.body.flow_id, 'the same flow goes on');
      assert.equal((queued.body.resultado as Json).status, 'em andamento');
    } finally {
      await still.close();
    }
  });

  test('V8 never gives the margin within FLOW_MARGIN_TIMEOUT_S: 408, etapa finalizacao_termo', async () => {
    const slow = await FlowHarness.start({ config: { FLOW_MARGIN_TIMEOUT_S: '1' } });
    try {
      const hang = cpfWithCheckDigits('400000018');
      await slow.app.flow.kentro.findOrCreateOpportunity(hang, {
        title: 'CLIENTE ESPERA',
        phone: '5511977770000',
        fields: { birthDate: '01/02/1980' },
      });
      const res = await fetch(`${slow.app.url}/clt/fluxo-completo`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ cpf: hang }),
      });
      const r = { status: res.status, body: (await res.json()) as Json };
      checkResponse(r, 'fluxo-completo', 408);
      checkShape(r.body, 'fluxoRefused', 'refusal');
      assert.equal(r.body.etapa, 'finalizacao_termo');
      assert.equal(r.body.error, 'Termo não finalizado - tente mais tarde');
    } finally {
      await slow.close();
    }
  });
});

/** `old` (the old answer, with placeholders) is matched by `actual`: keys, types, concrete values. */
function matchOld(old: unknown, actual: unknown, where: string): void {
  if (typeof old === 'string' && /^<(string|number|iso|array|object|any)>$/.test(old)) {
    const want = old.slice(1, -1);
    if (want === 'any') return;
    if (want === 'iso') {
      assert.ok(typeof actual === 'string' && !Number.isNaN(Date.parse(actual)), `${where}: a date-time`);
      return;
    }
    assert.equal(typeOf(actual), want, `${where}: ${want}, got ${JSON.stringify(actual)}`);
    return;
  }
  if (old !== null && typeof old === 'object' && !Array.isArray(old)) {
    assert.equal(typeOf(actual), 'object', `${where}: an object, got ${JSON.stringify(actual)}`);
    for (const [k, v] of Object.entries(old)) {
      assert.ok(k in (actual as Json), `${where}.${k} is present: ${JSON.stringify(actual)}`);
      matchOld(v, (actual as Json)[k], `${where}.${k}`);
    }
    return;
  }
  // V8 sends some amounts as text ("512.37"): the old callers parsed them; compared as numbers.
  const numeric = (v: unknown) =>
    typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v));
  if (numeric(old) && numeric(actual)) {
    assert.equal(Number(actual), Number(old), where);
    return;
  }
  assert.deepEqual(actual, old, where);
}

describe("an old caller's session replayed (test/fixtures/legacy/session.json)", () => {
  let h2: FlowHarness;
  before(async () => {
    h2 = await FlowHarness.start();
  });
  after(async () => {
    await h2?.close();
  });

  for (const [i, step] of session.steps.entries()) {
    test(`${i + 1}. ${step.name}`, async () => {
      const q = step.request;
      const res = await fetch(`${h2.app.url}${q.path}`, {
        method: q.method,
        headers: {
          authorization: `Bearer ${API_TOKEN}`,
          ...(q.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(q.body === undefined ? {} : { body: JSON.stringify(q.body) }),
      });
      const body = (await res.json()) as Json;
      assert.equal(res.status, step.response.status, JSON.stringify(body));
      matchOld(step.response.body, body, 'body');
    });
  }
});
