import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  brlToCents,
  normalizeCpf,
  normalizePhone,
  requireCpf,
  sanitizeTemplateParam,
  toFormsdata,
  toOpportunity,
} from '../../app/adapters/kentro/kentro-mapping.ts';
import { isAppError } from '../../app/domain/app-error.ts';

describe('normalizeCpf (stored CPF values)', () => {
  const cases: [unknown, string | undefined][] = [
    ['12345678909', '12345678909'],
    ['123.456.789-09', '12345678909'],
    [' 123.456.789-09 ', '12345678909'],
    ['123 456 789 09', '12345678909'],
    [12345678909, '12345678909'],
    ['3581264951', '03581264951'],
    ['null', undefined],
    ['NULL '.toLowerCase(), undefined],
    [null, undefined],
    [undefined, undefined],
    ['', undefined],
    ['maria.teste@example.com', undefined],
    ['cpf 12345678909', undefined],
    ['123', undefined],
    ['123456789090', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} -> ${String(expected)}`, () => assert.equal(normalizeCpf(input), expected));
  }
});

describe('requireCpf (CPF from our callers)', () => {
  it('accepts formatted and unformatted 11 digits', () => {
    assert.equal(requireCpf('111.444.777-35'), '11144477735');
    assert.equal(requireCpf('03581264951'), '03581264951');
  });
  it('rejects anything else with invalid_data', () => {
    for (const bad of ['', '123', '3581264951', 'abc', '123456789012']) {
      assert.throws(
        () => requireCpf(bad),
        (e) => isAppError(e) && e.code === 'invalid_data' && e.fields?.[0]?.field === 'cpf',
      );
    }
  });
});

describe('normalizePhone', () => {
  const cases: [string | undefined, string | undefined][] = [
    ['(11) 91234-5678', '5511912345678'],
    ['11912345678', '5511912345678'],
    ['1133334444', '551133334444'],
    ['+55 11 91234-5678', '5511912345678'],
    ['5511912345678', '5511912345678'],
    ['', undefined],
    ['null', undefined],
    [undefined, undefined],
    ['12', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} -> ${String(expected)}`, () =>
      assert.equal(normalizePhone(input), expected));
  }
});

describe('brlToCents', () => {
  const cases: [number, number][] = [
    [5412.8, 541280],
    [100.5, 10050],
    [0.1 + 0.2, 30],
    [0, 0],
    [1630.32, 163032],
    [2049.57, 204957],
    [21474836.47, 2147483647],
  ];
  for (const [reais, cents] of cases) {
    it(`R$ ${reais} -> ${cents}`, () => assert.equal(brlToCents(reais), cents));
  }
  it('rejects negative, non-finite and int32-overflowing amounts', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 21474836.48]) {
      assert.throws(
        () => brlToCents(bad),
        (e) => isAppError(e) && e.code === 'invalid_data',
      );
    }
  });
});

describe('toFormsdata', () => {
  it('maps our names to field ids, stringifies numbers and reports unmapped names', () => {
    const r = toFormsdata(
      {
        birthDate: '15/04/1990',
        simulatedAmount: 5412.8,
        installments: 24,
        motherName: undefined,
        email: 'x@y.z',
      },
      { birthDate: '0bfc6250', simulatedAmount: 'c1a0a002', installments: 'c1a0a004' },
    );
    assert.deepEqual(r.formsdata, { '0bfc6250': '15/04/1990', c1a0a002: '5412.8', c1a0a004: '24' });
    assert.deepEqual(r.skipped, ['email']);
  });
});

describe('sanitizeTemplateParam (Meta #132018)', () => {
  it('removes newlines and tabs and shortens runs of 4+ spaces', () => {
    assert.equal(sanitizeTemplateParam(' Maria\nda\tSilva     R$ 10 '), 'Maria da Silva   R$ 10');
    assert.doesNotMatch(sanitizeTemplateParam('a\r\n\r\nb    c'), /[\n\t]| {4,}/);
  });
});

describe('toOpportunity', () => {
  const formFields = { cpf: '98011220', birthDate: '0bfc6250', email: '9e7f92b0' } as const;
  it('drops empty values ("null", null, blank) and maps fields by our names', () => {
    const o = toOpportunity(
      {
        id: 40123,
        title: 'MARIA TESTE',
        fkPipeline: 4,
        fkStage: 21,
        status: 0,
        mainmail: '12345678909',
        mainphone: 'null',
        value: 541280,
        tags: '6, 7',
        formsdata: { '98011220': '12345678909', '0bfc6250': 'null', '9e7f92b0': null, ffffffff: ' ' },
      },
      formFields,
    );
    assert.equal(o.id, 40123);
    assert.equal(o.stageId, 21);
    assert.equal(o.pipelineId, 4);
    assert.equal(o.mainphone, undefined);
    assert.equal(o.valueCents, 541280);
    assert.deepEqual(o.tags, [6, 7]);
    assert.deepEqual(o.formsdata, { '98011220': '12345678909' });
    assert.deepEqual(o.fields, { cpf: '12345678909' });
    // The raw form keeps everything for read-merge-write.
    assert.equal(o.rawFormsdata['0bfc6250'], 'null');
  });
  it('rejects an answer without a numeric id', () => {
    assert.throws(
      () => toOpportunity({ title: 'x' }, formFields),
      (e) => isAppError(e) && e.code === 'upstream_error',
    );
  });
});
