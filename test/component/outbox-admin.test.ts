// Parked CRM updates, seen and handled by an operator: GET /api/v1/outbox, POST /outbox/:id/retry and
// /drop (bearer), and the same in the console's "Pendências do CRM" (session + CSRF). The real app and
// relay (flow harness) against the fake Kentro.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashPassword } from '../../app/domain/password-hash.ts';
import { ConsoleSession } from '../support/console-session.ts';
import { FlowHarness, waitUntil } from '../support/flow-harness.ts';

const ADMIN_PASSWORD = 'pendencias-admin-5150';
const OPP = 40104;

let h: FlowHarness;
let seq = 0;

before(async () => {
  h = await FlowHarness.start({ config: { ADMIN_PASSWORD_HASH: hashPassword(ADMIN_PASSWORD) } });
});
after(async () => {
  await h?.close();
});

interface Item {
  id: number;
  kind: string;
  status: string;
  parkReason: string | null;
  opportunityId: number;
  payload: { text?: string };
  attempts: number;
  lastError: string | null;
  droppedAt: string | null;
}

const notesWith = (text: string) => h.opportunity(OPP).notes.filter((n) => n.note === text).length;

/** Queues a note as a flow would and waits until the relay is done with it. */
async function queuedNote(text: string): Promise<number> {
  const store = h.app.store;
  store.outbox.enqueue(
    { key: `admin-test:${++seq}`, kind: 'note', opportunityId: OPP, payload: { text } },
    Date.now(),
  );
  store.signals.emit('outbox-enqueued');
  const row = store.outbox.byOpportunity(OPP).find((r) => r.payload.text === text);
  assert.ok(row);
  await waitUntil(
    () => store.outbox.get(row.id)?.status !== 'pending',
    10_000,
    () => `the relay did not finish note ${row.id}: ${JSON.stringify(store.outbox.get(row.id))}`,
  );
  return row.id;
}

describe('GET/POST /api/v1/outbox', () => {
  test('a note Kentro applied but answered 500 is listed as parked (unknown outcome); drop keeps it out for good', async () => {
    h.fakeKentro.setFault({ op: 'insertOpportunityNote', status: 500, when: 'after', count: 1 });
    const id = await queuedNote('nota aplicada sem confirmação');
    assert.equal(notesWith('nota aplicada sem confirmação'), 1);

    const list = await h.call<{ items: Item[]; counts: Record<string, number> }>(
      'GET',
      '/outbox?status=parked',
    );
    assert.equal(list.status, 200);
    const item = list.body.items.find((i) => i.id === id);
    assert.equal(item?.status, 'parked');
    assert.equal(item?.parkReason, 'unknown_outcome');
    assert.equal(item?.kind, 'note');
    assert.equal(item?.opportunityId, OPP);
    assert.equal(item?.payload.text, 'nota aplicada sem confirmação');
    assert.match(item?.lastError ?? '', /HTTP 500/);
    assert.ok((list.body.counts.parked ?? 0) >= 1);

    const dropped = await h.call<Item>('POST', `/outbox/${id}/drop`);
    assert.equal(dropped.status, 200);
    assert.equal(dropped.body.status, 'dropped');
    assert.ok(dropped.body.droppedAt);
    const again = await h.call<{ error: { code: string; detail: { status: string } } }>(
      'POST',
      `/outbox/${id}/drop`,
    );
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'conflict');
    assert.equal(again.body.error.detail.status, 'dropped');
    assert.equal((await h.call('POST', `/outbox/${id}/retry`)).status, 409, 'a dropped row stays dropped');
    const parked = await h.call<{ items: Item[] }>('GET', '/outbox?status=parked');
    assert.ok(!parked.body.items.some((i) => i.id === id));
    assert.equal(notesWith('nota aplicada sem confirmação'), 1, 'nothing was sent again');
  });

  test('retry puts a parked row back in the queue; the relay delivers it once', async () => {
    h.fakeKentro.setFault({ op: 'insertOpportunityNote', status: 400, message: 'Nota inválida', count: 1 });
    const id = await queuedNote('nota recusada e corrigida');
    assert.equal(h.app.store.outbox.get(id)?.parkReason, 'refused');
    assert.equal(notesWith('nota recusada e corrigida'), 0);

    const r = await h.call<Item>('POST', `/outbox/${id}/retry`);
    assert.equal(r.status, 200);
    assert.equal(r.body.parkReason, null);
    await waitUntil(
      () => h.app.store.outbox.get(id)?.status === 'delivered',
      10_000,
      () => 'the retried row was not delivered',
    );
    assert.equal(notesWith('nota recusada e corrigida'), 1);
    assert.equal((await h.call('POST', `/outbox/${id}/retry`)).status, 409, 'a delivered row is not parked');
  });

  test('bad input is a 400 naming the field; unknown ids 404; no token 401', async () => {
    const bad = await h.call<{ error: { fields: { field: string }[] } }>('GET', '/outbox?status=lost');
    assert.equal(bad.status, 400);
    assert.deepEqual(
      bad.body.error.fields.map((f) => f.field),
      ['status'],
    );
    assert.equal((await h.call('GET', '/outbox?limit=0')).status, 400);
    const badId = await h.call<{ error: { fields: { field: string }[] } }>('POST', '/outbox/abc/retry');
    assert.equal(badId.status, 400);
    assert.deepEqual(
      badId.body.error.fields.map((f) => f.field),
      ['id'],
    );
    assert.equal((await h.call('POST', '/outbox/99999999/drop')).status, 404);
    const anonymous = await fetch(`${h.app.url}/api/v1/outbox?status=parked`);
    assert.equal(anonymous.status, 401);
    const anonymousDrop = await fetch(`${h.app.url}/api/v1/outbox/1/drop`, { method: 'POST' });
    assert.equal(anonymousDrop.status, 401);
  });
});

describe('console: Pendências do CRM', () => {
  test('lists parked rows and retries/drops them with the session and the CSRF token only', async () => {
    h.fakeKentro.setFault({ op: 'insertOpportunityNote', status: 500, when: 'after', count: 1 });
    const id = await queuedNote('nota do console');

    const anonymous = new ConsoleSession(h.app.url);
    assert.equal((await anonymous.call('GET', '/config-v8/api/outbox')).status, 401);

    const page = new ConsoleSession(h.app.url);
    await page.login(ADMIN_PASSWORD);
    const list = await page.call('GET', '/config-v8/api/outbox');
    assert.equal(list.status, 200);
    const items = (list.body as { items: Item[] }).items;
    assert.ok(items.every((i) => i.status === 'parked'));
    assert.equal(items.find((i) => i.id === id)?.parkReason, 'unknown_outcome');

    // Without the CSRF header (a cross-site form post), nothing changes.
    const res = await fetch(`${h.app.url}/config-v8/api/outbox/${id}/drop`, {
      method: 'POST',
      headers: { cookie: page.cookieHeader() },
    });
    assert.equal(res.status, 403);
    assert.equal(h.app.store.outbox.get(id)?.status, 'parked');

    const dropped = await page.call('POST', `/config-v8/api/outbox/${id}/drop`);
    assert.equal(dropped.status, 200);
    assert.equal((dropped.body as Item).status, 'dropped');
    const twice = await page.call('POST', `/config-v8/api/outbox/${id}/retry`);
    assert.equal(twice.status, 409);
    assert.match((twice.body as { error: { message: string } }).error.message, /descartado/);
    assert.equal((await page.call('POST', '/config-v8/api/outbox/0/drop')).status, 400);
    assert.equal((await page.call('POST', '/config-v8/api/outbox/99999999/drop')).status, 404);
    assert.equal(notesWith('nota do console'), 1);
  });

  test('the Painel page carries the section and its script', async () => {
    const html = await (await fetch(`${h.app.url}/config-v8/`)).text();
    assert.match(html, /Pendências do CRM/);
    const js = await (await fetch(`${h.app.url}/config-v8/assets/painel.js`)).text();
    assert.match(js, /\/api\/outbox/);
  });
});
