import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BatchView } from '../../app/use-cases/batches/index.ts';
import type { FlowView } from '../../app/use-cases/flow/flow-view.ts';
import { cpfWithCheckDigits } from '../../sandbox/fake-v8/fake-v8-server.ts';
import { FlowHarness, waitUntil } from '../support/flow-harness.ts';

// Reuse before you spend: V8's list is asked for the CPF's consults within FLOW_CONSULT_VALID_DAYS
// before a new one is created (fake V8: 9th digit 0-5 SUCCESS, 6 REJECTED).

const LEAD = { name: 'Cliente Reuso Teste', birthDate: '1990-01-31', phone: '(11) 97777-1234' };
const OPTIONS = { createOpportunity: true, lead: LEAD };
const BIRTH = 'Data de nascimento não confere';

let h: FlowHarness;

before(async () => {
  h = await FlowHarness.start({ ticks: { batchTickMs: 20 } });
});
after(async () => {
  await h?.close();
});

/** Consult creations the fake V8 received for this CPF (authorize calls share the path prefix). */
const created = (cpf: string) =>
  h.fakeV8
    .requests({ method: 'POST', path: '/private-consignment/consult' })
    .filter(
      (r) =>
        r.path === '/private-consignment/consult' &&
        (r.body as { borrowerDocumentNumber?: string }).borrowerDocumentNumber === cpf,
    ).length;

const consultDetail = (f: FlowView) => f.steps.find((s) => s.name === 'consult')?.detail ?? {};

async function run(cpf: string): Promise<FlowView> {
  return h.settled(await h.startFlow(cpf, OPTIONS));
}

async function runBatch(cpfs: string[]): Promise<BatchView> {
  const r = await h.call<{ id: string }>('POST', '/batches', { cpfs, options: OPTIONS });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  let last: BatchView | undefined;
  await waitUntil(
    async () => {
      last = (await h.call<BatchView>('GET', `/batches/${r.body.id}`)).body;
      return last.status === 'completed';
    },
    15_000,
    () => `batch ${r.body.id} did not complete: ${JSON.stringify(last)}`,
  );
  return last as BatchView;
}

describe('reuse before you spend (consults already at V8)', () => {
  test('a SUCCESS consult made elsewhere is reused: simulated with no new consult', async () => {
    const cpf = cpfWithCheckDigits('510000010');
    h.fakeV8.seedConsult({ cpf, status: 'SUCCESS', ageDays: 10 });
    const flow = await run(cpf);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    assert.equal(created(cpf), 0, 'no consult created at V8');
    const d = consultDetail(flow);
    assert.deepEqual([d.reused, d.source, d.why], [true, 'v8_list', 'success']);
    assert.equal(flow.consult?.id, h.consultsAtV8(cpf)[0]?.id);
  });

  test('a REJECTED consult is the answer at once, with its reason, no new consult', async () => {
    const cpf = cpfWithCheckDigits('510000026');
    h.fakeV8.seedConsult({
      cpf,
      status: 'REJECTED',
      description: 'Trabalhador não elegível para o Crédito do Trabalhador',
      ageDays: 3,
    });
    const flow = await run(cpf);
    assert.equal(flow.outcome, 'no_margin');
    assert.match(flow.reason ?? '', /Trabalhador não elegível para o Crédito do Trabalhador/);
    assert.equal(created(cpf), 0);
    assert.equal(consultDetail(flow).why, 'rejected');
    assert.equal(flow.steps.find((s) => s.name === 'authorize')?.status, 'skipped');
  });

  test('a birth date refused and corrected since: a new consult with the new date', async () => {
    const cpf = cpfWithCheckDigits('510000030');
    const old = h.fakeV8.seedConsult({
      cpf,
      status: 'REJECTED',
      description: BIRTH,
      birthDate: '1990-01-13',
    });
    const flow = await run(cpf);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    assert.equal(created(cpf), 1, 'one new consult');
    const d = consultDetail(flow);
    assert.equal(d.created, true);
    assert.deepEqual(d.replaces, {
      consultId: old.id,
      status: 'REJECTED',
      why: 'data_changed',
      changed: ['birthDate'],
    });
    const sent = h.consultsAtV8(cpf).find((c) => c.id === flow.consult?.id);
    assert.equal(sent?.birthDate, LEAD.birthDate);
  });

  test('a birth date refused with the same date still: the refusal stands, no new consult', async () => {
    const cpf = cpfWithCheckDigits('510000040');
    h.fakeV8.seedConsult({ cpf, status: 'REJECTED', description: BIRTH, birthDate: LEAD.birthDate });
    const flow = await run(cpf);
    // A birth-date refusal is the broker's to fix (issue 11.4), whether the consult is new or reused.
    assert.equal(flow.outcome, 'needs_data');
    assert.match(flow.reason ?? '', /Data de nascimento não confere/);
    assert.equal(created(cpf), 0);
  });

  test('a batch rerun within the window creates no new consult, for SUCCESS and for REJECTED; the batch reports it', async () => {
    const ok = cpfWithCheckDigits('520000010');
    const refused = cpfWithCheckDigits('520000026');
    const first = await runBatch([ok, refused]);
    assert.deepEqual([first.counts.simulated, first.counts.no_margin], [1, 1]);
    assert.deepEqual(first.consults, { created: 2, reused: 0 });
    assert.deepEqual([created(ok), created(refused)], [1, 1]);

    const again = await runBatch([ok, refused]);
    assert.deepEqual([again.counts.simulated, again.counts.no_margin], [1, 1]);
    assert.deepEqual(again.consults, { created: 0, reused: 2 });
    assert.deepEqual([created(ok), created(refused)], [1, 1], 'still one consult each at V8');
  });
});
