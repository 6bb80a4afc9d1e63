import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvCell, resultsCsv } from '../../app/domain/results-csv.ts';

test('results CSV: BOM, ";" header, CRLF, formatted CPF, decimal comma, pt-BR labels', () => {
  const csv = resultsCsv([
    {
      line: 2,
      cpf: '03581264951',
      status: 'simulated',
      reason: 'simulação concluída: R$ 5.412,80 em 96x de R$ 512,37',
      disbursedAmount: 5412.8,
      installmentValue: 512.37,
      installments: 96,
      flowId: 'f-1',
    },
    {
      line: 3,
      cpf: '52998224724',
      status: 'invalid',
      reason: 'CPF inválido (dígitos verificadores não conferem)',
      disbursedAmount: null,
      installmentValue: null,
      installments: null,
      flowId: null,
    },
  ]);
  assert.ok(csv.startsWith('\uFEFF'));
  const lines = csv.slice(1).split('\r\n');
  assert.deepEqual(lines, [
    'linha;cpf;status;resultado;motivo;valor_liberado;parcela;prazo;flow_id',
    '2;035.812.649-51;simulated;simulado;"simulação concluída: R$ 5.412,80 em 96x de R$ 512,37";5412,80;512,37;96;f-1',
    '3;529.982.247-24;invalid;CPF inválido;CPF inválido (dígitos verificadores não conferem);;;;',
    '',
  ]);
});

test('results CSV cells: formulas are defused, quotes and line breaks escaped', () => {
  assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvCell('+551199'), "'+551199");
  assert.equal(csvCell('@SUM'), "'@SUM");
  assert.equal(csvCell('a;b'), '"a;b"');
  assert.equal(csvCell('linha\r\noutra'), 'linha outra');
  assert.equal(csvCell('texto simples'), 'texto simples');
});
