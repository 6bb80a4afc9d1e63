// Issue 4 in real containers: batches of CPFs in a sandbox client survive a SIGKILL of the api
// container in the middle of the batch (each CPF processed exactly once) and a Kentro outage (each
// CRM update delivered exactly once), counted at the client's own fake V8 and fake Kentro.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAKE_KENTRO_STAGES as S } from '../../sandbox/fake-kentro/fake-kentro-seed.ts';
import { cpfWithCheckDigits } from '../../sandbox/fake-v8/cpf.ts';
import { freePort, OpsHome } from '../support/ops.ts';
import { countBy, SandboxClient, waitFor } from '../support/sandbox-client.ts';

// The fake V8 decides by the 9th digit: 0-5 SUCCESS with margin, 6 REJECTED, 9 SUCCESS without margin.
const cpf = (base8: string, ninth: number) => cpfWithCheckDigits(`${base8}${ninth}`);
const LEAD = { name: 'Cliente Lote Container', birthDate: '1990-01-31', phone: '(11) 97777-1234' };
const OPTIONS = { createOpportunity: true, lead: LEAD };
const CONSULT_PATH = '/private-consignment/consult';

const home = new OpsHome();
let c: SandboxClient;

interface FlowLike {
  cpf: string;
  crm: { status: string; attempts: number; lastError: string | null }[];
}

interface CsvRow {
  line: number;
  cpf: string;
  status: string;
  flowId: string;
}

async function resultsCsv(id: string): Promise<CsvRow[]> {
  const r = await c.call('GET', `/api/v1/batches/${id}/results.csv`);
  assert.equal(r.status, 200);
  return r.text
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
    .slice(1)
    .map((l) => l.split(';'))
    .map((f) => ({ line: Number(f[0]), cpf: f[1] ?? '', status: f[2] ?? '', flowId: f[8] ?? '' }));
}

/** Starts a batch of CPFs (JSON) and returns its id. */
async function startBatch(cpfs: string[]): Promise<string> {
  const r = await c.call('POST', '/api/v1/batches', { cpfs, options: OPTIONS });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.body.accepted, cpfs.length);
  return r.body.id;
}

/** One flow per CPF, attached to a batch item, and distinct items. */
async function assertOneFlowPerItem(cpfs: string[]): Promise<Map<string, string>> {
  const flowByCpf = new Map<string, string>();
  const items = new Set<string>();
  for (const x of cpfs) {
    const r = await c.call('GET', `/api/v1/flows?cpf=${x}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.items.length, 1, `CPF ${x} has ${r.body.items.length} flows`);
    const f = r.body.items[0];
    assert.ok(f.batchItemId, `flow of ${x} belongs to a batch item`);
    items.add(f.batchItemId);
    flowByCpf.set(x, f.id);
  }
  assert.equal(items.size, cpfs.length);
  return flowByCpf;
}

/** The value of the first sample of `name` whose labels include `label` (0 when none). */
function metric(text: string, name: string, label = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** At the fake V8: exactly one consult per CPF, created by exactly one 201. */
async function assertOneConsultPerCpf(cpfs: string[]): Promise<Map<string, number>> {
  const posts = (await c.v8Requests({ method: 'POST', path: CONSULT_PATH })).filter(
    (r) => r.path === CONSULT_PATH,
  );
  const cpfOf = (r: { body: unknown }) =>
    (r.body as { borrowerDocumentNumber?: string }).borrowerDocumentNumber;
  const created = countBy(
    posts.filter((r) => r.status === 201),
    cpfOf,
  );
  const attempts = countBy(posts, cpfOf);
  const consults = countBy(await c.v8Consults(), (x) => x.documentNumber);
  for (const x of cpfs) {
    assert.equal(created.get(x), 1, `consult creations (201) for ${x}`);
    assert.equal(consults.get(x), 1, `consults the fake V8 holds for ${x}`);
  }
  return attempts;
}

describe('batches in a sandbox client (real containers)', () => {
  before(async () => {
    c = await SandboxClient.start(home, {
      port: await freePort(22500 + Math.floor(Math.random() * 1500)),
      name: 'Corban Lotes',
      fakes: { FAKE_V8_STEP_MS: '200', FAKE_V8_MAX_RPS: '10' },
      config: {
        V8_MAX_RPS: '10',
        FLOW_POLL_FIRST_MS: '1000',
        FLOW_POLL_MAX_MS: '2000',
        // A Kentro outage is retried every 2 s at most (default 300 s), so the test stays short.
        OUTBOX_RETRY_MAX_S: '2',
      },
    });
  });

  after(async () => {
    await home.cleanup();
  });

  test('api container SIGKILLed mid-batch, then `up`: the batch completes, every CPF processed exactly once', async () => {
    const ok = Array.from({ length: 18 }, (_, i) => cpf(`41${String(i).padStart(6, '0')}`, i % 6));
    const rejected = [1, 2, 3].map((n) => cpf(`4200000${n}`, 6));
    const noMargin = [1, 2, 3].map((n) => cpf(`4300000${n}`, 9));
    const all = [...ok, ...rejected, ...noMargin];
    const id = await startBatch(all);

    // Kill while items are in flight: some done, several running, some still pending.
    const before = await waitFor(
      () => c.batch(id),
      (b) => b.processed >= 4 && b.counts.running > 0,
      60_000,
      () => 'the batch never got going',
      100,
    );
    const runningAtKill = (await resultsCsv(id)).filter((r) => r.status === 'running').map((r) => r.cpf);
    // /metrics moves with the batch: items still to run now; flows and V8 calls counted at the end.
    const during = await c.call('GET', '/metrics');
    assert.equal(during.status, 200);
    assert.ok(metric(during.text, 'cltv8_batch_items_pending') > 0, 'batch items pending while it runs');
    const startedAt = c.inspect('api', '{{.State.StartedAt}}');
    c.kill();
    assert.ok(before.processed < all.length, `killed before the end (${before.processed}/${all.length})`);
    await c.up();
    assert.notEqual(c.inspect('api', '{{.State.StartedAt}}'), startedAt, 'a new process runs');

    const done = await c.completedBatch(id, 120_000);
    console.log(
      `[batch-kill] killed at ${before.processed}/${all.length} processed, ${before.counts.running} running (${runningAtKill.length} in results.csv)`,
    );
    assert.deepEqual(done.counts, {
      pending: 0,
      running: 0,
      simulated: ok.length,
      no_margin: rejected.length + noMargin.length,
      needs_data: 0,
      blocked_by_worker: 0,
      failed: 0,
      invalid: 0,
      cancelled: 0,
    });
    assert.equal(done.total, all.length);
    assert.equal(done.processed, all.length);
    assert.equal(done.percent, 100);
    const ended = (await c.call('GET', '/metrics')).text;
    assert.equal(metric(ended, 'cltv8_batch_items_pending'), 0);
    assert.ok(metric(ended, 'cltv8_flows', 'outcome="simulated"') >= ok.length, 'simulated flows counted');
    assert.ok(metric(ended, 'cltv8_v8_calls_total', 'operation="simulate"') >= 1, 'V8 calls counted');
    assert.ok(metric(ended, 'cltv8_kentro_calls_total') >= 1, 'Kentro calls counted');

    const rows = await resultsCsv(id);
    assert.equal(rows.length, all.length);
    assert.equal(new Set(rows.map((r) => r.flowId)).size, all.length, 'one distinct flow per line');
    const flowByCpf = await assertOneFlowPerItem(all);
    for (const r of rows) assert.equal(flowByCpf.get(r.cpf.replace(/\D/g, '')), r.flowId);
    const attempts = await assertOneConsultPerCpf(all);

    // Kentro: one opportunity created per CPF, each at the stage of its outcome.
    const opps = (await c.kentroOpportunities()).filter((o) => all.includes(o.mainmail));
    assert.deepEqual(
      [...countBy(opps, (o) => o.mainmail).values()].filter((n) => n !== 1),
      [],
      'one opportunity per CPF',
    );
    assert.equal(opps.length, all.length);
    for (const o of opps) {
      assert.equal(o.fkStage, ok.includes(o.mainmail) ? S.simulated : S.noMargin, `stage of ${o.mainmail}`);
    }
    const repeatedPosts = [...attempts].filter(([, n]) => n > 1);
    const notes = opps.map((o) => o.notes.length);
    const stats = (await c.admin('fake-v8', 'GET', '/__admin/stats')).body;
    console.log(
      `[batch-kill] CPFs whose consult POST was sent more than once (429 or "already exists"): ${repeatedPosts.length}; 429s from the fake: ${stats.sent429}; notes per opportunity: ${JSON.stringify([...countBy(notes, (n) => n)])}`,
    );
  });

  test('Kentro down during a batch, then back: every CRM update arrives exactly once', async () => {
    const ok = Array.from({ length: 7 }, (_, i) => cpf(`51${String(i).padStart(6, '0')}`, i % 6));
    const rejected = [1, 2, 3].map((n) => cpf(`5200000${n}`, 6));
    const all = [...ok, ...rejected];
    // Kentro refuses every CRM write (503) from before the batch starts: lookups still work, so each
    // flow runs to its CRM updates and meets the outage there, however fast or slow the machine is.
    const CRM_OPS = ['updateOpportunity', 'changeOpportunityStage', 'insertOpportunityNote'];
    for (const op of CRM_OPS) {
      const f = await c.admin('fake-kentro', 'POST', '/__admin/faults', { op, status: 503, count: 'always' });
      assert.equal(f.status, 201, f.text);
    }
    const id = await startBatch(all);
    const refused = await waitFor(
      async () =>
        ((await c.call('GET', '/api/v1/flows?limit=100')).body.items as FlowLike[]).filter(
          (f) => all.includes(f.cpf) && f.crm.some((u) => u.status === 'pending' && u.lastError !== null),
        ).length,
      (n) => n >= 2,
      120_000,
      () => 'no CRM update failed while Kentro refused CRM writes',
      250,
    );
    const cleared = await c.admin('fake-kentro', 'DELETE', '/__admin/faults');
    assert.equal(cleared.status, 204, cleared.text);

    const done = await c.completedBatch(id, 120_000);
    assert.deepEqual(
      [done.counts.simulated, done.counts.no_margin, done.counts.failed],
      [ok.length, rejected.length, 0],
    );
    const flowByCpf = await assertOneFlowPerItem(all);
    const retried: number[] = [];
    for (const flowId of flowByCpf.values()) {
      const flow = await c.settledFlow(flowId);
      for (const u of flow.crm as { status: string; attempts: number }[]) {
        assert.equal(u.status, 'delivered', JSON.stringify(flow.crm));
        retried.push(u.attempts);
      }
    }
    assert.ok(
      retried.some((a) => a > 1),
      'some CRM update needed more than one attempt',
    );

    const opps = (await c.kentroOpportunities()).filter((o) => all.includes(o.mainmail));
    assert.equal(opps.length, all.length);
    const requests = await c.kentroRequests();
    const refusedCalls = requests.filter((r) => r.status === 503).length;
    assert.ok(
      requests.some((r) => r.status === 503 && ['getOpportunity', ...CRM_OPS].includes(r.op ?? '')),
      'CRM deliveries met the outage',
    );
    const delivered = (op: string, oppId: number) =>
      requests.filter((r) => r.op === op && r.status === 200 && (r.body as { id?: number }).id === oppId)
        .length;
    for (const o of opps) {
      const simulated = ok.includes(o.mainmail);
      assert.deepEqual(
        CRM_OPS.map((op) => delivered(op, o.id)),
        // A simulated lead moves twice: margin found, then simulated.
        [simulated ? 1 : 0, simulated ? 2 : 1, 1],
        `update/stage/note delivered to opportunity ${o.id} (${simulated ? 'simulated' : 'no margin'})`,
      );
      assert.equal(o.notes.length, 1, `notes of opportunity ${o.id}`);
      assert.equal(o.fkStage, simulated ? S.simulated : S.noMargin);
      if (simulated) assert.ok(o.value > 0);
    }
    console.log(
      `[batch-kentro-down] ${refused}+ flows with a failed CRM update while down; ${refusedCalls} Kentro calls answered 503; attempts per CRM update: ${JSON.stringify([...countBy(retried, (n) => n)])}`,
    );
  });
});
