import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAKE_KENTRO_STAGES as S } from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { CPF, FlowHarness, PROPOSAL_OVERRIDES } from '../support/flow-harness.ts';

// POST /flows/:id/proposal against the fake V8 and fake Kentro.
let h: FlowHarness;

before(async () => {
  h = await FlowHarness.start({
    fakeV8: { operationStepMs: 600_000 },
    // Stages only move forward: this tenant puts "needs data" after "simulated", before "proposal".
    config: {
      KENTRO_STAGE_ORDER: [
        S.entry,
        S.failed,
        S.noMargin,
        S.marginFound,
        S.simulated,
        S.needsData,
        S.proposal,
        S.paid,
      ].join(','),
    },
  });
});
after(async () => {
  await h?.close();
});

const operationPosts = () =>
  h.fakeV8.requests().filter((r) => r.method === 'POST' && r.path === '/private-consignment/operation');
const operationsAtV8 = (cpf: string) => h.fakeV8.state().operations.filter((o) => o.document_number === cpf);

describe('proposal from a flow', () => {
  let flowId: string;
  let oppId: number;

  test('missing data: 422 naming every field, one note, needs-data stage, no V8 operation call', async () => {
    flowId = await h.startFlow(CPF.approved);
    const flow = await h.settled(flowId);
    assert.equal(flow.outcome, 'simulated');
    oppId = flow.opportunity?.id as number;
    const notesBefore = h.opportunity(oppId).notes.length;

    const r = await h.call<{ error: { code: string; fields: { field: string }[] } }>(
      'POST',
      `/flows/${flowId}/proposal`,
      { street: 'Rua Exemplo' },
    );
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.deepEqual(r.body.error.fields.map((f) => f.field).sort(), [
      'houseNumber',
      'maritalStatus',
      'neighborhood',
      'pixKey',
      'rg',
      'rgIssueDate',
      'rgIssuer',
    ]);
    await h.settled(flowId);
    const opp = h.opportunity(oppId);
    assert.equal(opp.notes.length, notesBefore + 1);
    assert.match(opp.notes.at(-1)?.note ?? '', /Faltam: RG, órgão emissor do RG, .*chave PIX/);
    assert.equal(opp.fkStage, S.needsData);
    assert.equal(operationPosts().length, 0, 'V8 never called with partial data');
  });

  test('bad override: 400 naming the field, nothing created', async () => {
    const r = await h.call<{ error: { fields: { field: string }[] } }>('POST', `/flows/${flowId}/proposal`, {
      postalCode: '123',
    });
    assert.equal(r.status, 400);
    assert.deepEqual(
      r.body.error.fields.map((f) => f.field),
      ['postalCode'],
    );
    assert.equal(operationPosts().length, 0);
  });

  test('complete data: the operation is created once, recorded against the flow and shown on it', async () => {
    const r = await h.call<{ operationId: string; recovered: boolean }>(
      'POST',
      `/flows/${flowId}/proposal`,
      PROPOSAL_OVERRIDES,
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.recovered, false);
    assert.equal(operationPosts().length, 1, JSON.stringify(operationPosts()));
    const [op] = operationsAtV8(CPF.approved);
    assert.equal(op?.id, r.body.operationId);
    assert.match(JSON.stringify(op?.borrower), /JOANA TESTE DA SILVA/, "the mother's name came from Kentro");

    const view = (
      await h.call<{ proposal: { id: string; status: string; history: { status: string }[] } }>(
        'GET',
        `/flows/${flowId}`,
      )
    ).body;
    assert.equal(view.proposal.id, r.body.operationId);
    assert.ok(view.proposal.history.length >= 1);

    const again = await h.call('POST', `/flows/${flowId}/proposal`, PROPOSAL_OVERRIDES);
    assert.equal(again.status, 409, 'a second proposal for the same flow is refused');
    assert.equal(operationPosts().length, 1);
  });

  test('create answer lost (504) but applied: read back from V8 list, still one operation', async () => {
    const id = await h.startFlow(CPF.notInKentro, {
      createOpportunity: true,
      lead: { name: 'TESTE NOVO', birthDate: '1990-01-01', phone: '11912345670' },
    });
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    const full = {
      ...PROPOSAL_OVERRIDES,
      motherName: 'MAE TESTE',
      city: 'Recife',
      state: 'PE',
      postalCode: '50000-000',
      pixKey: 'a@b.co',
    };
    // V8 applied the create but its answer was lost: the operation exists at V8 (made here by the same
    // login), and our call gets a 504, an unknown outcome.
    const simId = flow.simulation?.v8SimulationId as string;
    const before = operationPosts().length;
    const real = await h.app.v8.client.createOperation({
      simulationId: simId,
      provider: 'QI',
      borrower: borrowerFor(full),
    });
    h.fakeV8.setFault({ target: '**/private-consignment/operation', method: 'POST', status: 504 });
    const r = await h.call<{ operationId: string; recovered: boolean }>(
      'POST',
      `/flows/${id}/proposal`,
      full,
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.recovered, true);
    assert.equal(r.body.operationId, real.id);
    assert.equal(operationsAtV8(CPF.notInKentro).length, 1, 'still one operation at V8');
    assert.equal(operationPosts().length - before, 2, 'ours was sent once: no blind retry of the create');
  });
});

function borrowerFor(o: Record<string, string>) {
  return {
    name: 'TESTE NOVO',
    email: 'novo@example.com',
    phone: { countryCode: '55', areaCode: '11', phoneNumber: '912345670' },
    politicallyExposed: false,
    address: {
      street: o.street as string,
      number: o.houseNumber as string,
      neighborhood: o.neighborhood as string,
      city: o.city as string,
      state: o.state as string,
      postalCode: '50000000',
    },
    birthDate: '1990-01-01',
    motherName: o.motherName as string,
    nationality: 'brazilian',
    documentIssuer: 'SSP',
    gender: 'male' as const,
    maritalStatus: 'single' as const,
    cpf: CPF.notInKentro,
    identityDocument: { type: 'rg' as const, number: '1', issueDate: '2010-01-20' },
    bank: { transferMethod: 'pix' as const, pixKey: 'a@b.co', pixKeyType: 'email' as const },
  };
}
