import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  classifySimulationRefusal,
  estimatedAmount,
  floorCents,
  maxInstallmentsFromText,
  type PolicyConfig,
  remainingCandidates,
  simulationCandidates,
} from '../../app/domain/simulation-policy.ts';

const PADRAO: PolicyConfig = {
  id: 'c001',
  slug: 'clt-padrao-qi',
  monthlyInterestRate: 1.99,
  installments: [6, 12, 18, 24, 36, 48, 60, 72, 84, 96],
  insured: false,
};
const SEGURO: PolicyConfig = {
  id: 'c002',
  slug: 'clt-seguro-qi',
  monthlyInterestRate: 2.49,
  installments: [12, 24, 36, 48],
  insured: true,
};
const CELCOIN: PolicyConfig = {
  id: 'c003',
  slug: 'clt-padrao-celcoin',
  monthlyInterestRate: 2.15,
  installments: [6, 12, 18, 24, 36, 48],
  insured: false,
};
const CHEAP_SHORT: PolicyConfig = {
  id: 'c004',
  slug: 'barata-curta',
  monthlyInterestRate: 1.5,
  installments: [6, 12],
  insured: false,
};
const CONFIGS = [PADRAO, SEGURO, CELCOIN];

const plan = (o: Partial<Parameters<typeof simulationCandidates>[0]>) =>
  simulationCandidates({
    policy: 'max_amount',
    configs: CONFIGS,
    margin: 512.37,
    limit: { installmentsMin: 6, installmentsMax: 96 },
    maxCandidates: 4,
    ...o,
  });

const brief = (r: ReturnType<typeof simulationCandidates>) =>
  r.ok ? r.candidates.map((c) => `${c.configId}:${c.installments}`) : r.reason;

describe('simulation policy', () => {
  test('max_amount: longest allowed term first, lower rate first on equal terms, instalment = margin', () => {
    const table: [string, Partial<Parameters<typeof simulationCandidates>[0]>, string[] | string][] = [
      ['full limits', {}, ['c001:96', 'c001:84', 'c001:72', 'c001:60']],
      ['limit 24', { limit: { installmentsMax: 24 } }, ['c001:24', 'c003:24', 'c001:18', 'c003:18']],
      [
        'limit 48 ties',
        { limit: { installmentsMax: 48 }, maxCandidates: 3 },
        ['c001:48', 'c003:48', 'c001:36'],
      ],
      [
        'monthMax when installmentsMax missing',
        { limit: { monthMax: 12 } },
        ['c001:12', 'c003:12', 'c001:6', 'c003:6'],
      ],
      ['no limit known', { limit: undefined, maxCandidates: 1 }, ['c001:96']],
      [
        'min above every term',
        { limit: { installmentsMin: 120 } },
        'nenhuma tabela da V8 oferece prazo entre 120 e o máximo parcelas',
      ],
      ['no margin', { margin: 0 }, 'sem margem disponível'],
      ['negative margin', { margin: -1 }, 'sem margem disponível'],
      ['wished term', { wish: { installments: 36 } }, ['c001:36', 'c003:36']],
      [
        'wished term not allowed',
        { wish: { installments: 96 }, limit: { installmentsMin: 6, installmentsMax: 24 } },
        'prazo de 96 parcelas não disponível para este cliente (permitido: 6 a 24)',
      ],
    ];
    for (const [name, over, want] of table) assert.deepEqual(brief(plan(over)), want, name);
    const first = plan({});
    assert.ok(first.ok);
    assert.equal(first.candidates[0]?.installmentValue, 512.37);
    assert.equal(first.candidates[0]?.disbursedAmount, undefined);
  });

  test('lowest_rate: cheapest table first, then its longest term', () => {
    const r = plan({ policy: 'lowest_rate', configs: [PADRAO, CELCOIN, CHEAP_SHORT], maxCandidates: 5 });
    assert.deepEqual(brief(r), ['c004:12', 'c004:6', 'c001:96', 'c001:84', 'c001:72']);
  });

  test('insured tables only when no uninsured table has an allowed term', () => {
    assert.deepEqual(
      brief(plan({ configs: [SEGURO, PADRAO], limit: { installmentsMax: 12 }, maxCandidates: 2 })),
      ['c001:12', 'c001:6'],
    );
    assert.deepEqual(brief(plan({ configs: [SEGURO], maxCandidates: 2 })), ['c002:48', 'c002:36']);
  });

  test('amounts: a wished instalment is capped at the margin; a wished released amount is sent alone', () => {
    const capped = plan({ wish: { installmentValue: 900 } });
    assert.ok(capped.ok);
    assert.equal(capped.candidates[0]?.installmentValue, 512.37);
    const lower = plan({ wish: { installmentValue: 300 } });
    assert.ok(lower.ok);
    assert.equal(lower.candidates[0]?.installmentValue, 300);
    const amount = plan({ wish: { disbursedAmount: 5000 } });
    assert.ok(amount.ok);
    assert.equal(amount.candidates[0]?.disbursedAmount, 5000);
    assert.equal(amount.candidates[0]?.installmentValue, undefined);
  });

  test('floorCents never rounds up past the margin', () => {
    const table: [number, number][] = [
      [512.37, 512.37],
      [512.379, 512.37],
      [0.1 + 0.2, 0.3],
      [100, 100],
    ];
    for (const [input, want] of table) assert.equal(floorCents(input), want, String(input));
  });

  test('refusals: not eligible stops; a named maximum narrows the next terms', () => {
    const table: [string | undefined, string, string][] = [
      ['simulation_not_eligible', 'Consulta não elegível para simulação.', 'stop'],
      [undefined, 'Trabalhador sem margem disponível para simulação.', 'stop'],
      [
        'simulation_installments_above_maximum',
        'O número de parcelas excede o máximo permitido de 24 parcelas.',
        'next<=24',
      ],
      ['simulation_installment_value_above_margin', 'O valor da parcela excede a margem disponível', 'lower'],
      [undefined, 'Valor da parcela acima da margem disponível', 'lower'],
      ['simulation_already_exists', 'Simulação já existente', 'next'],
      ['simulation_installments_not_allowed', 'Prazo de 96 parcelas não disponível na tabela x.', 'next'],
    ];
    for (const [type, text, want] of table) {
      const r = classifySimulationRefusal(type, text);
      const got = r.action !== 'next' ? r.action : r.maxInstallments ? `next<=${r.maxInstallments}` : 'next';
      assert.equal(got, want, text);
    }
    assert.equal(maxInstallmentsFromText('excede o máximo permitido de 48 parcelas'), 48);
    assert.equal(maxInstallmentsFromText('prazo máximo: 36 meses'), 36);
    assert.equal(maxInstallmentsFromText('sem número'), undefined);
  });

  test('remaining candidates after a refusal', () => {
    const r = plan({ maxCandidates: 10 });
    assert.ok(r.ok);
    const rest = r.candidates.slice(1);
    assert.deepEqual(
      remainingCandidates(rest, { action: 'next', maxInstallments: 48 }).map((c) => c.installments),
      [48, 48, 36, 36, 24, 24],
    );
    assert.equal(remainingCandidates(rest, { action: 'next' }).length, rest.length);
    assert.deepEqual(remainingCandidates(rest, { action: 'stop' }), []);
  });

  const value = (c: { installmentValue?: number | undefined; disbursedAmount?: number | undefined }) =>
    c.installmentValue ?? c.disbursedAmount;

  test('amounts stay within valueMin..valueMax: the instalment is capped, terms below the minimum dropped', () => {
    // At 1.99 % a month one BRL a month is worth 18.94 over 24 months (so R$ 9,000 caps it at 475.30).
    const table: [string, Partial<Parameters<typeof simulationCandidates>[0]>, string[] | string][] = [
      ['no bounds: the margin', { limit: { installmentsMax: 24 }, maxCandidates: 1 }, ['24x512.37']],
      [
        'valueMax caps the instalment, per term',
        { limit: { installmentsMax: 24, valueMax: 9000 }, maxCandidates: 3 },
        ['24x475.30', '24x483.96', '18x512.37'],
      ],
      [
        'valueMin drops short terms',
        { configs: [PADRAO], limit: { valueMin: 5000 }, margin: 300, maxCandidates: 10 },
        ['96x300.00', '84x300.00', '72x300.00', '60x300.00', '48x300.00', '36x300.00', '24x300.00'],
      ],
      [
        'no term reaches valueMin',
        { configs: [CHEAP_SHORT], limit: { valueMin: 5000 }, margin: 100 },
        'a margem de R$ 100,00 não alcança o valor mínimo da V8 para este cliente (R$ 5000,00) em nenhum prazo',
      ],
      [
        'a wished instalment is capped too',
        { limit: { installmentsMax: 24, valueMax: 9000 }, wish: { installmentValue: 500 }, maxCandidates: 1 },
        ['24x475.30'],
      ],
      [
        'a wished released amount inside the bounds',
        { limit: { valueMin: 500, valueMax: 9000 }, wish: { disbursedAmount: 9000, installments: 12 } },
        ['12x9000.00', '12x9000.00'],
      ],
      [
        'a wished released amount above valueMax',
        { limit: { valueMin: 500, valueMax: 9000 }, wish: { disbursedAmount: 9000.01 } },
        'valor pedido de R$ 9000,01 fora dos limites da V8 para este cliente (R$ 500,00 a R$ 9000,00)',
      ],
      [
        'a wished released amount below valueMin',
        { limit: { valueMin: 500 }, wish: { disbursedAmount: 499 } },
        'valor pedido de R$ 499,00 fora dos limites da V8 para este cliente (R$ 500,00 a sem máximo)',
      ],
    ];
    for (const [name, over, want] of table) {
      const r = plan(over);
      assert.deepEqual(
        r.ok ? r.candidates.map((c) => `${c.installments}x${value(c)?.toFixed(2)}`) : r.reason,
        want,
        name,
      );
      if (!r.ok) continue;
      for (const c of r.candidates) {
        const lent =
          c.disbursedAmount ??
          estimatedAmount(c.installmentValue ?? 0, c.monthlyInterestRate, c.installments);
        const { valueMin = 0, valueMax = Number.POSITIVE_INFINITY } = over.limit ?? {};
        assert.ok((lent ?? 0) >= valueMin && (lent ?? 0) <= valueMax, `${name}: ${lent} within bounds`);
      }
    }
  });

  test('above the margin: the same table and term at 95 %, then 85 % of the margin, never above valueMax', () => {
    const lowered = (over: Partial<Parameters<typeof simulationCandidates>[0]>, refusals: number) => {
      const r = plan(over);
      assert.ok(r.ok);
      let [head, ...rest] = r.candidates;
      const seen: string[] = [];
      for (let i = 0; i < refusals && head; i++) {
        seen.push(`${head.configId}:${head.installments}x${value(head)?.toFixed(2)}`);
        [head, ...rest] = remainingCandidates(rest, { action: 'lower' }, head, r.pricing);
      }
      if (head) seen.push(`${head.configId}:${head.installments}x${value(head)?.toFixed(2)}`);
      return seen;
    };
    const table: [string, Partial<Parameters<typeof simulationCandidates>[0]>, number, string[]][] = [
      ['uncapped', {}, 2, ['c001:96x512.37', 'c001:96x486.75', 'c001:96x435.51']],
      ['ladder exhausted: nothing left', {}, 3, ['c001:96x512.37', 'c001:96x486.75', 'c001:96x435.51']],
      // Capped at 475.30 by valueMax: 95 % (486.75) would not be lower, so 85 % comes next.
      [
        'capped by valueMax skips a share that is not lower',
        { limit: { installmentsMax: 24, valueMax: 9000 } },
        1,
        ['c001:24x475.30', 'c001:24x435.51'],
      ],
      [
        'a lowered instalment below valueMin is not proposed',
        { limit: { installmentsMax: 24, valueMin: 9000 } },
        2,
        ['c001:24x512.37', 'c001:24x486.75'],
      ],
    ];
    for (const [name, over, refusals, want] of table) assert.deepEqual(lowered(over, refusals), want, name);

    // The rest follows the lowered share; a fixed released amount cannot be lowered (next candidate).
    const r = plan({ maxCandidates: 3 });
    assert.ok(r.ok);
    const [first, ...rest] = r.candidates;
    assert.deepEqual(
      remainingCandidates(rest, { action: 'lower' }, first, r.pricing).map(
        (c) => `${c.installments}x${value(c)}`,
      ),
      ['96x486.75', '84x486.75', '72x486.75'],
    );
    const fixed = plan({ wish: { disbursedAmount: 5000 }, maxCandidates: 3 });
    assert.ok(fixed.ok);
    const [f1, ...fRest] = fixed.candidates;
    assert.deepEqual(
      remainingCandidates(fRest, { action: 'lower' }, f1, fixed.pricing).map((c) => c.installments),
      [84, 72],
    );
  });
});
