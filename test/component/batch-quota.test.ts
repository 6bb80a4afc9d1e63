import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Clock } from '../../app/adapters/clock.ts';
import type { BatchView } from '../../app/use-cases/batches/index.ts';
import type { FlowView } from '../../app/use-cases/flow/flow-view.ts';
import { cpfWithCheckDigits } from '../../sandbox/fake-v8/fake-v8-server.ts';
import { API_TOKEN, FlowHarness, waitUntil } from '../support/flow-harness.ts';

// V8's consult quota, 5 per 20 s here, on a clock the test moves (shared by the app and the fake V8):
// flows past the quota wait as waiting_quota and resume when the window frees a slot, never failed.

/** Real time plus what the test added: the workers run at their pace, the quota window moves on demand. */
class MovableClock implements Clock {
  private offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

const QUOTA = 5;
const WINDOW_S = 20;
const clock = new MovableClock();
// 9th digit: 0-5 SUCCESS with margin, 6 REJECTED, 9 SUCCESS without margin (fake V8 rule).
const NINTHS = [0, 1, 2, 6, 3, 4, 9, 5, 0, 6, 1, 9];
const CPFS = NINTHS.map((n, i) => cpfWithCheckDigits(`410000${String(i).padStart(2, '0')}${n}`));
const LEAD = { name: 'Cliente Cota Teste', birthDate: '1990-01-31', phone: '(11) 97777-1234' };

let h: FlowHarness;

before(async () => {
  h = await FlowHarness.start({
    clock,
    fakeV8: { clock, consultsPerHour: QUOTA, consultQuotaWindowS: WINDOW_S },
    config: {
      V8_CONSULT_QUOTA: String(QUOTA),
      V8_CONSULT_QUOTA_WINDOW_S: String(WINDOW_S),
      // The test moves the clock by whole windows: margins must not time out meanwhile.
      FLOW_MARGIN_TIMEOUT_S: '3600',
    },
    ticks: { batchTickMs: 20 },
  });
});
after(async () => {
  await h?.close();
});

async function batch(id: string): Promise<BatchView> {
  const r = await h.call<BatchView>('GET', `/batches/${id}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

const done = (b: BatchView) => b.counts.simulated + b.counts.no_margin + b.counts.failed;
/** Consult creations the fake V8 received (authorize calls share the path prefix). */
const consultsCreated = () =>
  h.fakeV8
    .requests({ method: 'POST', path: '/private-consignment/consult' })
    .filter((r) => r.path === '/private-consignment/consult').length;

/** Waits until `n` items finished and the rest wait for the quota; returns the batch then. */
async function settledAt(id: string, n: number): Promise<BatchView> {
  let last: BatchView | undefined;
  await waitUntil(
    async () => {
      last = await batch(id);
      const rest = last.total - n;
      return (
        done(last) === n && (rest === 0 ? last.status === 'completed' : last.waitingQuota?.items === rest)
      );
    },
    15_000,
    () =>
      `batch ${id}: ${n} finished and the rest waiting for the quota: ${JSON.stringify(last)}\n${h.logTail()}`,
  );
  return last as BatchView;
}

describe('the consult quota (fake V8 with a 5 per 20 s quota)', () => {
  test('12 CPFs: all complete with their real outcome, none failed, no creation over the quota; waiting_quota with an ETA while waiting', async () => {
    const created = await h.call<{ id: string }>('POST', '/batches', {
      cpfs: CPFS,
      options: { createOpportunity: true, lead: LEAD },
    });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.id;
    const stream = fetch(`${h.app.url}/api/v1/batches/${id}/events`, {
      headers: { authorization: `Bearer ${API_TOKEN}`, accept: 'text/event-stream' },
    }).then((r) => r.text());

    const first = await settledAt(id, QUOTA);
    assert.equal(consultsCreated(), QUOTA);
    assert.equal(first.status, 'running');
    assert.equal(first.counts.running, CPFS.length - QUOTA);
    const waitingS = (Date.parse(first.waitingQuota?.resumeAt ?? '') - clock.now()) / 1000;
    assert.ok(waitingS > 0 && waitingS <= WINDOW_S, `resumes within the window (${waitingS} s)`);
    // 7 consults still to create: 5 when the window frees, 2 one window later.
    assert.ok(
      first.etaS !== null && first.etaS > WINDOW_S && first.etaS <= 2 * WINDOW_S,
      `ETA ${first.etaS} s counts two more windows`,
    );
    const flows = (await h.call<{ items: FlowView[] }>('GET', '/flows?limit=50')).body.items;
    const parked = flows.filter((f) => f.status === 'waiting_quota');
    assert.equal(parked.length, CPFS.length - QUOTA);
    for (const f of parked) {
      assert.equal(f.currentStep, 'consult');
      assert.ok(f.waitUntil, 'a waiting flow says when it resumes');
      assert.equal(f.consult, null);
    }

    clock.advance(WINDOW_S * 1000);
    const second = await settledAt(id, 2 * QUOTA);
    assert.equal(consultsCreated(), 2 * QUOTA);
    assert.ok(second.etaS !== null && second.etaS > 0 && second.etaS <= WINDOW_S, `ETA ${second.etaS}`);

    clock.advance(WINDOW_S * 1000);
    const last = await settledAt(id, CPFS.length);
    assert.equal(consultsCreated(), CPFS.length);
    assert.deepEqual(
      { ...last.counts },
      {
        pending: 0,
        running: 0,
        simulated: 8,
        no_margin: 4,
        needs_data: 0,
        blocked_by_worker: 0,
        failed: 0,
        invalid: 0,
        cancelled: 0,
      },
    );
    assert.equal(last.waitingQuota, null);
    assert.equal(last.etaS, 0);
    const stats = h.fakeV8.stats();
    assert.equal(
      Object.values(stats.quotaRefused).reduce((a, b) => a + b, 0),
      0,
      'no creation over the quota',
    );
    assert.equal(stats.sent429, 0);

    const events = (await stream)
      .split('\n\n')
      .filter((b) => b.includes('event: '))
      .map((b) => JSON.parse(/data: (.*)/.exec(b)?.[1] ?? 'null') as BatchView);
    const waiting = events.filter((e) => e.waitingQuota !== null);
    assert.ok(waiting.length > 0, 'the stream showed the batch waiting for the quota');
    assert.ok(
      waiting.every((e) => e.etaS !== null && e.etaS > 0),
      'with an ETA',
    );
    assert.equal(events.at(-1)?.percent, 100);
  });

  test('a 429 on consult creation (the login used elsewhere too) parks the flows the same way', async () => {
    clock.advance(WINDOW_S * 1000); // the first test's consults leave both windows
    h.fakeV8.configure({ consultsPerHour: 1 }); // V8 counts less room than we do
    const refusedBefore = h.fakeV8.stats().quotaRefused;
    const cpfs = [0, 1, 2].map((n) => cpfWithCheckDigits(`4200000${n}${n}`));
    const created = await h.call<{ id: string }>('POST', '/batches', {
      cpfs,
      options: { createOpportunity: true, lead: LEAD },
    });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.id;
    for (let n = 1; n <= cpfs.length; n++) {
      const b = await settledAt(id, n);
      if (n < cpfs.length) {
        assert.ok(b.waitingQuota, 'waiting after the 429');
        clock.advance(WINDOW_S * 1000);
      }
    }
    const last = await batch(id);
    assert.deepEqual([last.counts.simulated, last.counts.failed], [3, 0]);
    const refused = Object.values(h.fakeV8.stats().quotaRefused).reduce((a, b) => a + b, 0);
    const before = Object.values(refusedBefore).reduce((a, b) => a + b, 0);
    assert.ok(refused - before >= 1, 'V8 did refuse with 429');
    const flows = (await h.call<{ items: FlowView[] }>('GET', '/flows?limit=3')).body.items;
    assert.ok(flows.every((f) => f.outcome === 'simulated' && f.steps[2]?.status === 'done'));
  });
});
