import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAKE_KENTRO_FORM_FIELDS as F } from '../../sandbox/fake-kentro/fake-kentro-server.ts';
import { cpfWithCheckDigits } from '../../sandbox/fake-v8/fake-v8-server.ts';
import { CPF, FlowHarness } from '../support/flow-harness.ts';

// The margin must not depend on V8's detail route (GET /consult/{id}), which most integrators never
// call: with it missing or incomplete, the flow reads the list (search=<cpf>) around the creation.
let h: FlowHarness;
const LEAD = { name: 'Rita Teste Lista', birthDate: '12/12/1982', phone: '11955557777' };
/** Not in Kentro; the fake's 9th-digit rule makes them SUCCESS with a margin derived from the CPF. */
const FRESH_405 = cpfWithCheckDigits('610203041');
const FRESH_NO_MARGIN = cpfWithCheckDigits('620304052');

before(async () => {
  h = await FlowHarness.start({ fakeV8: { consultDetailRoute: '404' } });
});
after(async () => {
  await h?.close();
});

const detailGets = () =>
  h.fakeV8
    .requests({ method: 'GET' })
    .filter((r) => /^\/private-consignment\/consult\/[0-9a-f-]{36}$/.test(r.path));
const listGets = (cpf: string) =>
  h.fakeV8
    .requests({ method: 'GET', path: '/private-consignment/consult' })
    .filter((r) => r.query?.search === cpf);

/** The margin the fake's scenario gives this CPF (what V8 "really" says). */
const marginAtV8 = (cpf: string) => Number(h.consultsAtV8(cpf)[0]?.availableMarginValue);

describe('margin from every source', () => {
  test('detail route answers 404: the approved lead still ends simulated with V8 list margin', async () => {
    const id = await h.startFlow(CPF.approved);
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    assert.equal(flow.consult?.margin, 512.37);
    const sim = flow.simulation as { installmentValue: number; disbursedAmount: number };
    assert.equal(sim.installmentValue, 512.37);
    const opp = h.opportunity(flow.opportunity?.id as number);
    assert.equal(opp.formsdata[F.availableMargin], '512.37');
    assert.equal(opp.value, Math.round(sim.disbursedAmount * 100));
    const lists = listGets(CPF.approved);
    // First the reuse search before creating (FLOW_CONSULT_VALID_DAYS back), then the margin reads.
    assert.ok(lists.length >= 2, `reuse search and margin read by CPF: ${lists.length} list reads`);
    const span = (q: Record<string, unknown>) =>
      Date.parse(String(q.endDate)) - Date.parse(String(q.startDate));
    assert.ok(span(lists[0]?.query ?? {}) >= (h.app.flow.settings.consultValidDays - 1) * 86_400_000);
    const created = Date.parse(String(h.consultsAtV8(CPF.approved)[0]?.createdAt));
    for (const r of lists.slice(1)) {
      const q = r.query ?? {};
      assert.ok(Date.parse(String(q.startDate)) <= created && created <= Date.parse(String(q.endDate)));
      assert.ok(span(q) <= 2 * 86_400_000, JSON.stringify(q));
    }
    assert.equal(detailGets().length, 1, 'after one 404 the detail route is not asked again');
  });

  test('detail route answers 405: same, and the next read goes to the list directly', async () => {
    h.fakeV8.configure({ consultDetailRoute: '405' });
    h.app.flow.consultReads.detailUnavailableUntil = 0;
    const before = detailGets().length;
    const id = await h.startFlow(FRESH_405, { createOpportunity: true, lead: LEAD });
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    assert.equal(flow.consult?.margin, marginAtV8(FRESH_405));
    // The simulation keeps within the margin and V8's valueMax (a large margin is capped by the limit).
    const sim = flow.simulation as { installmentValue: number; disbursedAmount: number };
    assert.ok(sim.installmentValue > 0 && sim.installmentValue <= marginAtV8(FRESH_405), JSON.stringify(sim));
    assert.ok(sim.disbursedAmount <= 25_000, JSON.stringify(sim));
    assert.equal(detailGets().length - before, 1);
  });

  test('detail route answers SUCCESS without the margin: the list fills it in', async () => {
    h.fakeV8.configure({ consultDetailRoute: 'no-margin' });
    h.app.flow.consultReads.detailUnavailableUntil = 0;
    const id = await h.startFlow(FRESH_NO_MARGIN, { createOpportunity: true, lead: LEAD });
    const flow = await h.settled(id);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    const margin = marginAtV8(FRESH_NO_MARGIN);
    assert.ok(margin > 0);
    assert.equal(flow.consult?.margin, margin);
    const consult = h.app.store.consults.get(flow.consult?.id as string);
    assert.equal(consult?.simulationLimit?.valueMax, 25_000, 'the limits came from the list too');
    assert.ok(listGets(FRESH_NO_MARGIN).length >= 1);
  });
});
