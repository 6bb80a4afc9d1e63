import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EvidenceEntry } from '../../app/domain/evidence-chain.ts';
import { hashPassword } from '../../app/domain/password-hash.ts';
import { ConsoleSession } from '../support/console-session.ts';
import { API_TOKEN, CPF, FlowHarness, type HttpAnswer, waitUntil } from '../support/flow-harness.ts';

let h: FlowHarness;
const ADMIN_PASSWORD = 'senha-do-console-evidencias';

before(async () => {
  h = await FlowHarness.start({ config: { ADMIN_PASSWORD_HASH: hashPassword(ADMIN_PASSWORD) } });
});
after(async () => {
  await h?.close();
});

const UA = 'crm-corban/2.3 (evidence test)';
const CONSENT = {
  channel: 'whatsapp',
  messageId: 'wamid.HBgMNTUxMTk5OTk5',
  acceptedAt: '2026-01-31T14:05:00-03:00',
};

async function post(p: string, body?: unknown): Promise<HttpAnswer<Record<string, unknown>>> {
  const res = await fetch(`${h.app.url}/api/v1${p}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${API_TOKEN}`,
      'user-agent': UA,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const consultBody = (over: Record<string, unknown> = {}) => ({
  cpf: CPF.notInKentro,
  name: 'JOSE TESTE EVIDENCIA',
  birthDate: '1988-02-03',
  gender: 'male',
  email: 'jose@example.com',
  phone: '+55 11 91234-5678',
  ...over,
});

const evidenceOf = (consultId: string): EvidenceEntry[] => h.app.store.evidence.forConsult(consultId);

describe('consent evidence at consult creation and authorization', () => {
  test('POST /consults and /authorize record who, when, from where, the consent and V8 answer', async () => {
    const created = await post('/consults', consultBody({ consent: CONSENT }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = String(created.body.id);
    // The consent proof is ours: V8 never receives it.
    const atV8 = h.fakeV8.requests({ method: 'POST', path: '/private-consignment/consult' });
    assert.ok(atV8.length >= 1);
    for (const r of atV8) assert.equal((r.body as Record<string, unknown>).consent, undefined);

    const auth = await post(`/consults/${id}/authorize`, {
      consent: { ...CONSENT, messageId: 'wamid.second' },
    });
    assert.equal(auth.status, 200, JSON.stringify(auth.body));

    const entries = evidenceOf(id);
    assert.deepEqual(
      entries.map((e) => e.event),
      ['consult_created', 'consult_authorized'],
    );
    const [c, a] = entries as [EvidenceEntry, EvidenceEntry];
    for (const e of [c, a]) {
      assert.deepEqual(e.actor, { kind: 'api_token', label: 'API_TOKEN' });
      assert.match(e.ip ?? '', /127\.0\.0\.1/);
      assert.equal(e.userAgent, UA);
      assert.equal(e.cpf, CPF.notInKentro);
      assert.ok(Math.abs(e.at - Date.now()) < 60_000, 'time of the entry is now (UTC epoch ms)');
      assert.equal(e.flowId, null);
    }
    assert.deepEqual(c.consent, CONSENT);
    assert.deepEqual(c.v8, { id, status: created.body.status, existing: false });
    assert.equal(a.consent?.messageId, 'wamid.second');
    assert.deepEqual(a.v8, { id, authorized: true, alreadyApproved: false });
    assert.equal(a.prevHash, c.hash);
    assert.equal(h.app.store.evidence.verify().ok, true);

    // The API serves them with the chain check.
    const served = await h.call<{
      consultId: string;
      entries: Record<string, unknown>[];
      chain: { ok: boolean; entries: number };
    }>('GET', `/consults/${id}/evidence`);
    assert.equal(served.status, 200);
    assert.equal(served.body.consultId, id);
    assert.deepEqual(
      served.body.entries.map((e) => [e.event, e.at, (e.actor as { label: string }).label, e.userAgent]),
      [
        ['consult_created', new Date(c.at).toISOString(), 'API_TOKEN', UA],
        ['consult_authorized', new Date(a.at).toISOString(), 'API_TOKEN', UA],
      ],
    );
    assert.deepEqual(served.body.entries[0]?.consent, CONSENT);
    assert.equal(served.body.chain.ok, true);
    assert.equal(served.body.chain.entries, 2);

    // The console prints them in pt-BR for a signed-in operator.
    const page = await fetch(`${h.app.url}/config-v8/evidencias/${id}`, { redirect: 'manual' });
    assert.equal(page.status, 303, 'signed out: sent to the sign-in page');
    assert.equal(page.headers.get('location'), '/config-v8/');
    const operator = new ConsoleSession(h.app.url);
    await operator.login(ADMIN_PASSWORD);
    const printed = await operator.call('GET', `/config-v8/evidencias/${id}`);
    assert.equal(printed.status, 200);
    const html = String(printed.body);
    for (const text of [
      'Evidências de consentimento',
      'Criação da consulta',
      'Autorização da consulta',
      'Token de API &quot;API_TOKEN&quot;',
      UA,
      'wamid.HBgMNTUxMTk5OTk5',
      'wamid.second',
      new Date(c.at).toISOString().replace('T', ' ').replace('Z', ' UTC'),
      'Íntegros',
      c.hash,
    ]) {
      assert.ok(html.includes(text), `page shows ${text}`);
    }
    assert.match(html, /De onde \(IP\)<\/dt><dd>[^<]*127\.0\.0\.1/);
    const none = await operator.call('GET', '/config-v8/evidencias/nao-existe');
    assert.equal(none.status, 404);
    assert.match(String(none.body), /Nenhuma evidência registrada/);
  });

  test('GET /consults/:id/evidence: 404 for a consult without evidence, 401 without the token', async () => {
    const none = await h.call<{ error: { code: string } }>('GET', '/consults/sem-evidencia-1/evidence');
    assert.equal(none.status, 404);
    assert.equal(none.body.error.code, 'not_found');
    const anon = await fetch(`${h.app.url}/api/v1/consults/sem-evidencia-1/evidence`);
    assert.equal(anon.status, 401);
  });

  test('without consent the entry is still written, with consent null', async () => {
    const created = await post('/consults', consultBody({ cpf: CPF.rejected, name: 'JOAO SEM CONSENT' }));
    assert.ok(created.status === 201 || created.status === 200, JSON.stringify(created.body));
    const [e] = evidenceOf(String(created.body.id));
    assert.equal(e?.consent, null);
    assert.equal(e?.event, 'consult_created');
  });

  test('a bad consent is refused with 400 naming the field; V8 is not called, nothing is recorded', async () => {
    h.fakeV8.clearRequests();
    const before = h.app.store.evidence.verify().entries;
    const bad = await post('/consults', consultBody({ consent: { ...CONSENT, acceptedAt: 'ontem' } }));
    assert.equal(bad.status, 400);
    const fields = (bad.body.error as { fields: { field: string; reason: string }[] }).fields;
    assert.deepEqual(
      fields.map((f) => f.field),
      ['consent.acceptedAt'],
    );
    const missing = await post('/consults/some-consult-id/authorize', { consent: { channel: 'whatsapp' } });
    assert.equal(missing.status, 400);
    assert.deepEqual(
      (missing.body.error as { fields: { field: string }[] }).fields.map((f) => f.field).sort(),
      ['consent.acceptedAt', 'consent.messageId'],
    );
    const extra = await post('/flows', { cpf: CPF.approved, consent: { ...CONSENT, by: 'x' } });
    assert.equal(extra.status, 400);
    // (Background polls of earlier consults may GET; nothing is created or authorized.)
    assert.deepEqual(h.fakeV8.requests({ method: 'POST', path: '/private-consignment' }), []);
    assert.equal(h.app.store.evidence.verify().entries, before);
  });

  test("a batch's flows record their consults with the caller who started the batch", async () => {
    const started = await post('/batches', { cpfs: [CPF.rejected] });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const batchId = String(started.body.id);
    let flowId = '';
    await waitUntil(
      async () => {
        const b = await h.call<{ status: string }>('GET', `/batches/${batchId}`);
        const flows = await h.call<{ items: { id: string; batchItemId: string | null }[] }>(
          'GET',
          `/flows?cpf=${CPF.rejected}`,
        );
        flowId = flows.body.items.find((f) => f.batchItemId !== null)?.id ?? '';
        return b.body.status === 'completed' && flowId !== '';
      },
      20_000,
      () => `batch ${batchId} did not complete with a flow`,
    );
    const flow = await h.settled(flowId);
    const consultId = flow.consult?.id;
    assert.ok(consultId, JSON.stringify(flow));
    // (The CPF's consult may have been created through the API earlier: V8 answers with that one.)
    const entries = evidenceOf(consultId).filter((e) => e.flowId === flowId);
    assert.deepEqual(
      entries.map((e) => e.event),
      ['consult_created', 'consult_authorized'],
    );
    for (const e of entries) {
      assert.deepEqual(e.actor, { kind: 'api_token', label: 'API_TOKEN' });
      assert.equal(e.userAgent, UA);
      assert.equal(e.consent, null);
    }
  });

  test("a flow records its consult's creation and authorization with the flow's caller", async () => {
    const started = await post('/flows', { cpf: CPF.approved, consent: CONSENT });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const flowId = String(started.body.id);
    const flow = await h.settled(flowId);
    const consultId = flow.consult?.id;
    assert.ok(consultId, JSON.stringify(flow));
    const entries = evidenceOf(consultId);
    assert.deepEqual(
      entries.map((e) => e.event),
      ['consult_created', 'consult_authorized'],
    );
    for (const e of entries) {
      assert.deepEqual(e.actor, { kind: 'api_token', label: 'API_TOKEN' });
      assert.equal(e.userAgent, UA);
      assert.match(e.ip ?? '', /127\.0\.0\.1/);
      assert.deepEqual(e.consent, CONSENT);
      assert.equal(e.flowId, flowId);
      assert.equal(e.cpf, CPF.approved);
    }
    assert.equal(entries[0]?.v8.id, consultId);
    assert.equal(h.app.store.evidence.verify().ok, true);
  });
});
