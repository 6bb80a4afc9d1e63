// Issue 11 items 6 and 7 in real containers: a CSV with names, birth dates and phones of leads the
// client's fake Kentro does not know creates each opportunity once and completes; a lead moved to
// the proposal stage stays there when its CPF is run again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAKE_KENTRO_STAGES as S } from '../../sandbox/fake-kentro/fake-kentro-seed.ts';
import { cpfWithCheckDigits } from '../../sandbox/fake-v8/cpf.ts';
import { freePort, OpsHome } from '../support/ops.ts';
import { countBy, SandboxClient } from '../support/sandbox-client.ts';

// The fake V8 decides by the 9th digit: 0-5 SUCCESS with margin, 6 REJECTED.
const ANA = cpfWithCheckDigits('431000111');
const BRUNO = cpfWithCheckDigits('431000226');
const CELIA = cpfWithCheckDigits('431000333');
const CPFS = [ANA, BRUNO, CELIA];

const home = new OpsHome();
let c: SandboxClient;

/** Waits until the newest flow of each CPF is done and its CRM updates delivered. */
async function settledFlows(cpfs: readonly string[]): Promise<void> {
  for (const x of cpfs) {
    const r = await c.call('GET', `/api/v1/flows?cpf=${x}&limit=1`);
    assert.equal(r.status, 200, r.text);
    await c.settledFlow(r.body.items[0].id);
  }
}

async function postCsv(csv: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${c.port}/api/v1/batches`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${c.configValue('API_TOKEN')}`,
      'content-type': 'text/csv; charset=utf-8',
    },
    body: csv,
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { id: string; accepted: number };
  assert.equal(res.status, 202, JSON.stringify(body));
  assert.equal(body.accepted, CPFS.length);
  return body.id;
}

describe('CSV batches with lead columns in a sandbox client (real containers)', () => {
  before(async () => {
    c = await SandboxClient.start(home, {
      port: await freePort(24000 + Math.floor(Math.random() * 1500)),
      name: 'Corban Lotes CSV',
      fakes: { FAKE_V8_STEP_MS: '200' },
      config: { FLOW_POLL_FIRST_MS: '1000', FLOW_POLL_MAX_MS: '2000' },
    });
  });

  after(async () => {
    await home.cleanup();
  });

  test('unknown leads are created once from their rows and the batch completes; a rerun keeps a lead at the proposal stage', async () => {
    const csv = [
      '\uFEFFnome;cpf;nascimento;telefone;email;sexo',
      `Ana Container;${ANA};31/01/1990;(11) 97777-0101;ana@example.com;F`,
      `Bruno Container;${BRUNO};1985-06-15;(21) 8777-0102;;M`,
      `Celia Container;${CELIA};02/03/1979;11977770103;;feminino`,
    ].join('\r\n');
    const first = await c.completedBatch(await postCsv(csv));
    assert.deepEqual(
      { simulated: first.counts.simulated, no_margin: first.counts.no_margin, failed: first.counts.failed },
      { simulated: 2, no_margin: 1, failed: 0 },
      JSON.stringify(first),
    );
    await settledFlows(CPFS);
    const creates = countBy(
      await c.kentroRequests('createOpportunity'),
      (r) => (r.body as { mainmail?: string }).mainmail,
    );
    const opps = (await c.kentroOpportunities()).filter((o) => CPFS.includes(o.mainmail));
    for (const x of CPFS) {
      assert.equal(creates.get(x), 1, `createOpportunity for ${x}`);
      assert.equal(opps.filter((o) => o.mainmail === x).length, 1, `opportunities for ${x}`);
    }
    const ana = opps.find((o) => o.mainmail === ANA);
    assert.ok(ana);
    assert.equal(ana.title, 'ANA CONTAINER');

    // The broker moves Ana to the proposal stage; her CPF (and the others) are run again.
    const moved = await c.admin('fake-kentro', 'POST', '/int/changeOpportunityStage', {
      queueId: Number(c.configValue('KENTRO_QUEUE_ID')),
      apiKey: c.configValue('KENTRO_API_KEY'),
      id: ana.id,
      destStageId: S.proposal,
    });
    assert.equal(moved.status, 200, moved.text);
    const again = await c.completedBatch(await postCsv(csv));
    assert.equal(again.counts.failed, 0, JSON.stringify(again));
    await settledFlows(CPFS);
    const later = (await c.kentroOpportunities()).filter((o) => CPFS.includes(o.mainmail));
    assert.equal(later.length, CPFS.length, 'the rerun created nothing');
    assert.equal(
      later.find((o) => o.mainmail === ANA)?.fkStage,
      S.proposal,
      'Ana stays at the proposal stage',
    );
    assert.match(c.logTail(400), /Kentro stage move skipped/);
  });
});
