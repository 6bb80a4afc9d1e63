import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ConsultRefusal,
  classifyConsultRefusal,
  classifyV8Failure,
  type V8ErrorCode,
  type V8Failure,
  v8AppError,
} from '../../app/domain/v8-error-classification.ts';

const http = (status: number, body: unknown, endpoint: 'auth' | 'bff' = 'bff'): V8Failure => ({
  kind: 'http',
  status,
  body,
  endpoint,
});

const TABLE: [name: string, failure: V8Failure, code: V8ErrorCode, v8Type?: string, breaker?: boolean][] = [
  [
    'active consult',
    http(400, {
      type: 'consult_already_exists_by_user_and_document_number',
      title: 'Bad Request',
      status: 400,
      detail: 'Já existe uma consulta ativa para este documento.',
    }),
    'already_exists',
    'consult_already_exists_by_user_and_document_number',
  ],
  [
    'already approved',
    http(400, { type: 'consult_already_approved', message: 'Consulta já aprovada ID 6b1f9c2e' }),
    'already_exists',
    'consult_already_approved',
  ],
  ['active consult by text only', http(400, { message: 'Já existe uma consulta ativa' }), 'already_exists'],
  ['duplicate proposal', http(400, { message: 'Proposta já existente para o cliente' }), 'already_exists'],
  [
    'simulation exists',
    http(400, { type: 'simulation_already_exists' }),
    'already_exists',
    'simulation_already_exists',
  ],
  ['plain 409', http(409, ''), 'already_exists'],
  [
    'above margin',
    http(400, { type: 'simulation_installment_value_above_margin', detail: 'Valor acima da margem' }),
    'rejected',
    'simulation_installment_value_above_margin',
  ],
  [
    'term above maximum',
    http(400, { type: 'simulation_installments_above_maximum', detail: 'máximo de 48 parcelas' }),
    'rejected',
    'simulation_installments_above_maximum',
  ],
  ['not eligible', http(400, { type: 'simulation_not_eligible' }), 'rejected', 'simulation_not_eligible'],
  [
    'minimum age',
    http(400, { type: 'age_validation_minimum_age_not_reached' }),
    'rejected',
    'age_validation_minimum_age_not_reached',
  ],
  ['still in analysis', http(400, { message: 'Consulta ainda em análise' }), 'analysis_pending'],
  [
    'still in analysis (detail, no accents)',
    http(422, { detail: 'A consulta ainda esta em analise, tente mais tarde' }),
    'analysis_pending',
  ],
  [
    'nest validation array',
    http(400, {
      message: ['signerPhone.phoneNumber must be a string'],
      error: 'Bad Request',
      statusCode: 400,
    }),
    'invalid_data',
  ],
  [
    'both amounts 422',
    http(422, { message: 'only one of installment_face_value, disbursed_amount' }),
    'invalid_data',
  ],
  ['reasons list', http(400, { reasons: [{ description: 'CPF inválido' }] }), 'invalid_data'],
  ['not found', http(404, { message: 'Not Found' }), 'not_found'],
  ['429 plain text', http(429, 'Limite de requisições excedido'), 'rate_limited'],
  ['rate limit text on a 400', http(400, { message: 'Limite de requisições excedido' }), 'rate_limited'],
  ['BFF 401 (after the one re-auth)', http(401, { message: 'Unauthorized' }), 'auth_failed'],
  ['BFF 403', http(403, ''), 'auth_failed'],
  [
    'auth wrong password',
    http(403, { error: 'invalid_grant', error_description: 'Wrong email or password.' }, 'auth'),
    'auth_failed',
    'invalid_grant',
  ],
  ['auth bad client', http(401, { error: 'invalid_client' }, 'auth'), 'auth_failed', 'invalid_client'],
  [
    'auth missing audience',
    http(400, { error: 'invalid_request' }, 'auth'),
    'auth_failed',
    'invalid_request',
  ],
  ['auth rate limit', http(429, { error: 'too_many_attempts' }, 'auth'), 'rate_limited', 'too_many_attempts'],
  ['auth 503', http(503, '', 'auth'), 'upstream_unavailable', undefined, true],
  ['502', http(502, '<html>bad gateway</html>'), 'upstream_unavailable', undefined, true],
  ['503', http(503, ''), 'upstream_unavailable', undefined, true],
  ['504', http(504, ''), 'upstream_unavailable', undefined, true],
  ['500', http(500, { message: 'Internal server error' }), 'upstream_error', undefined, true],
  ['418 odd status', http(418, ''), 'upstream_error'],
  ['timeout', { kind: 'timeout' }, 'timeout', undefined, true],
  ['network', { kind: 'network', code: 'ECONNREFUSED' }, 'upstream_unavailable', undefined, true],
];

for (const [name, failure, code, v8Type, breaker = false] of TABLE) {
  test(`classify: ${name} -> ${code}`, () => {
    const c = classifyV8Failure(failure);
    assert.equal(c.code, code);
    assert.equal(c.v8Type, v8Type);
    assert.equal(c.upstreamFailure, breaker);
  });
}

test('the AppError keeps V8 type/title/detail/message as detail and uses V8 text in the message', () => {
  const c = classifyV8Failure(
    http(400, {
      type: 'simulation_installment_value_above_margin',
      title: 'Bad Request',
      detail: 'Valor da parcela acima da margem disponível',
      message: 'Valor da parcela acima da margem disponível',
      extra: { ignored: true },
    }),
  );
  const err = v8AppError('simulate', c);
  assert.equal(err.code, 'rejected');
  assert.equal(err.status, 422);
  assert.match(err.message, /simulate.*acima da margem/);
  assert.deepEqual(err.detail, {
    v8Status: 400,
    type: 'simulation_installment_value_above_margin',
    title: 'Bad Request',
    detail: 'Valor da parcela acima da margem disponível',
    message: 'Valor da parcela acima da margem disponível',
  });
});

test('rate_limited carries Retry-After; auth_failed names the keys to check, never values', () => {
  const limited = v8AppError(
    'list consults',
    classifyV8Failure(http(429, 'Limite de requisições excedido')),
    7,
  );
  assert.equal(limited.status, 429);
  assert.equal(limited.retryAfterS, 7);
  const auth = v8AppError('authenticate', classifyV8Failure(http(403, { error: 'invalid_grant' }, 'auth')));
  assert.equal(auth.status, 502);
  assert.match(auth.message, /V8_USERNAME, V8_PASSWORD/);
});

const REFUSALS: [status: string, description: string | null, expected: ConsultRefusal | undefined][] = [
  ['SUCCESS', null, undefined],
  ['REJECTED', 'Data de nascimento não confere', { kind: 'needs_data', field: 'birthDate' }],
  ['REJECTED', 'data de nascimento divergente', { kind: 'needs_data', field: 'birthDate' }],
  ['REJECTED', 'Nome não confere com a base', { kind: 'needs_data', field: 'name' }],
  ['REJECTED', 'Sexo informado não confere', { kind: 'needs_data', field: 'gender' }],
  ['REJECTED', 'Dados cadastrais divergentes', { kind: 'needs_data', field: 'registration' }],
  ['REJECTED', 'Consulta de margem bloqueada pelo trabalhador', { kind: 'blocked_by_worker' }],
  ['REJECTED', 'O trabalhador bloqueou a consulta de margem', { kind: 'blocked_by_worker' }],
  ['REJECTED', 'Trabalhador não elegível para o Crédito do Trabalhador', { kind: 'no_margin' }],
  ['REJECTED', null, { kind: 'no_margin' }],
  ['REJECTED', 'Consulta ainda em análise', { kind: 'analysis_pending' }],
  ['FAILED', 'Falha ao consultar os dados do trabalhador na fonte pagadora', { kind: 'failed' }],
  ['FAILED', 'ainda em analise', { kind: 'analysis_pending' }],
  ['ERROR', null, { kind: 'failed' }],
  ['rejected', 'nascimento não confere', { kind: 'needs_data', field: 'birthDate' }],
];

for (const [status, description, expected] of REFUSALS) {
  test(`consult ${status} "${description ?? ''}" -> ${expected?.kind ?? 'not a refusal'}`, () => {
    assert.deepEqual(classifyConsultRefusal(status, description), expected);
  });
}
