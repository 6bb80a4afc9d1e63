import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CONFIG_KEYS } from '../../app/config/schema.ts';
import {
  FAKE_KENTRO_API_KEY,
  FAKE_KENTRO_CPFS,
  FAKE_KENTRO_DISABLED_QUEUE_ID,
  FAKE_KENTRO_DISABLED_QUEUE_KEY,
  FAKE_KENTRO_FORM_FIELDS,
  FAKE_KENTRO_FORM_FIELDS_JSON,
  FAKE_KENTRO_GLOBAL_KEY,
  FAKE_KENTRO_NO_WHATSAPP_NUMBER,
  FAKE_KENTRO_OPEN_CHAT_NUMBER,
  FAKE_KENTRO_OTHER_STAGES,
  FAKE_KENTRO_PIPELINE_ID,
  FAKE_KENTRO_QUEUE_ID,
  FAKE_KENTRO_SAMPLE_LEADS,
  FAKE_KENTRO_STAGES,
  FAKE_KENTRO_TEMPLATE_ID,
  type FakeKentroHandle,
  startFakeKentro,
} from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { assertKentroRequest, assertKentroResponse, kentroSpec } from '../support/kentro-spec.ts';

const Q = { queueId: FAKE_KENTRO_QUEUE_ID, apiKey: FAKE_KENTRO_API_KEY };
const F = FAKE_KENTRO_FORM_FIELDS;

interface Answer {
  status: number;
  contentType: string;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience for JSON answers
  json: any;
}

let fake: FakeKentroHandle;

async function call(method: string, p: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${fake.url}${p}`, {
    method,
    ...(body === undefined
      ? {}
      : {
          body: typeof body === 'string' ? body : JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
}

/** POST /int/<op>; answers documented by the spec are checked against it. */
async function int(op: string, body: Record<string, unknown>): Promise<Answer> {
  const a = await call('POST', `/int/${op}`, body);
  if (kentroSpec().operations().includes(op) && a.status === 200) assertKentroResponse(op, 200, a.json);
  return a;
}

before(async () => {
  fake = await startFakeKentro();
});
after(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

describe('fake Kentro: transport and authentication', () => {
  it('answers /health', async () => {
    const a = await call('GET', '/health');
    assert.equal(a.status, 200);
    assert.equal(a.json.status, 'ok');
  });

  it('GENERIC_001 (400) when apiKey or queueId is missing, in the {message, code} shape', async () => {
    for (const body of [
      { queueId: FAKE_KENTRO_QUEUE_ID, id: 40101 },
      { apiKey: FAKE_KENTRO_API_KEY, id: 40101 },
    ]) {
      const a = await int('getOpportunity', body);
      assert.equal(a.status, 400);
      assert.equal(a.json.code, 'GENERIC_001');
      assert.equal(typeof a.json.message, 'string');
      assertKentroResponse('getOpportunity', 400, a.json);
    }
  });

  it('AUTH_018 (401) for a wrong key or a key of another queue', async () => {
    const wrong = await int('getOpportunity', { queueId: FAKE_KENTRO_QUEUE_ID, apiKey: 'nope', id: 40101 });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.code, 'AUTH_018');
    const otherQueue = await int('getOpportunity', {
      queueId: FAKE_KENTRO_QUEUE_ID,
      apiKey: FAKE_KENTRO_DISABLED_QUEUE_KEY,
      id: 40101,
    });
    assert.equal(otherQueue.json.code, 'AUTH_018');
  });

  it('QUEUE_008 (503) for a disabled queue, and enableQueue needs that queue key', async () => {
    const body = {
      queueId: FAKE_KENTRO_DISABLED_QUEUE_ID,
      apiKey: FAKE_KENTRO_DISABLED_QUEUE_KEY,
      id: 40101,
    };
    const a = await int('getOpportunity', body);
    assert.equal(a.status, 503);
    assert.equal(a.json.code, 'QUEUE_008');
    const global = await int('enableQueue', {
      queueId: FAKE_KENTRO_DISABLED_QUEUE_ID,
      apiKey: FAKE_KENTRO_GLOBAL_KEY,
    });
    assert.equal(global.json.code, 'AUTH_018');
    assert.equal((await int('enableQueue', body)).status, 200);
    assert.equal((await int('getOpportunity', body)).status, 200);
  });

  it('queue endpoints take the global key too; global endpoints take only the global key', async () => {
    assert.equal(
      (
        await int('getOpportunity', {
          queueId: FAKE_KENTRO_QUEUE_ID,
          apiKey: FAKE_KENTRO_GLOBAL_KEY,
          id: 40101,
        })
      ).status,
      200,
    );
    const queueKey = await int('getAllPipelines', { apiKey: FAKE_KENTRO_API_KEY });
    assert.equal(queueKey.status, 401);
    assert.equal(queueKey.json.code, 'AUTH_018');
    const pipelines = await int('getAllPipelines', { apiKey: FAKE_KENTRO_GLOBAL_KEY });
    assert.equal(pipelines.status, 200);
    const clt = pipelines.json.find((p: { id: number }) => p.id === FAKE_KENTRO_PIPELINE_ID);
    assert.deepEqual(clt.stageorders, Object.values(FAKE_KENTRO_STAGES));
    assert.ok(clt.stages.every((s: { fk_pipeline: number }) => s.fk_pipeline === FAKE_KENTRO_PIPELINE_ID));
  });

  it('answers the web app HTML page with 200 for unknown operations and GETs', async () => {
    for (const [method, p] of [
      ['POST', '/int/getOpportunities'],
      ['GET', '/int/getOpportunity'],
      ['GET', '/'],
      ['POST', '/api/opportunities'],
    ] as const) {
      const a = await call(method, p, method === 'POST' ? Q : undefined);
      assert.equal(a.status, 200, p);
      assert.match(a.contentType, /text\/html/);
      assert.match(a.text, /^<!doctype html>/i);
    }
  });

  it('matches operation names case-insensitively', async () => {
    const a = await int('getopportunity', { ...Q, id: 40101 });
    assert.equal(a.status, 200);
    assert.equal(fake.requests('getOpportunity').length, 1);
  });

  it('rejects bodies that are not JSON like a missing key', async () => {
    const a = await call('POST', '/int/getOpportunity', 'queueId=25&apiKey=x');
    assert.equal(a.status, 400);
    assert.equal(a.json.code, 'GENERIC_001');
  });
});

describe('fake Kentro: seed', () => {
  it('has sample leads with the CPF in mainmail, the name in title and full formsdata', async () => {
    const a = await int('getOpportunity', { ...Q, id: 40101 });
    assert.equal(a.json.title, 'MARIA TESTE DA SILVA');
    assert.equal(a.json.mainmail, FAKE_KENTRO_CPFS.maria);
    assert.match(a.json.formsdata[F.birthDate], /^\d{2}\/\d{2}\/\d{4}$/);
    assert.match(a.json.formsdata[F.email], /@/);
    assert.match(a.json.formsdata[F.phone], /^55\d{10,11}$/);
    assert.ok(a.json.formsdata[F.motherName]);
    const ana = FAKE_KENTRO_SAMPLE_LEADS.find((l) => l.cpf === FAKE_KENTRO_CPFS.ana);
    assert.equal(ana?.fields.birthDate, 'null');
  });

  it('seed CPFs are checksum-valid and the keys look like real ones', () => {
    const valid = (cpf: string) => {
      const d = [...cpf].map(Number);
      const dv = (n: number) => {
        const s = d.slice(0, n).reduce((acc, x, i) => acc + x * (n + 1 - i), 0);
        return ((s * 10) % 11) % 10;
      };
      return cpf.length === 11 && dv(9) === d[9] && dv(10) === d[10];
    };
    for (const cpf of Object.values(FAKE_KENTRO_CPFS)) assert.ok(valid(cpf), cpf);
    for (const key of [FAKE_KENTRO_API_KEY, FAKE_KENTRO_GLOBAL_KEY, FAKE_KENTRO_DISABLED_QUEUE_KEY]) {
      assert.match(key, /^[0-9a-f]{32}$/);
    }
  });

  it('the form-field map is a valid KENTRO_FORM_FIELDS value', () => {
    const parsed = CONFIG_KEYS.KENTRO_FORM_FIELDS.schema.parse(FAKE_KENTRO_FORM_FIELDS_JSON);
    assert.deepEqual(parsed, FAKE_KENTRO_FORM_FIELDS);
  });

  it('getPipeOpportunities lists open opportunities of one pipeline (optionally one stage)', async () => {
    const all = await int('getPipeOpportunities', { ...Q, pipelineId: FAKE_KENTRO_PIPELINE_ID });
    const cpfs = all.json.map((o: { mainmail: string }) => o.mainmail);
    assert.ok(cpfs.includes(FAKE_KENTRO_CPFS.maria));
    assert.ok(!cpfs.includes(FAKE_KENTRO_CPFS.lost), 'lost opportunities are not listed');
    assert.ok(!cpfs.includes(FAKE_KENTRO_CPFS.otherPipeline));
    const inStage = await int('getPipeOpportunities', {
      ...Q,
      pipelineId: FAKE_KENTRO_PIPELINE_ID,
      stageId: FAKE_KENTRO_STAGES.paid,
    });
    assert.deepEqual(inStage.json, []);
  });

  it('uses configured pipeline, stage and form-field ids', async () => {
    const other = await startFakeKentro({
      pipelineId: 70,
      stages: { entry: 700, simulated: 703 },
      formFields: { cpf: 'aaaa0001', birthDate: 'aaaa0002' },
      queueId: 3,
      apiKey: 'other-key',
    });
    try {
      const res = await fetch(`${other.url}/int/getPipeOpportunities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ queueId: 3, apiKey: 'other-key', pipelineId: 70 }),
      });
      const list = (await res.json()) as { fkStage: number; formsdata: Record<string, string> }[];
      assert.ok(list.length > 0);
      assert.ok(list.every((o) => o.fkStage === 700));
      assert.equal(list[0]?.formsdata.aaaa0001, FAKE_KENTRO_CPFS.maria);
      assert.equal(other.stages.simulated, 703);
    } finally {
      await other.close();
    }
  });
});

describe('fake Kentro: CRM operations', () => {
  it('createOpportunity requires title and responsableid, enters the entry stage, auto-increments ids', async () => {
    const missing = await int('createOpportunity', { ...Q, title: 'X' });
    assert.equal(missing.status, 400);
    const body = {
      ...Q,
      responsableid: 0,
      title: 'NOVO',
      fkPipeline: FAKE_KENTRO_PIPELINE_ID,
      mainmail: '1',
    };
    const a = await int('createOpportunity', body);
    const b = await int('createOpportunity', body);
    assert.equal(b.json.id, a.json.id + 1);
    const got = await int('getOpportunity', { ...Q, id: a.json.id });
    assert.equal(got.json.fkStage, FAKE_KENTRO_STAGES.entry);
    assert.equal(got.json.status, 0);
    const closedStage = await int('createOpportunity', { ...body, fkStage: FAKE_KENTRO_STAGES.paid });
    assert.equal(closedStage.status, 400, 'stages with cancreate 0 refuse creation');
  });

  it('updateOpportunity merges formsdata, replaces arrays and ignores fkStage; 404 when missing', async () => {
    const a = await int('updateOpportunity', {
      ...Q,
      id: 40101,
      value: 541280,
      tags: [6],
      fkStage: FAKE_KENTRO_STAGES.paid,
      formsdata: { [F.simulatedAmount]: '5412.80' },
    });
    assert.deepEqual(a.json, { id: 40101 });
    await int('updateOpportunity', { ...Q, id: 40101, tags: [7] });
    const o = (await int('getOpportunity', { ...Q, id: 40101 })).json;
    assert.equal(o.value, 541280);
    assert.deepEqual(o.tags, [7]);
    assert.equal(o.fkStage, FAKE_KENTRO_STAGES.entry);
    assert.equal(o.formsdata[F.simulatedAmount], '5412.80');
    assert.equal(o.formsdata[F.birthDate], '15/04/1990');
    const missing = await int('updateOpportunity', { ...Q, id: 1, title: 'x' });
    assert.equal(missing.status, 404);
  });

  it('changeOpportunityStage moves within the pipeline only', async () => {
    const ok = await int('changeOpportunityStage', {
      ...Q,
      id: 40101,
      destStageId: FAKE_KENTRO_STAGES.simulated,
    });
    assert.deepEqual(ok.json, { id: 40101 });
    const cross = await int('changeOpportunityStage', {
      ...Q,
      id: 40101,
      destStageId: FAKE_KENTRO_OTHER_STAGES.offer,
    });
    assert.equal(cross.status, 400);
    const unknown = await int('changeOpportunityStage', { ...Q, id: 40101, destStageId: 99999 });
    assert.equal(unknown.status, 400);
    const state = fake.state() as {
      opportunities: { id: number; fkStage: number; stageHistory: unknown[] }[];
    };
    const maria = state.opportunities.find((o) => o.id === 40101);
    assert.equal(maria?.fkStage, FAKE_KENTRO_STAGES.simulated);
    assert.equal(maria?.stageHistory.length, 1);
  });

  it('insertOpportunityNote answers 200 without a body and keeps the note', async () => {
    const a = await int('insertOpportunityNote', { ...Q, id: 40101, note: 'Simulação feita' });
    assert.equal(a.status, 200);
    assert.equal(a.text, '');
    const state = fake.state() as { opportunities: { id: number; notes: { note: string }[] }[] };
    assert.deepEqual(
      state.opportunities.find((o) => o.id === 40101)?.notes.map((n) => n.note),
      ['Simulação feita'],
    );
  });

  it('remove, win, lose and transfer', async () => {
    assert.equal((await int('winOpportunity', { ...Q, id: 40101, closevalue: 100 })).status, 200);
    assert.equal((await int('loseOpportunity', { ...Q, id: 40102, closereason: 'x' })).status, 200);
    assert.equal((await int('transferOpportunity', { ...Q, id: 40103, newResponsableId: 9 })).status, 200);
    assert.equal((await int('removeOpportunity', { ...Q, id: 40104 })).status, 200);
    assert.equal((await int('removeOpportunity', { ...Q, id: 40104 })).status, 404);
    const open = await int('getPipeOpportunities', { ...Q, pipelineId: FAKE_KENTRO_PIPELINE_ID });
    // 40101/40102 closed, 40104 removed, 40105 lost; the demo leads (40107+) stay open.
    assert.deepEqual(
      open.json.map((o: { id: number }) => o.id).filter((id: number) => id < 40107),
      [40103],
    );
    assert.equal(open.json[0].responsableid, 9);
  });
});

describe('fake Kentro: WhatsApp templates', () => {
  const send = (extra: Record<string, unknown>) =>
    int('sendWaTemplate', {
      ...Q,
      templateId: FAKE_KENTRO_TEMPLATE_ID,
      data: ['Maria', 'R$ 5.412,80'],
      ...extra,
    });

  it('sends, and opens a chat only with openNewChat', async () => {
    const plain = await send({ number: '5511912345678' });
    assert.equal(plain.status, 200);
    assert.equal(plain.json.chatId, undefined);
    const opened = await send({ number: '5511912345678', openNewChat: true });
    assert.equal(typeof opened.json.chatId, 'number');
    const state = fake.state() as { sentTemplates: { number: string }[] };
    assert.equal(state.sentTemplates.length, 2);
  });

  it('404 for a number without WhatsApp; 403 with cancelIfAlreadyOpen and an open chat', async () => {
    assert.equal((await send({ number: FAKE_KENTRO_NO_WHATSAPP_NUMBER })).status, 404);
    assert.equal(
      (await send({ number: FAKE_KENTRO_OPEN_CHAT_NUMBER, cancelIfAlreadyOpen: true })).status,
      403,
    );
    assert.equal((await send({ number: FAKE_KENTRO_OPEN_CHAT_NUMBER })).status, 200);
  });

  it('400 for unknown templates, wrong variable count and parameters Meta rejects', async () => {
    assert.equal((await send({ number: '5511912345678', templateId: 1 })).status, 400);
    assert.equal((await send({ number: '5511912345678', data: ['só um'] })).status, 400);
    assert.equal((await send({ number: '5511912345678', data: ['Maria\nSilva', 'x'] })).status, 400);
    assert.equal((await send({ number: '5511912345678', data: undefined })).status, 400);
  });

  it('sendMessageToChat, enqueueMessageToSend and checkEnqueuedMessage', async () => {
    const opened = await send({ number: '5511912345678', openNewChat: true });
    const m = await int('sendMessageToChat', { ...Q, chatId: opened.json.chatId, text: 'olá' });
    assert.equal(typeof m.json.kId, 'number');
    assert.equal((await int('sendMessageToChat', { ...Q, chatId: 1, text: 'x' })).status, 404);
    const e = await int('enqueueMessageToSend', { ...Q, number: '5511912345678', text: 'oi' });
    const first = await int('checkEnqueuedMessage', { ...Q, enqueuedId: e.json.enqueuedId });
    const second = await int('checkEnqueuedMessage', { ...Q, enqueuedId: e.json.enqueuedId });
    assert.deepEqual([first.json.status, second.json.status], [0, 1]);
  });
});

describe('fake Kentro: admin API over HTTP', () => {
  it('faults: status for N calls, documented codes, then normal again', async () => {
    const f = await call('POST', '/__admin/faults', { op: 'getOpportunity', status: 500, count: 2 });
    assert.equal(f.status, 201);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await int('getOpportunity', { ...Q, id: 40101 })).status);
    assert.deepEqual(statuses, [500, 500, 200]);
    await call('POST', '/__admin/faults', { op: '*', code: 'AUTH_014', count: 'always' });
    const a = await int('getPipeOpportunities', { ...Q, pipelineId: FAKE_KENTRO_PIPELINE_ID });
    assert.equal(a.status, 401);
    assert.deepEqual(a.json, { message: 'API de integração desabilitada', code: 'AUTH_014' });
    assert.equal((await int('getOpportunity', { ...Q, id: 40101 })).status, 401);
    assert.equal((await call('DELETE', '/__admin/faults')).status, 204);
    assert.equal((await int('getOpportunity', { ...Q, id: 40101 })).status, 200);
    assert.equal((await call('POST', '/__admin/faults', { op: 'x', code: 'NOPE_1' })).status, 400);
  });

  it('faults: delay, HTML, and "accept but do nothing"', async () => {
    fake.setFault({ op: 'getOpportunity', html: true });
    const html = await call('POST', '/int/getOpportunity', { ...Q, id: 40101 });
    assert.equal(html.status, 200);
    assert.match(html.contentType, /text\/html/);
    fake.setFault({ op: 'changeOpportunityStage', status: 200, body: { id: 40101 } });
    await int('changeOpportunityStage', { ...Q, id: 40101, destStageId: FAKE_KENTRO_STAGES.paid });
    assert.equal((await int('getOpportunity', { ...Q, id: 40101 })).json.fkStage, FAKE_KENTRO_STAGES.entry);
    fake.setFault({ op: 'getOpportunity', delayMs: 50 });
    assert.equal((await int('getOpportunity', { ...Q, id: 40101 })).status, 200);
  });

  it('the down switch fails every /int call with 503 until turned back on', async () => {
    assert.deepEqual((await call('POST', '/__admin/down', { down: true })).json, { down: true });
    assert.equal((await int('getOpportunity', { ...Q, id: 40101 })).status, 503);
    assert.equal((await int('createOpportunity', { ...Q, responsableid: 0, title: 'x' })).status, 503);
    assert.equal((await call('GET', '/health')).json.down, true);
    await call('POST', '/__admin/down', { down: false });
    assert.equal((await int('getOpportunity', { ...Q, id: 40101 })).status, 200);
    fake.setDown(true);
    assert.equal((await int('getOpportunity', { ...Q, id: 40101 })).status, 503);
    fake.setDown(false);
  });

  it('records requests (GET/DELETE /__admin/requests), shows state and resets', async () => {
    await int('insertOpportunityNote', { ...Q, id: 40101, note: 'n' });
    await int('getOpportunity', { ...Q, id: 40101 });
    const log = (await call('GET', '/__admin/requests')).json;
    assert.deepEqual(
      log.map((r: { op: string; status: number }) => [r.op, r.status]),
      [
        ['insertOpportunityNote', 200],
        ['getOpportunity', 200],
      ],
    );
    assert.equal(log[0].body.note, 'n');
    assert.equal((await call('GET', '/__admin/requests?op=getOpportunity')).json.length, 1);
    assert.equal((await call('DELETE', '/__admin/requests')).status, 204);
    assert.deepEqual((await call('GET', '/__admin/requests')).json, []);
    const state = (await call('GET', '/__admin/state')).json;
    assert.ok(state.pipelines.length >= 1);
    assert.equal(state.opportunities.find((o: { id: number }) => o.id === 40101).notes.length, 1);
    assert.equal(JSON.stringify(state).includes(FAKE_KENTRO_API_KEY), false, 'state shows no keys');
    assert.equal((await call('POST', '/__admin/reset')).status, 204);
    const fresh = (await call('GET', '/__admin/state')).json;
    assert.equal(fresh.opportunities.find((o: { id: number }) => o.id === 40101).notes.length, 0);
  });

  it('every recorded request of these tests is a documented body (sanity of the test bodies)', async () => {
    await int('getOpportunity', { ...Q, id: 40101 });
    for (const r of fake.requests()) if (r.op && r.status === 200) assertKentroRequest(r.op, r.body);
  });
});

describe('fake Kentro: container entry (main.ts)', () => {
  it('listens, logs one JSON line per request without the apiKey, and stops on SIGTERM', async () => {
    const main = path.resolve(import.meta.dirname, '../../sandbox/fake-kentro/main.ts');
    const canary = 'ca7a4y0000000000000000000000beef';
    const child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        FAKE_KENTRO_PORT: '0',
        FAKE_KENTRO_HOST: '127.0.0.1',
        FAKE_KENTRO_API_KEY: canary,
        FAKE_KENTRO_QUEUE_ID: '9',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    const rl = createInterface({ input: child.stdout });
    const listening = new Promise<number>((resolve, reject) => {
      rl.on('line', (l) => {
        lines.push(l);
        const o = JSON.parse(l) as { message: string; port?: number };
        if (o.message === 'fake kentro listening' && o.port) resolve(o.port);
      });
      child.once('exit', () => reject(new Error(`exited early: ${lines.join('\n')}`)));
    });
    try {
      const port = await listening;
      const res = await fetch(`http://127.0.0.1:${port}/int/getOpportunity`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ queueId: 9, apiKey: canary, id: 40101 }),
      });
      assert.equal(res.status, 200);
      await res.text();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
      const requestLine = lines.map((l) => JSON.parse(l)).find((o) => o.message === 'request');
      assert.equal(requestLine.op, 'getOpportunity');
      assert.equal(requestLine.status, 200);
      assert.ok(!lines.join('\n').includes(canary), 'the apiKey never reaches stdout');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
