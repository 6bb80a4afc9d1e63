import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { KentroClient } from '../../app/adapters/kentro/kentro-client.ts';
import {
  createKentroClient,
  type KentroClientOptions,
} from '../../app/adapters/kentro/kentro-http-client.ts';
import type { KentroSettings } from '../../app/config/app-config.ts';
import { type AppError, isAppError } from '../../app/domain/app-error.ts';
import {
  FAKE_KENTRO_CPFS,
  FAKE_KENTRO_DISABLED_QUEUE_ID,
  FAKE_KENTRO_FORM_FIELDS,
  FAKE_KENTRO_NO_WHATSAPP_NUMBER,
  FAKE_KENTRO_OPEN_CHAT_NUMBER,
  FAKE_KENTRO_OTHER_STAGES,
  FAKE_KENTRO_STAGES,
  FAKE_KENTRO_TEMPLATE_ID,
  type FakeKentroHandle,
  type KentroErrorCode,
  startFakeKentro,
} from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { assertKentroRequest } from '../support/kentro-spec.ts';
import { waitUntil } from '../support/wait.ts';

const F = FAKE_KENTRO_FORM_FIELDS;
const S = FAKE_KENTRO_STAGES;
/** A canary key: if it shows up anywhere but the request body, the test says where. */
const CANARY = 'ca7a4y00c0ffee00000000000000dead';

let fake: FakeKentroHandle;

interface StoredOpportunity {
  id: number;
  title: string;
  mainmail: string;
  mainphone: string;
  fkPipeline: number;
  fkStage: number;
  value: number;
  responsableid: number;
  formsdata: Record<string, unknown>;
  notes: { note: string }[];
}

function stored(id: number): StoredOpportunity {
  const state = fake.state() as { opportunities: StoredOpportunity[] };
  const o = state.opportunities.find((x) => x.id === id);
  assert.ok(o, `opportunity ${id} in the fake`);
  return o;
}

function settings(over: Partial<KentroSettings> = {}): KentroSettings {
  return {
    baseUrl: fake.url,
    apiKey: fake.apiKey,
    queueId: fake.queueId,
    pipelineId: fake.pipelineId,
    responsibleId: 3,
    stages: {
      marginFound: S.marginFound,
      noMargin: S.noMargin,
      simulated: S.simulated,
      proposal: S.proposal,
      paid: S.paid,
      failed: S.failed,
    },
    formFields: FAKE_KENTRO_FORM_FIELDS,
    lookup: 'mainmail',
    waTemplateId: FAKE_KENTRO_TEMPLATE_ID,
    timeoutMs: 5000,
    ...over,
  };
}

const FAST: KentroClientOptions = { retry: { baseDelayMs: 1, maxDelayMs: 5 }, confirmDelayMs: 5 };

function client(over: Partial<KentroSettings> = {}, options: KentroClientOptions = {}): KentroClient {
  return createKentroClient(settings(over), { ...FAST, ...options });
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isAppError(err), `expected an AppError, got ${inspect(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

/** A 127.0.0.1 URL nobody listens on. */
async function closedPortUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

function ops(): (string | undefined)[] {
  return fake.requests().map((r) => r.op);
}

before(async () => {
  fake = await startFakeKentro({ apiKey: CANARY });
});
after(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});
afterEach(() => {
  // Every request the client sent in the test matches the spec's request schema of its operation.
  for (const r of fake.requests()) {
    assert.ok(r.op, `client called an unknown path ${r.path}`);
    assertKentroRequest(r.op, r.body);
  }
});

describe('KentroClient: lookup', () => {
  it('finds by mainmail, whatever the formatting on either side', async () => {
    const k = client();
    const maria = await k.findOpportunityByCpf('123.456.789-09');
    assert.equal(maria?.id, 40101);
    assert.equal(maria?.title, 'MARIA TESTE DA SILVA');
    assert.equal(maria?.fields.birthDate, '15/04/1990');
    assert.equal(maria?.fields.motherName, 'JOANA TESTE DA SILVA');
    assert.equal((await k.findOpportunityByCpf(FAKE_KENTRO_CPFS.joao))?.id, 40102, 'stored formatted');
    const ana = await k.findOpportunityByCpf(FAKE_KENTRO_CPFS.ana);
    assert.equal(ana?.fields.birthDate, undefined, '"null" is no birth date');
    assert.equal(await k.findOpportunityByCpf(FAKE_KENTRO_CPFS.carlos), undefined, 'mainmail "null"');
    assert.equal(await k.findOpportunityByCpf(FAKE_KENTRO_CPFS.lost), undefined, 'lost: not listed');
    assert.equal(await k.findOpportunityByCpf(FAKE_KENTRO_CPFS.otherPipeline), undefined, 'other pipeline');
    assert.deepEqual(
      fake.requests().map((r) => (r.body as { pipelineId: number }).pipelineId),
      Array(6).fill(fake.pipelineId),
    );
  });

  it('finds by the cpf form field with KENTRO_LOOKUP=formfield', async () => {
    const k = client({ lookup: 'formfield' });
    assert.equal((await k.findOpportunityByCpf(FAKE_KENTRO_CPFS.carlos))?.id, 40104);
    assert.equal((await k.findOpportunityByCpf(FAKE_KENTRO_CPFS.maria))?.id, 40101);
    assert.equal((await k.findOpportunityByCpf(FAKE_KENTRO_CPFS.joao))?.id, 40102);
  });

  it('formfield lookup without a cpf form field is not_configured; a bad CPF is invalid_data', async () => {
    const e = await rejection(
      client({ lookup: 'formfield', formFields: {} }).findOpportunityByCpf('12345678909'),
    );
    assert.equal(e.code, 'not_configured');
    assert.match(e.message, /KENTRO_FORM_FIELDS/);
    assert.equal((await rejection(client().findOpportunityByCpf('123'))).code, 'invalid_data');
    assert.deepEqual(ops(), []);
  });

  it('getOpportunity reads one opportunity; not_found for unknown ids', async () => {
    const k = client();
    const o = await k.getOpportunity(40102);
    assert.equal(o.stageId, S.entry);
    assert.equal(o.mainphone, '5521987654321');
    assert.equal((await rejection(k.getOpportunity(99))).code, 'not_found');
  });
});

describe('KentroClient: findOrCreateOpportunity', () => {
  const lead = {
    title: 'NOVO CLIENTE TESTE',
    phone: '(11) 98888-7777',
    fields: { birthDate: '01/02/1990', email: 'novo@example.com', motherName: 'MAE TESTE' },
  };

  it('returns the existing opportunity without creating', async () => {
    const r = await client().findOrCreateOpportunity('123.456.789-09', lead);
    assert.equal(r.id, 40101);
    assert.equal(r.created, false);
    assert.equal(r.opportunity?.title, 'MARIA TESTE DA SILVA');
    assert.deepEqual(ops(), ['getPipeOpportunities']);
  });

  it('creates once with the conventions, and never a second time for the same CPF', async () => {
    const k = client();
    const first = await k.findOrCreateOpportunity(FAKE_KENTRO_CPFS.new1, lead);
    assert.equal(first.created, true);
    const again = await k.findOrCreateOpportunity(FAKE_KENTRO_CPFS.new1, { title: 'OUTRO NOME' });
    assert.deepEqual([again.id, again.created], [first.id, false]);
    // A second client (another process) sees it too.
    assert.equal((await client().findOrCreateOpportunity(FAKE_KENTRO_CPFS.new1, lead)).created, false);
    assert.equal(fake.requests('createOpportunity').length, 1);
    const o = stored(first.id);
    assert.equal(o.title, 'NOVO CLIENTE TESTE');
    assert.equal(o.mainmail, FAKE_KENTRO_CPFS.new1);
    assert.equal(o.mainphone, '5511988887777');
    assert.equal(o.fkPipeline, fake.pipelineId);
    assert.equal(o.fkStage, S.entry);
    assert.equal(o.responsableid, 3);
    assert.equal(o.formsdata[F.cpf], FAKE_KENTRO_CPFS.new1);
    assert.equal(o.formsdata[F.birthDate], '01/02/1990');
    assert.equal(o.formsdata[F.motherName], 'MAE TESTE');
  });

  it('concurrent calls for one CPF create one opportunity', async () => {
    const k = client();
    const results = await Promise.all(
      [1, 2, 3].map(() => k.findOrCreateOpportunity(FAKE_KENTRO_CPFS.new2, lead)),
    );
    assert.equal(new Set(results.map((r) => r.id)).size, 1);
    assert.equal(fake.requests('createOpportunity').length, 1);
  });

  it('sends responsableid 0 when KENTRO_RESPONSIBLE_ID is unset, and can create in a given stage', async () => {
    const r = await client({ responsibleId: undefined }).findOrCreateOpportunity(FAKE_KENTRO_CPFS.new1, {
      title: 'X',
      stageId: S.entry,
    });
    assert.equal(stored(r.id).responsableid, 0);
    const refused = await rejection(
      client().findOrCreateOpportunity(FAKE_KENTRO_CPFS.new2, { title: 'Y', stageId: S.paid }),
    );
    assert.equal(refused.code, 'invalid_data', 'the fake refuses stages with cancreate 0');
  });

  it('a create that failed after being applied is found again, not repeated', async () => {
    fake.setFault({ op: 'createOpportunity', status: 500, when: 'after' });
    const r = await client().findOrCreateOpportunity(FAKE_KENTRO_CPFS.new1, lead);
    assert.equal(r.created, true);
    assert.deepEqual(ops(), ['getPipeOpportunities', 'createOpportunity', 'getPipeOpportunities']);
    const state = fake.state() as { opportunities: StoredOpportunity[] };
    assert.equal(state.opportunities.filter((o) => o.mainmail === FAKE_KENTRO_CPFS.new1).length, 1);
  });

  it('a create that failed and was not applied is reported, not retried', async () => {
    fake.setFault({ op: 'createOpportunity', status: 503, count: 'always' });
    const e = await rejection(client().findOrCreateOpportunity(FAKE_KENTRO_CPFS.new1, lead));
    assert.equal(e.code, 'upstream_unavailable');
    assert.equal(fake.requests('createOpportunity').length, 1);
  });

  it('requires a title', async () => {
    const e = await rejection(client().findOrCreateOpportunity(FAKE_KENTRO_CPFS.new1, { title: '  ' }));
    assert.equal(e.code, 'invalid_data');
    assert.equal(fake.requests('createOpportunity').length, 0);
  });
});

describe('KentroClient: updates, stages, notes', () => {
  it('writes value in integer cents and mapped formsdata, merged with what was there', async () => {
    const r = await client().updateOpportunity(40101, {
      // 2049.57 * 100 is 204956.99999999997 in floating point.
      value: 2049.57,
      fields: { simulatedAmount: 5412.8, installments: 24, installmentValue: '312.45' },
      description: 'Crédito CLT - valor liberado R$ 5.412,80',
    });
    assert.deepEqual(r, { id: 40101, skippedFields: [] });
    const sent = fake.requests('updateOpportunity')[0]?.body as Record<string, unknown>;
    assert.equal(sent.value, 204957);
    const formsdata = sent.formsdata as Record<string, string>;
    assert.equal(formsdata[F.simulatedAmount], '5412.8');
    assert.equal(formsdata[F.installments], '24');
    assert.equal(formsdata[F.birthDate], '15/04/1990', 'the full merged object is sent');
    const o = stored(40101);
    assert.equal(o.value, 204957);
    assert.equal(o.formsdata[F.installmentValue], '312.45');
    assert.equal(o.formsdata[F.motherName], 'JOANA TESTE DA SILVA');
    assert.deepEqual(ops(), ['getOpportunity', 'updateOpportunity']);
  });

  it('sends every stored form key, so a server that replaces formsdata loses nothing', async () => {
    const before = stored(40102).formsdata;
    await client().updateOpportunity(40102, { fields: { provider: 'QI' } });
    const sent = fake.requests('updateOpportunity')[0]?.body as { formsdata: Record<string, unknown> };
    assert.deepEqual(sent.formsdata, { ...before, [F.provider]: 'QI' });
  });

  it('reports fields the tenant has no id for, and skips the read when no form field is written', async () => {
    const k = client({ formFields: { cpf: F.cpf, birthDate: F.birthDate } });
    const r = await k.updateOpportunity(40101, { value: 100.5, fields: { simulatedAmount: 1 } });
    assert.deepEqual(r.skippedFields, ['simulatedAmount']);
    assert.deepEqual(ops(), ['updateOpportunity']);
    assert.equal(stored(40101).value, 10050);
  });

  it('moves the stage and confirms it by reading back', async () => {
    const o = await client().changeOpportunityStage(40101, S.simulated);
    assert.equal(o.stageId, S.simulated);
    assert.equal(stored(40101).fkStage, S.simulated);
    assert.deepEqual(ops(), ['changeOpportunityStage', 'getOpportunity']);
    const body = fake.requests('changeOpportunityStage')[0]?.body as Record<string, unknown>;
    assert.equal(body.destStageId, S.simulated);
  });

  it('throws a clear error when Kentro said yes but the stage did not change', async () => {
    fake.setFault({ op: 'changeOpportunityStage', status: 200, body: { id: 40101 } });
    const e = await rejection(client().changeOpportunityStage(40101, S.paid));
    assert.equal(e.code, 'upstream_error');
    assert.match(e.message, new RegExp(`opportunity 40101 to stage ${S.paid}.*still in stage ${S.entry}`));
    assert.deepEqual(ops(), ['changeOpportunityStage', 'getOpportunity', 'getOpportunity']);
    assert.equal(fake.requests('changeOpportunityStage').length, 1, 'the move is not repeated');
  });

  it('a 400 for a stage it already is in counts as done; another pipeline stage is invalid_data', async () => {
    fake.setFault({ op: 'changeOpportunityStage', status: 400, message: 'Oportunidade já está nesta etapa' });
    assert.equal((await client().changeOpportunityStage(40101, S.entry)).stageId, S.entry);
    const e = await rejection(client().changeOpportunityStage(40101, FAKE_KENTRO_OTHER_STAGES.offer));
    assert.equal(e.code, 'invalid_data');
  });

  it('inserts a note', async () => {
    await client().insertOpportunityNote(40101, '  Simulação: R$ 5.412,80 em 24x  ');
    assert.deepEqual(
      stored(40101).notes.map((n) => n.note),
      ['Simulação: R$ 5.412,80 em 24x'],
    );
    assert.equal((await rejection(client().insertOpportunityNote(40101, ' '))).code, 'invalid_data');
    assert.equal((await rejection(client().insertOpportunityNote(77, 'x'))).code, 'not_found');
  });
});

describe('KentroClient: sendWaTemplate', () => {
  it('sends the configured template with cleaned parameters and a 55 number', async () => {
    const r = await client().sendWaTemplate({
      number: '(11) 91234-5678',
      params: ['Maria\nda Silva', 'R$     5.412,80'],
      openNewChat: true,
    });
    assert.equal(typeof r.chatId, 'number');
    assert.equal(r.clientId, '5511912345678');
    const body = fake.requests('sendWaTemplate')[0]?.body as Record<string, unknown>;
    assert.equal(body.templateId, FAKE_KENTRO_TEMPLATE_ID);
    assert.equal(body.number, '5511912345678');
    assert.deepEqual(body.data, ['Maria da Silva', 'R$   5.412,80']);
  });

  it('maps the documented template failures', async () => {
    const k = client();
    const noWa = await rejection(
      k.sendWaTemplate({ number: FAKE_KENTRO_NO_WHATSAPP_NUMBER, params: ['a', 'b'] }),
    );
    assert.equal(noWa.code, 'not_found');
    const open = await rejection(
      k.sendWaTemplate({
        number: FAKE_KENTRO_OPEN_CHAT_NUMBER,
        params: ['a', 'b'],
        cancelIfAlreadyOpen: true,
      }),
    );
    assert.equal(open.code, 'upstream_error');
    assert.equal((open.detail as { httpStatus: number }).httpStatus, 403);
    const noTemplate = await rejection(
      client({ waTemplateId: undefined }).sendWaTemplate({ number: '11912345678', params: [] }),
    );
    assert.equal(noTemplate.code, 'not_configured');
    assert.equal((await rejection(k.sendWaTemplate({ number: 'abc', params: [] }))).code, 'invalid_data');
  });
});

describe('KentroClient: errors', () => {
  const codes: [KentroErrorCode, string][] = [
    ['GENERIC_001', 'invalid_data'],
    ['AUTH_018', 'auth_failed'],
    ['AUTH_001', 'auth_failed'],
    ['AUTH_014', 'auth_failed'],
    ['AUTH_021', 'auth_failed'],
    ['QUEUE_008', 'upstream_unavailable'],
  ];
  for (const [code, expected] of codes) {
    it(`${code} -> ${expected}, with Kentro's code and message as detail`, async () => {
      fake.setFault({ op: '*', code, count: 'always' });
      const e = await rejection(client().getOpportunity(40101));
      assert.equal(e.code, expected);
      const detail = e.detail as { kentroCode: string; kentroMessage: string; operation: string };
      assert.equal(detail.kentroCode, code);
      assert.equal(detail.operation, 'getOpportunity');
      assert.ok(detail.kentroMessage);
    });
  }

  it('real triggers: wrong key, disabled queue, missing opportunity, server errors', async () => {
    assert.equal(
      (await rejection(client({ apiKey: 'wrong-key' }).getOpportunity(40101))).code,
      'auth_failed',
    );
    const disabled = await rejection(
      client({ queueId: FAKE_KENTRO_DISABLED_QUEUE_ID }).getOpportunity(40101),
    );
    assert.equal(disabled.code, 'auth_failed', 'our key does not belong to that queue');
    fake.setFault({ op: 'insertOpportunityNote', status: 500 });
    assert.equal((await rejection(client().insertOpportunityNote(40101, 'x'))).code, 'upstream_unavailable');
    fake.setFault({ op: 'insertOpportunityNote', status: 422, message: 'regra' });
    assert.equal((await rejection(client().insertOpportunityNote(40101, 'x'))).code, 'upstream_error');
  });

  it('an HTML 200 answer is an error, not a success', async () => {
    fake.setFault({ op: 'getPipeOpportunities', html: true });
    const e = await rejection(client().findOpportunityByCpf(FAKE_KENTRO_CPFS.maria));
    assert.equal(e.code, 'upstream_error');
    assert.match(e.message, /HTML/);
    const wrongBase = await rejection(client({ baseUrl: `${fake.url}/app/` }).getOpportunity(40101));
    assert.equal(wrongBase.code, 'upstream_error');
    fake.clearRequests();
  });

  it('a 200 that is not JSON is an error', async () => {
    fake.setFault({ op: 'getOpportunity', body: 'ok', contentType: 'text/plain' });
    assert.equal((await rejection(client().getOpportunity(40101))).code, 'upstream_error');
  });

  it('not_configured names the missing settings and sends nothing', async () => {
    const e = await rejection(
      client({
        baseUrl: undefined,
        apiKey: undefined,
        queueId: undefined,
        pipelineId: undefined,
      }).getOpportunity(1),
    );
    assert.equal(e.code, 'not_configured');
    for (const key of ['KENTRO_BASE_URL', 'KENTRO_API_KEY', 'KENTRO_QUEUE_ID', 'KENTRO_PIPELINE_ID']) {
      assert.match(e.message, new RegExp(key));
    }
    for (const over of [{ apiKey: undefined }, { pipelineId: undefined }]) {
      assert.equal(
        (await rejection(client(over).findOpportunityByCpf(FAKE_KENTRO_CPFS.maria))).code,
        'not_configured',
      );
    }
    assert.deepEqual(ops(), []);
  });
});

describe('KentroClient: retries and timeouts', () => {
  it('retries reads with backoff on 5xx', async () => {
    fake.setFault({ op: 'getOpportunity', status: 503, count: 2 });
    const slept: number[] = [];
    const k = client(
      {},
      { retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 1000 }, sleep: async (ms) => void slept.push(ms) },
    );
    assert.equal((await k.getOpportunity(40101)).id, 40101);
    assert.equal(fake.requests('getOpportunity').length, 3);
    assert.deepEqual(slept, [10, 20]);
  });

  it('gives up after the attempts', async () => {
    fake.setFault({ op: 'getPipeOpportunities', status: 500, count: 'always' });
    const e = await rejection(client().findOpportunityByCpf(FAKE_KENTRO_CPFS.maria));
    assert.equal(e.code, 'upstream_unavailable');
    assert.equal(fake.requests('getPipeOpportunities').length, 3);
  });

  it('does not retry reads on 4xx or HTML', async () => {
    fake.setFault({ op: 'getOpportunity', code: 'AUTH_018', count: 'always' });
    await rejection(client().getOpportunity(40101));
    assert.equal(fake.requests('getOpportunity').length, 1);
  });

  it('never repeats writes', async () => {
    fake.setFault({ op: '*', status: 503, count: 'always' });
    const k = client();
    await rejection(k.insertOpportunityNote(40101, 'x'));
    await rejection(k.updateOpportunity(40101, { value: 1 }));
    await rejection(k.changeOpportunityStage(40101, S.paid));
    await rejection(k.sendWaTemplate({ number: '11912345678', params: ['a', 'b'] }));
    assert.deepEqual(ops(), [
      'insertOpportunityNote',
      'updateOpportunity',
      'changeOpportunityStage',
      'sendWaTemplate',
    ]);
  });

  it('times out every call: reads retried, writes not', async () => {
    // The fake answers long after the client's timeout; how long after does not matter.
    fake.setFault({ op: '*', delayMs: 3000, count: 'always' });
    const k = client({ timeoutMs: 500 });
    const read = await rejection(k.getOpportunity(40101));
    assert.equal(read.code, 'upstream_unavailable');
    assert.match(read.message, /within 500 ms/);
    // A request the client gave up on may reach the fake a moment later on a busy machine.
    await waitUntil(
      () => fake.requests('getOpportunity').length >= 3,
      10_000,
      () => 'the 3 read attempts',
    );
    const write = await rejection(k.insertOpportunityNote(40101, 'x'));
    assert.equal(write.code, 'upstream_unavailable');
    await waitUntil(
      () => fake.requests('insertOpportunityNote').length >= 1,
      10_000,
      () => 'the write attempt',
    );
    assert.equal(fake.requests('getOpportunity').length, 3);
    assert.equal(fake.requests('insertOpportunityNote').length, 1);
    fake.clearFaults();
  });

  it("follows the fake's down switch", async () => {
    const k = client();
    fake.setDown(true);
    assert.equal((await rejection(k.getOpportunity(40101))).code, 'upstream_unavailable');
    assert.equal(fake.requests('getOpportunity').length, 3);
    fake.setDown(false);
    assert.equal((await k.getOpportunity(40101)).id, 40101);
  });

  it('a refused connection is upstream_unavailable', async () => {
    const e = await rejection(client({ baseUrl: await closedPortUrl() }).getOpportunity(1));
    assert.equal(e.code, 'upstream_unavailable');
    assert.match(e.message, /ECONNREFUSED/);
  });
});

describe('KentroClient: the apiKey never leaks', () => {
  // A fake of its own: a request of an earlier test that reaches the shared fake late (its client
  // gave up on a busy machine) would take the faults this test sets.
  let own: FakeKentroHandle;
  before(async () => {
    own = await startFakeKentro({ apiKey: CANARY });
  });
  after(async () => {
    await own.close();
  });

  it('not in error messages, details, stacks, inspected errors or log lines', async () => {
    const lines: string[] = [];
    const logger = {
      debug: (m: string, meta?: Record<string, unknown>) => lines.push(`${m} ${JSON.stringify(meta)}`),
      warn: (m: string, meta?: Record<string, unknown>) => lines.push(`${m} ${JSON.stringify(meta)}`),
    };
    const k = client({ baseUrl: own.url, timeoutMs: 100 }, { logger });
    const errors: AppError[] = [];
    // Kentro echoing the key back, in the message and in an unknown field.
    own.setFault({ op: 'getOpportunity', code: 'AUTH_018', message: `apiKey ${CANARY} inválida` });
    errors.push(await rejection(k.getOpportunity(40101)));
    own.setFault({
      op: 'getOpportunity',
      status: 400,
      body: { message: `bad {"apiKey":"${CANARY}"}`, echo: CANARY },
    });
    errors.push(await rejection(k.getOpportunity(40101)));
    own.setFault({ op: 'insertOpportunityNote', status: 500, body: CANARY, contentType: 'text/plain' });
    errors.push(await rejection(k.insertOpportunityNote(40101, 'x')));
    // Timeouts and network errors (got's errors carry the request options, body included).
    // 'always', then cleared: a timed-out attempt that reaches the fake late takes nothing it should not.
    own.setFault({ op: 'getOpportunity', delayMs: 300, count: 'always' });
    errors.push(await rejection(k.getOpportunity(40101)));
    own.clearFaults();
    errors.push(await rejection(client({ baseUrl: await closedPortUrl() }, { logger }).getOpportunity(1)));
    own.setFault({ op: 'getOpportunity', drop: true, count: 'always' });
    errors.push(await rejection(k.getOpportunity(40101)));
    own.clearFaults();
    // Successful calls log too.
    await k.getOpportunity(40101);
    assert.ok(lines.length > 0);
    for (const e of errors) {
      for (const text of [
        e.message,
        JSON.stringify(e),
        JSON.stringify(e.detail),
        String(e.stack),
        inspect(e, { depth: 20 }),
      ]) {
        assert.ok(!text.includes(CANARY), `canary in ${text}`);
      }
    }
    for (const line of lines) assert.ok(!line.includes(CANARY), `canary in log line ${line}`);
    // The key did travel, in the bodies.
    assert.ok(own.requests().every((r) => (r.body as { apiKey?: string }).apiKey === CANARY));
    own.clearFaults();
  });
});
