// GET /metrics (Prometheus text): guarded by METRICS_TOKEN or API_TOKEN, and its families move when a
// real flow runs through the app against the fake V8 and the fake Kentro.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API_TOKEN, CPF, FlowHarness } from '../support/flow-harness.ts';

const METRICS_TOKEN = 'metrics-token-for-prometheus-0123456789';
let h: FlowHarness;

before(async () => {
  h = await FlowHarness.start({ config: { METRICS_TOKEN } });
});
after(async () => {
  await h?.close();
});

async function scrape(token?: string): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(`${h.app.url}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

/** The value of one sample, e.g. sample(text, 'cltv8_flows', {outcome: 'simulated'}). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe('/metrics', () => {
  test('401 without a token or with a wrong one, in the API error shape', async () => {
    const none = await scrape();
    assert.equal(none.status, 401);
    assert.equal(JSON.parse(none.text).error.code, 'unauthorized');
    assert.equal((await scrape('wrong-token-wrong-token-wrong')).status, 401);
  });

  test('the families move during a flow: HTTP, V8, Kentro, outbox, flows, webhooks, breaker', async () => {
    const before = await scrape(METRICS_TOKEN);
    assert.equal(before.status, 200);
    assert.match(before.type, /^text\/plain/);
    for (const family of [
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'cltv8_http_request_duration_seconds',
      'cltv8_v8_calls_total',
      'cltv8_v8_rate_limited_total',
      'cltv8_v8_token_requests_total',
      'cltv8_v8_breaker_state',
      'cltv8_v8_pacer_queue',
      'cltv8_kentro_calls_total',
      'cltv8_outbox_rows',
      'cltv8_flows',
      'cltv8_batch_items_pending',
      'cltv8_webhook_events',
    ]) {
      assert.match(before.text, new RegExp(`^# TYPE ${family} `, 'm'), `${family} is exposed`);
    }
    assert.equal(sample(before.text, 'cltv8_v8_breaker_state', { state: 'closed' }), 1);
    const simulatedBefore = sample(before.text, 'cltv8_flows', { outcome: 'simulated' }) ?? 0;

    const flow = await h.settled(await h.startFlow(CPF.approved));
    assert.equal(flow.outcome, 'simulated');

    const after = await scrape(API_TOKEN);
    assert.equal(after.status, 200, 'API_TOKEN is accepted too');
    assert.equal(sample(after.text, 'cltv8_flows', { outcome: 'simulated' }), simulatedBefore + 1);
    assert.ok((sample(after.text, 'cltv8_v8_token_requests_total') ?? 0) >= 1, 'a token was requested');
    assert.ok(
      (sample(after.text, 'cltv8_v8_calls_total', { operation: 'create consult' }) ?? 0) >= 1,
      'the consult creation was counted',
    );
    assert.ok((sample(after.text, 'cltv8_kentro_calls_total') ?? 0) >= 1, 'Kentro calls were counted');
    assert.ok((sample(after.text, 'cltv8_outbox_rows', { status: 'delivered' }) ?? 0) >= 3);
    assert.ok((sample(after.text, 'cltv8_webhook_events', { state: 'received' }) ?? 0) >= 1);
    assert.ok(
      (sample(after.text, 'cltv8_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/v1/flows',
        status: '202',
      }) ?? 0) >= 1,
      'the POST /api/v1/flows request was timed under its route template',
    );
    assert.ok(!after.text.includes(CPF.approved), 'no CPF in any label');
    assert.ok(!after.text.includes(API_TOKEN) && !after.text.includes(METRICS_TOKEN), 'no token either');
  });
});
