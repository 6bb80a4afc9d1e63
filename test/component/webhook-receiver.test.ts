import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pruneOldRows } from '../../app/use-cases/retention/prune-old-rows.ts';
import { FAKE_KENTRO_STAGES as S } from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { cpfWithCheckDigits } from '../../sandbox/fake-v8/fake-v8-server.ts';
import { FlowHarness, WEBHOOK_SECRET, waitUntil } from '../support/flow-harness.ts';

// Webhooks are posted by the tests (V8's registration is off) and polling is slow, so every state
// change here comes from the webhook receiver.
let h: FlowHarness;
/** Not in Kentro; they hang in WAITING_CREDIT_ANALYSIS at the fake V8 (9th digit 8) until a test moves them. */
const HANG = cpfWithCheckDigits('731002448');
const HANG2 = cpfWithCheckDigits('731002558');
const HANG3 = cpfWithCheckDigits('731002668');
/** Flood limit of this file's app: the last test goes past it. */
const WEBHOOKS_PER_MIN = 40;
const LEAD = { name: 'Bruno Teste Gancho', birthDate: '10/10/1980', phone: '11955551234' };

before(async () => {
  h = await FlowHarness.start({
    registerWebhooks: false,
    config: {
      FLOW_POLL_FIRST_MS: '600000',
      FLOW_POLL_MAX_MS: '600000',
      FLOW_MARGIN_TIMEOUT_S: '600',
      WEBHOOK_RATE_LIMIT_PER_MIN: String(WEBHOOKS_PER_MIN),
    },
  });
});
after(async () => {
  await h?.close();
});

function eventCount(): number {
  const c = h.app.store.webhookEvents.counts();
  return c.processed + c.unprocessed;
}

/** Starts a flow for the hanging CPF and returns it once it waits for the margin. */
async function waitingFlow(cpf: string): Promise<{ flowId: string; consultId: string }> {
  const flowId = await h.startFlow(cpf, { createOpportunity: true, lead: LEAD });
  let consultId = '';
  await waitUntil(async () => {
    const f = await h.flow(flowId);
    consultId = f.consult?.id ?? '';
    return f.status === 'waiting_margin';
  });
  // Let the fake reach WAITING_CREDIT_ANALYSIS (its real state), without telling us.
  await h.fakeV8.waitFor(() => h.consultsAtV8(cpf).some((c) => c.status === 'WAITING_CREDIT_ANALYSIS'));
  return { flowId, consultId };
}

const consultEvent = (consultId: string, status: string, extra: Record<string, unknown> = {}) => ({
  type: 'private.consignment.consult.updated',
  consultId,
  status,
  availableMarginValue: null,
  description: null,
  timestamp: `2026-03-02T13:05:${String(10 + Object.keys(extra).length).padStart(2, '0')}.000Z`,
  ...extra,
});

describe('V8 webhook receiver', () => {
  test('wrong or missing secret: 404 like an unknown path, nothing stored', async () => {
    const before = eventCount();
    const wrong = await h.webhook({ type: 'webhook.test' }, 'not-the-secret-0000000000');
    assert.equal(wrong.status, 404);
    assert.equal((wrong.body as { error: { code: string } }).error.code, 'not_found');
    const prefix = await h.webhook({ type: 'webhook.test' }, 'flow-tests-webhook-secret');
    assert.equal(prefix.status, 404);
    const big = await h.webhook('x'.repeat(400_000), 'nope');
    assert.equal(big.status, 404, 'the secret is checked before the body is read');
    const none = await fetch(`${h.app.url}/webhooks/v8/`, { method: 'POST', body: '{}' });
    assert.equal(none.status, 404);
    assert.equal(eventCount(), before);
  });

  test('handshake and unknown events are stored and acknowledged; bodies over the limit are refused', async () => {
    for (const type of ['webhook.test', 'webhook.registered']) {
      const r = await h.webhook({
        type,
        event: 'private.consignment.consult',
        timestamp: '2026-03-02T10:00:00Z',
      });
      assert.equal(r.status, 200);
    }
    const unknown = await h.webhook({ type: 'balance.status.received.success', id: 'x1' });
    assert.equal(unknown.status, 200);
    const garbage = await h.webhook('this is not json');
    assert.equal(garbage.status, 200);
    await h.app.webhooks.drain();
    const events = await h.call<{ items: { type: string | null; result: string; processedAt: string }[] }>(
      'GET',
      '/webhooks/events?limit=4',
    );
    assert.deepEqual(events.body.items.map((e) => e.result).reverse(), [
      'handshake webhook.test acknowledged',
      'handshake webhook.registered acknowledged',
      'ignored: unknown event type balance.status.received.success',
      'ignored: body is not JSON',
    ]);
    assert.ok(events.body.items.every((e) => e.processedAt));
    const tooBig = await h.webhook({ type: 'webhook.test', pad: 'x'.repeat(300 * 1024) });
    assert.equal(tooBig.status, 413);
  });

  test('duplicate and out-of-order webhooks: one state change, never backwards, money re-read from V8', async () => {
    const { flowId, consultId } = await waitingFlow(HANG);
    const held = h.app.store.consults.get(consultId)?.status;
    // V8 really finished (the fake says SUCCESS with its scenario margin); its webhooks arrive shuffled.
    h.fakeV8.setConsultStatus(consultId, 'SUCCESS');
    const stale = await h.webhook(consultEvent(consultId, 'WAITING_CONSULT'));
    assert.equal(stale.status, 200);
    await h.app.webhooks.drain();
    assert.equal(h.app.store.consults.get(consultId)?.status, held, 'a progress hint is not stored');

    const success = consultEvent(consultId, 'SUCCESS', { availableMarginValue: '99999.99' });
    const [a, b] = await Promise.all([h.webhook(success), h.webhook(success)]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.deepEqual(
      [(a.body as { duplicate: boolean }).duplicate, (b.body as { duplicate: boolean }).duplicate].sort(),
      [false, true],
    );
    const late = await h.webhook(consultEvent(consultId, 'WAITING_CREDIT_ANALYSIS', { late: true }));
    assert.equal(late.status, 200);
    const flow = await h.settled(flowId);
    await h.app.webhooks.drain();

    const consult = h.app.store.consults.get(consultId);
    assert.equal(consult?.status, 'SUCCESS', 'never moved back');
    assert.equal(consult?.margin, 500, "the margin is V8's (re-read), not the webhook's");
    assert.ok(consult?.verifiedAt);
    assert.equal(flow.outcome, 'simulated');
    assert.equal(flow.consult?.margin, 500);
    const opp = h.opportunity(flow.opportunity?.id as number);
    assert.equal(opp.fkStage, S.simulated);
    assert.equal(opp.notes.length, 1, 'one note');
    assert.equal(
      h.fakeKentro.requests('changeOpportunityStage').length,
      2,
      'one move to margin found, one to simulated',
    );
    assert.equal(
      h.app.store.simulations.history(HANG, 10).filter((s) => s.flowId === flowId).length,
      1,
      'one simulation',
    );
    const gets = h.fakeV8.requests({ method: 'GET', path: `/private-consignment/consult/${consultId}` });
    assert.ok(gets.length >= 1, 'the SUCCESS was read back from V8');
  });

  test('answered 2xx even when processing fails; the replay endpoint processes it later', async () => {
    const { flowId, consultId } = await waitingFlow(HANG2);
    h.fakeV8.setConsultStatus(consultId, 'SUCCESS');
    const fault = h.fakeV8.setFault({
      target: `/private-consignment/consult/${consultId}`,
      method: 'GET',
      status: 503,
      count: 'always',
    });
    const r = await h.webhook(consultEvent(consultId, 'SUCCESS', { retry: 1 }));
    assert.equal(r.status, 200, 'V8 gets its 2xx although we cannot read the consult');
    await h.app.webhooks.drain();
    const failed = await h.call<{ items: { id: number; error: string }[]; counts: { failed: number } }>(
      'GET',
      '/webhooks/events?state=failed',
    );
    assert.equal(failed.body.counts.failed, 1);
    assert.match(failed.body.items[0]?.error ?? '', /V8/);
    assert.equal((await h.flow(flowId)).status, 'waiting_margin', 'nothing moved');

    const stillDown = await h.call<{ found: number; processed: number; failed: number }>(
      'POST',
      '/webhooks/replay',
    );
    assert.equal(stillDown.status, 200);
    assert.deepEqual(
      { found: stillDown.body.found, processed: stillDown.body.processed, failed: stillDown.body.failed },
      { found: 1, processed: 0, failed: 1 },
    );
    h.fakeV8.removeFault(fault.id);
    await new Promise((resolve) => setTimeout(resolve, 150)); // the V8 circuit breaker's cool-down (harness: 100 ms)
    const replay = await h.call<{
      found: number;
      processed: number;
      failed: number;
      events: { unprocessed: number };
    }>('POST', '/webhooks/replay');
    assert.deepEqual(
      { found: replay.body.found, processed: replay.body.processed, failed: replay.body.failed },
      { found: 1, processed: 1, failed: 0 },
    );
    assert.equal(replay.body.events.unprocessed, 0);
    const flow = await h.settled(flowId);
    assert.equal(flow.outcome, 'simulated');
    const again = await h.call<{ found: number }>('POST', '/webhooks/replay');
    assert.equal(again.body.found, 0);
  });

  test('forged REJECTED for a real consult: V8 is read, says otherwise, nothing changes', async () => {
    const { flowId, consultId } = await waitingFlow(HANG3);
    const before = h.app.store.consults.get(consultId);
    const getsBefore = h.fakeV8.requests({
      method: 'GET',
      path: `/private-consignment/consult/${consultId}`,
    });
    const r = await h.webhook(
      consultEvent(consultId, 'REJECTED', { description: 'Data de nascimento não confere', forged: 1 }),
    );
    assert.equal(r.status, 200);
    await h.app.webhooks.drain();
    const after = h.app.store.consults.get(consultId);
    assert.equal(after?.status, 'WAITING_CREDIT_ANALYSIS', "V8's status, read back, not the webhook's");
    assert.notEqual(before?.status, 'REJECTED');
    assert.equal(after?.description, null);
    assert.equal((await h.flow(flowId)).status, 'waiting_margin', 'the flow still waits');
    const gets = h.fakeV8.requests({ method: 'GET', path: `/private-consignment/consult/${consultId}` });
    assert.equal(gets.length, getsBefore.length + 1, 'the hint was checked against V8 once');
    const event = h.app.store.webhookEvents.list({ limit: 1 })[0];
    assert.match(event?.result ?? '', /WAITING_CREDIT_ANALYSIS unchanged|WAITING_CREDIT_ANALYSIS applied/);
    assert.match(event?.result ?? '', /webhook said REJECTED/);

    // Once V8 really answers, a flow that waits ends with V8's result.
    h.fakeV8.setConsultStatus(consultId, 'REJECTED', 'Trabalhador não elegível');
    await h.webhook(consultEvent(consultId, 'REJECTED', { real: 1 }));
    const done = await h.settled(flowId);
    assert.equal(done.outcome, 'no_margin');
    assert.match(done.reason ?? '', /não elegível/);
  });

  test('unknown consult and operation ids: acknowledged, no row, no V8 read for a consult', async () => {
    const consultId = '6b1f9c2e-3d4a-4f5b-9a8c-0000000f0rge';
    const operationId = '0a3e4f10-0000-4000-8000-0000000f0rge';
    for (const status of ['SUCCESS', 'REJECTED']) {
      const r = await h.webhook(
        consultEvent(consultId, status, { document: '12345678909', availableMarginValue: '999.00' }),
      );
      assert.equal(r.status, 200);
    }
    const op = await h.webhook({
      type: 'private.consignment.operation.updated',
      operationId,
      status: 'paid',
      timestamp: '2026-03-02T14:00:00.000Z',
    });
    assert.equal(op.status, 200);
    await h.app.webhooks.drain();
    assert.equal(h.app.store.consults.get(consultId), undefined, 'no consult row');
    assert.equal(h.app.store.operations.get(operationId), undefined, 'no operation row');
    assert.equal(
      h.fakeV8.requests({ method: 'GET', path: `/private-consignment/consult/${consultId}` }).length,
      0,
    );
    const results = h.app.store.webhookEvents
      .list({ limit: 3 })
      .map((e) => e.result)
      .reverse();
    assert.deepEqual(results, [
      `ignored: consult ${consultId} is not one of ours`,
      `ignored: consult ${consultId} is not one of ours`,
      `ignored: operation ${operationId} is neither ours nor known to V8`,
    ]);
    // A later flow for that CPF would find nothing to reuse.
    assert.equal(h.app.store.consults.reusableForCpf('12345678909', 0), undefined);
  });

  test('the raw event log is pruned after WEBHOOK_EVENTS_RETENTION_DAYS', () => {
    const now = Date.now();
    // The default of WEBHOOK_EVENTS_RETENTION_DAYS (30), pruned by the hourly retention pass; a day either side of it.
    const retention = { days: 180, webhookEventsDays: 30 };
    const retentionMs = retention.webhookEventsDays * 86_400_000;
    const old = h.app.store.webhookEvents.insert(
      { dedupeKey: 'retention-old', type: 'webhook.test', subjectId: undefined, body: '{}' },
      now - retentionMs - 86_400_000,
    );
    const recent = h.app.store.webhookEvents.insert(
      { dedupeKey: 'retention-recent', type: 'webhook.test', subjectId: undefined, body: '{}' },
      now - retentionMs + 86_400_000,
    );
    assert.equal(pruneOldRows(h.app.flow, retention).webhookEvents, 1);
    assert.equal(h.app.store.webhookEvents.get(old.id), undefined);
    assert.ok(h.app.store.webhookEvents.get(recent.id));
  });

  test('a flood is answered 429 past WEBHOOK_RATE_LIMIT_PER_MIN and stores nothing more', async () => {
    const before = eventCount();
    let accepted = 0;
    let refused: Response | undefined;
    for (let i = 0; i <= WEBHOOKS_PER_MIN && !refused; i++) {
      const res = await fetch(`${h.app.url}/webhooks/v8/${WEBHOOK_SECRET}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'balance.status.received.success', id: `flood-${i}` }),
      });
      if (res.status === 429) refused = res;
      else {
        assert.equal(res.status, 200);
        accepted++;
      }
      await res.arrayBuffer();
    }
    assert.ok(refused, `no 429 within ${WEBHOOKS_PER_MIN + 1} calls`);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    const again = await h.webhook({ type: 'balance.status.received.success', id: 'flood-after' });
    assert.equal(again.status, 429);
    assert.equal((again.body as { error: { code: string } }).error.code, 'rate_limited');
    await h.app.webhooks.drain();
    assert.equal(eventCount(), before + accepted, 'refused calls are not stored');
  });
});
