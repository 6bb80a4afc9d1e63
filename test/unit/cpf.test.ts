import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpfProblem, isValidCpf, normalizeCpf } from '../../app/domain/cpf.ts';

const TABLE: [input: string, problem: ReturnType<typeof cpfProblem>][] = [
  ['52998224725', undefined],
  ['529.982.247-25', undefined],
  [' 111.444.777-35 ', undefined],
  ['12345678909', undefined],
  ['00000000191', undefined], // leading zeros are part of the number
  ['52998224724', 'wrong_check_digits'], // last digit off
  ['52998224715', 'wrong_check_digits'], // first check digit off
  ['5299822472', 'not_11_digits'], // 10 digits
  ['529982247250', 'not_11_digits'], // 12 digits
  ['', 'not_11_digits'],
  ['5299822472a', 'invalid_characters'],
  ['529/982/247-25', 'invalid_characters'],
  ['abcdefghijk', 'invalid_characters'],
  ['00000000000', 'repeated_digits'],
  ['111.111.111-11', 'repeated_digits'],
  ['99999999999', 'repeated_digits'],
];

for (const [input, problem] of TABLE) {
  test(`cpf ${JSON.stringify(input)} -> ${problem ?? 'valid'}`, () => {
    assert.equal(cpfProblem(input), problem);
    assert.equal(isValidCpf(input), problem === undefined);
  });
}

test('normalizeCpf strips separators of a valid CPF and refuses an invalid one', () => {
  assert.equal(normalizeCpf('529.982.247-25'), '52998224725');
  assert.equal(normalizeCpf('529.982.247-24'), undefined);
});
