import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EvidenceEntry } from '../../app/domain/evidence-chain.ts';
import { API_TOKEN, CPF, FlowHarness, type HttpAnswer } from '../support/flow-harness.ts';

let h: FlowHarness;

before(async () => {
  h = await FlowHarness.start();
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
