import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { BatchView } from '../../app/use-cases/batches/index.ts';
import {
  FAKE_KENTRO_FORM_FIELDS as F,
  FAKE_KENTRO_STAGES as S,
} from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { cpfWithCheckDigits } from '../../sandbox/fake-v8/fake-v8-server.ts';
import { API_TOKEN, FlowHarness, waitUntil } from '../support/flow-harness.ts';

// Fake V8: the 9th digit decides the outcome (0-5 SUCCESS with margin, 6 REJECTED). None of these
// CPFs is in the fake Kentro's seed.
const cpf = (base8: string, ninth: number) => cpfWithCheckDigits(`${base8}${ninth}`);
const ANA = cpf('42100011', 1);
const BIA = cpf('42100022', 2);
const CAIO = cpf('42100033', 6);
const DORA = cpf('42100044', 3);

let h: FlowHarness;

before(async () => {
  // Kentro's shortest timeout: a createOpportunity answered after it is a lost answer.
  h = await FlowHarness.start({ config: { KENTRO_TIMEOUT_MS: '1000' }, ticks: { batchTickMs: 20 } });
});
after(async () => {
  await h?.close();
});
beforeEach(() => {
  h.fakeKentro.clearFaults();
  h.fakeKentro.clearRequests();
});

async function postCsv(csv: string, query = ''): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${h.app.url}/api/v1/batches${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'text/csv; charset=utf-8' },
    body: csv,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function completed(id: string): Promise<BatchView> {
  let last: BatchView | undefined;
  await waitUntil(
    async () => {
      last = (await h.call<BatchView>('GET', `/batches/${id}`)).body;
      return last.status === 'completed';
    },
    20_000,
    () => `batch ${id} did not complete: ${JSON.stringify(last)}\n${h.logTail()}`,
  );
  return last as BatchView;
}

/** Opportunities the fake Kentro holds for a CPF (mainmail). */
function opportunitiesOf(c: string): { id: number; title: string; formsdata: Record<string, string> }[] {
  const all = (h.fakeKentro.state() as { opportunities: { mainmail?: string }[] }).opportunities;
  return all.filter((o) => o.mainmail === c) as never;
}

function creates(c: string): number {
  return h.fakeKentro
    .requests('createOpportunity')
    .filter((r) => (r.body as { mainmail?: string }).mainmail === c).length;
}

describe('CSV batches with lead columns: leads not in Kentro are created from their row', () => {
  test('unknown CPFs with name, birth date and phone: each opportunity created once, the batch completes', async () => {
    const csv = [
      '\uFEFFnome;cpf;nascimento;telefone;email;sexo',
      `Ana Teste Lote;${ANA};31/01/1990;(11) 97777-0001;ana@example.com;F`,
      `Bia Teste Lote;${BIA};1985-06-15;11977770002;;feminino`,
      `Caio Teste Lote;${CAIO};02/03/1979;(21) 97777-0003;;M`,
      `Ana Teste Lote;${ANA};31/01/1990;(11) 97777-0001;ana@example.com;F`,
    ].join('\r\n');
    const started = await postCsv(csv);
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.accepted, 3);
    const done = await completed(started.body.id as string);
    assert.deepEqual(
      { simulated: done.counts.simulated, no_margin: done.counts.no_margin, failed: done.counts.failed },
      { simulated: 2, no_margin: 1, failed: 0 },
      JSON.stringify(done),
    );
    for (const c of [ANA, BIA, CAIO]) {
      assert.equal(creates(c), 1, `one createOpportunity for ${c}`);
      assert.equal(opportunitiesOf(c).length, 1, `one opportunity for ${c}`);
    }
    const [ana] = opportunitiesOf(ANA);
    assert.equal(ana?.title, 'ANA TESTE LOTE');
    assert.equal(ana?.formsdata[F.birthDate], '31/01/1990');
    assert.equal(ana?.formsdata[F.phone], '5511977770001');
    assert.equal(
      opportunitiesOf(BIA)[0]?.formsdata[F.birthDate],
      '15/06/1985',
      'ISO date stored as DD/MM/YYYY',
    );
    const [consult] = h.consultsAtV8(BIA);
    assert.equal(consult?.gender, 'female', 'sexo reaches V8');
    h.assertKentroSpec();

    // The same CPFs again: found in Kentro now, nothing is created.
    h.fakeKentro.clearRequests();
    const again = await postCsv(csv);
    assert.equal(again.status, 202);
    await completed(again.body.id as string);
    assert.equal(h.fakeKentro.requests('createOpportunity').length, 0);
  });

  test('a createOpportunity whose answer is lost (applied, answered after the timeout) is read back, not repeated', async () => {
    h.fakeKentro.setFault({ op: 'createOpportunity', when: 'after', delayMs: 1500 });
    const started = await postCsv(
      `cpf,name,birth_date,phone\n${DORA},Dora Teste Lote,1991-07-20,(11) 97777-0004\n`,
    );
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const done = await completed(started.body.id as string);
    assert.equal(done.counts.simulated, 1, JSON.stringify(done));
    assert.equal(creates(DORA), 1, 'one createOpportunity');
    assert.equal(opportunitiesOf(DORA).length, 1, 'one opportunity');
    const stage = () => (opportunitiesOf(DORA)[0] as unknown as { fkStage: number } | undefined)?.fkStage;
    await waitUntil(
      () => stage() === S.simulated,
      10_000,
      () => `the created opportunity did not reach the simulated stage (at ${stage()})`,
    );
  });

  test('createOpportunity=false keeps the lookup only: an unknown CPF fails, nothing is created', async () => {
    const c = cpf('42100055', 4);
    const started = await postCsv(
      `cpf;nome;nascimento;telefone\n${c};Eva Teste;01/01/1990;11977770005\n`,
      '?createOpportunity=false',
    );
    assert.equal(started.status, 202);
    const done = await completed(started.body.id as string);
    assert.equal(done.counts.failed, 1);
    assert.equal(h.fakeKentro.requests('createOpportunity').length, 0);
  });
});
