import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../app/domain/app-error.ts';
import { legacyErrorBody, toAppError } from '../../app/http/middleware/error-handler.ts';
import { oldError } from '../../app/http/routes/legacy/envelope.ts';
import { fluxoInput, parseLegacy, personalizadaInput } from '../../app/http/routes/legacy/schemas.ts';
import { Redactor } from '../../app/logging/redact.ts';
import { toV8WireSimulation } from '../../app/use-cases/legacy/v8-wire.ts';

// The pure pieces of the old routes: what old callers' values mean, and the old error envelope.

const CPF = '12345678909';

describe('old request values', () => {
  const cases: [unknown, number | string][] = [
    [300, 300],
    ['300', 300],
    ['300,50', 300.5],
    ['300.50', 300.5],
    ['1.234,56', 1234.56],
    ['R$ 300,00', 300],
    [100_000, 100_000],
    [0, 'maior que zero'],
    [-1, 'maior que zero'],
    ['abc', 'maior que zero'],
    ['', 'maior que zero'],
    ['1e5', 'maior que zero'],
    [Number.POSITIVE_INFINITY, 'deve ser um número'],
    [100_000.01, 'no máximo 100000'],
    ['999999999', 'no máximo 100000'],
    [true, 'deve ser um número'],
  ];
  for (const [valor, want] of cases) {
    test(`valor ${JSON.stringify(valor)} -> ${want}`, () => {
      if (typeof want === 'number') {
        assert.equal(parseLegacy(fluxoInput, { cpf: CPF, valor }).valor, want);
        return;
      }
      assert.throws(
        () => parseLegacy(fluxoInput, { cpf: CPF, valor }),
        (e: AppError) => e.fields?.[0]?.field === 'valor' && e.fields[0].reason.includes(want),
      );
    });
  }

  test('CPF with punctuation or as a number; prazo as text; valor and installment_face_value are the same thing', () => {
    assert.equal(parseLegacy(fluxoInput, { cpf: '123.456.789-09' }).cpf, CPF);
    assert.equal(parseLegacy(fluxoInput, { cpf: 12345678909 }).cpf, CPF);
    assert.equal(parseLegacy(fluxoInput, { cpf: CPF, prazo: '24' }).prazo, 24);
    assert.throws(
      () => parseLegacy(personalizadaInput, { cpf: CPF, valor: 1, installment_face_value: 1, prazo: 12 }),
      (e: AppError) => e.fields?.[0]?.field === 'valor',
    );
    assert.throws(
      () => parseLegacy(fluxoInput, {}),
      (e: AppError) => e.fields?.[0]?.field === 'cpf' && e.fields[0].reason === 'é obrigatório',
    );
  });
});

describe('the old error envelope', () => {
  const r = new Redactor();
  const body = (e: AppError, noRoute = false) =>
    legacyErrorBody(e, { noRoute, path: '/clt/x', requestId: 'req-1' }, r);

  test('bad CPF: error "CPF inválido", message, campo/motivo, code', () => {
    const b = body(AppError.invalid([{ field: 'cpf', reason: 'CPF deve ter 11 dígitos' }]));
    assert.deepEqual(
      [b.success, b.error, b.code, b.campo, b.motivo, b.resultado],
      [false, 'CPF inválido', 'invalid_data', 'cpf', 'CPF deve ter 11 dígitos', null],
    );
    assert.match(b.message as string, /^Dados inválidos: cpf CPF deve ter 11 dígitos/);
  });

  test('unknown route: the old {error: "Rota não encontrada", path}', () => {
    const b = body(new AppError('not_found', 'no route for GET /clt/x'), true);
    assert.deepEqual([b.error, b.path], ['Rota não encontrada', '/clt/x']);
  });

  test('broken JSON: the old "JSON inválido" / "O JSON enviado está malformado"', () => {
    const b = body(toAppError({ type: 'entity.parse.failed' }));
    assert.deepEqual([b.error, b.message], ['JSON inválido', 'O JSON enviado está malformado']);
  });

  test("an old route's own texts win; internals never leak", () => {
    const own = body(
      new AppError('not_found', 'x', {
        status: 500,
        detail: { legacyMessage: 'Erro ao atualizar', legacyErro: 'não há' },
      }),
    );
    assert.deepEqual([own.message, own.erro], ['Erro ao atualizar', 'não há']);
    const internal = body(new AppError('internal', 'TypeError: secret stack'));
    assert.deepEqual([internal.error, internal.message], ['Erro interno do servidor', 'Algo deu errado']);
  });

  test("an old route's own resultado is answered with its error (else null)", () => {
    const e = oldError('upstream_error', 'O Kentro não confirmou o envio', {
      erro: 'HTTP 500',
      resultado: { status: 'incerta', outbox_id: 7 },
    });
    const b = body(e);
    assert.deepEqual(
      [b.code, b.message, b.erro],
      ['upstream_error', 'O Kentro não confirmou o envio', 'HTTP 500'],
    );
    assert.deepEqual(b.resultado, { status: 'incerta', outbox_id: 7 });
    assert.equal(body(oldError('upstream_error', 'sem resultado')).resultado, null);
  });
});

describe("V8's simulation answer in V8's names", () => {
  test('rebuilt from the typed answer; an old body in V8 names is kept as is', () => {
    const w = toV8WireSimulation({
      id: 's-1',
      installmentValue: 300,
      installments: 24,
      disbursedAmount: 5000,
      operationAmount: 7200,
    });
    assert.deepEqual(
      [
        w?.id_simulation,
        w?.installment_face_value,
        w?.number_of_installments,
        w?.disbursement_amount,
        w?.operation_amount,
      ],
      ['s-1', 300, 24, 5000, 7200],
    );
    const old = { id_simulation: 'x', installment_face_value: 1 };
    assert.deepEqual(toV8WireSimulation(old), old);
    assert.equal(toV8WireSimulation(null), null);
  });
});
