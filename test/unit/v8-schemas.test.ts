import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  consultListSchema,
  consultSchema,
  money,
  operationCreatedSchema,
  operationListSchema,
  operationSchema,
  simulationConfigsSchema,
  simulationSchema,
  tokenSchema,
} from '../../app/adapters/v8/v8-schemas.ts';

const MONEY: [input: unknown, out: number | 'error'][] = [
  ['512.37', 512.37],
  [512.37, 512.37],
  ['512,37', 512.37],
  [' 1000 ', 1000],
  [0, 0],
  ['abc', 'error'],
  ['', 'error'],
  [null, 'error'],
];
for (const [input, out] of MONEY) {
  test(`money ${JSON.stringify(input)} -> ${out}`, () => {
    const r = money.safeParse(input);
    if (out === 'error') assert.equal(r.success, false);
    else assert.deepEqual(r.data, out);
  });
}

test('consult: money strings, null margin before SUCCESS, unknown fields tolerated', () => {
  const c = consultSchema.parse({
    id: 'c1',
    status: 'WAITING_CONSENT',
    availableMarginValue: null,
    simulationLimit: null,
    brandNewField: { x: 1 },
  });
  assert.equal(c.availableMarginValue, undefined);
  assert.equal(c.simulationLimit, undefined);
  assert.equal(c.description, null);
  const s = consultSchema.parse({
    id: 'c1',
    status: 'SUCCESS',
    availableMarginValue: '512.37',
    simulationLimit: { installmentsMin: 6, installmentsMax: '96', valueMin: '500', valueMax: 25000 },
  });
  assert.equal(s.availableMarginValue, 512.37);
  assert.deepEqual(s.simulationLimit, {
    monthMin: undefined,
    monthMax: undefined,
    installmentsMin: 6,
    installmentsMax: 96,
    valueMin: 500,
    valueMax: 25000,
  });
});

const LISTS: [name: string, body: unknown, ids: string[], totalPages?: number][] = [
  ['{data, pages}', { data: [{ id: 'a', status: 'SUCCESS' }], pages: { totalPages: 3 } }, ['a'], 3],
  ['{items}', { items: [{ id: 'b', status: 'FAILED' }] }, ['b']],
  ['plain array', [{ id: 'c', status: 'REJECTED' }], ['c']],
  ['empty', { data: [] }, []],
];
for (const [name, body, ids, totalPages] of LISTS) {
  test(`consult list shape ${name}`, () => {
    const p = consultListSchema.parse(body);
    assert.deepEqual(
      p.items.map((i) => i.id),
      ids,
    );
    assert.equal(p.totalPages, totalPages);
  });
}

test('consult list of an unexpected shape is refused', () => {
  assert.equal(consultListSchema.safeParse({ results: [] }).success, false);
  assert.equal(consultListSchema.safeParse('Successful response').success, false);
});

test('simulation configs: {configs}, plain array, {data}; insured by flag or slug', () => {
  const item = {
    id: 'x',
    slug: 'clt-seguro',
    monthly_interest_rate: '2.49',
    number_of_installments: ['12', 24],
  };
  for (const body of [{ configs: [item] }, [item], { data: [item] }]) {
    assert.deepEqual(simulationConfigsSchema.parse(body), [
      {
        id: 'x',
        slug: 'clt-seguro',
        name: undefined,
        monthlyInterestRate: 2.49,
        installments: [12, 24],
        insured: true,
      },
    ]);
  }
  assert.equal(
    simulationConfigsSchema.parse([{ id: 'y', is_insured: false, slug: 'seguro' }])[0]?.insured,
    false,
  );
});

const SIM_IDS: [name: string, body: Record<string, unknown>, id: string][] = [
  ['id_simulation', { id_simulation: 's1' }, 's1'],
  ['simulation_id', { simulation_id: 's2' }, 's2'],
  ['data wrapper', { data: { id_simulation: 's3' } }, 's3'],
];
for (const [name, body, id] of SIM_IDS) {
  test(`simulation id from ${name}`, () => assert.equal(simulationSchema.parse(body).id, id));
}

test('simulation released value prefers final_disbursement_amount, then disbursed_issue_amount', () => {
  const a = simulationSchema.parse({
    id_simulation: 's',
    disbursed_issue_amount: 5412.8,
    disbursement_option: { final_disbursement_amount: '5400.10', cet: 2.35 },
  });
  assert.equal(a.disbursedAmount, 5400.1);
  assert.equal(a.cet, 2.35);
  assert.equal(
    simulationSchema.parse({ id_simulation: 's', disbursed_issue_amount: '5412.80' }).disbursedAmount,
    5412.8,
  );
  assert.equal(simulationSchema.safeParse({ installment_value: 1 }).success, false);
});

const OP_CREATED: [body: unknown, id: string][] = [
  [{ id: 'o1', formalization_url: 'https://f/1' }, 'o1'],
  [{ operation_id: 'o2' }, 'o2'],
  [{ idOperation: 'o3' }, 'o3'],
  [{ data: { id: 'o4' } }, 'o4'],
];
for (const [body, id] of OP_CREATED) {
  test(`operation created ${JSON.stringify(body)}`, () => {
    const o = operationCreatedSchema.parse(body);
    assert.equal(o.id, id);
    assert.equal(o.status, 'pending');
  });
}

test('operation list uses operationId; detail reads operation_data and pendency text', () => {
  const list = operationListSchema.parse({
    data: [{ operationId: 'o1', status: 'paid', disbursedIssueAmount: '10.5' }],
  });
  assert.equal(list.items[0]?.id, 'o1');
  assert.equal(list.items[0]?.disbursedAmount, 10.5);
  const d = operationSchema.parse({
    id: 'o1',
    status: 'pending',
    status_description: 'PIX inválido',
    operation_data: { issue_amount: '100.00', number_of_installments: '24' },
  });
  assert.equal(d.pendencyReason, 'PIX inválido');
  assert.equal(d.issueAmount, 100);
  assert.equal(d.installments, 24);
});

test('token answer: expires_in optional, access_token required', () => {
  assert.equal(tokenSchema.parse({ access_token: 't', expires_in: '86400' }).expires_in, 86400);
  assert.equal(tokenSchema.parse({ access_token: 't' }).expires_in, undefined);
  assert.equal(tokenSchema.safeParse({ token: 't' }).success, false);
});
