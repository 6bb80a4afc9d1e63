import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  isHtml,
  kentroBadAnswer,
  kentroHttpError,
  kentroNetworkError,
  scrub,
} from '../../app/adapters/kentro/kentro-errors.ts';

const KEY = 'c4a7a2y0000000000000000000000000';

describe('kentroHttpError: Kentro answers -> AppError codes', () => {
  const body = (code: string | undefined, message: string) =>
    JSON.stringify(code ? { message, code } : { message });
  const cases: [number, string, string][] = [
    [400, body('GENERIC_001', 'apiKey e/ou queueId faltando'), 'invalid_data'],
    [401, body('AUTH_018', 'chave inválida'), 'auth_failed'],
    [401, body('AUTH_001', 'instância bloqueada'), 'auth_failed'],
    [401, body('AUTH_014', 'API desabilitada'), 'auth_failed'],
    [401, body('AUTH_021', 'IP não autorizado'), 'auth_failed'],
    [503, body('QUEUE_008', 'fila desabilitada'), 'upstream_unavailable'],
    // Code only inside the message text, or no code at all: the status decides.
    [401, body(undefined, 'AUTH_018 - chave inválida'), 'auth_failed'],
    [401, '', 'auth_failed'],
    [400, body(undefined, 'Dados obrigatórios faltando'), 'invalid_data'],
    [404, body(undefined, 'Oportunidade não encontrada'), 'not_found'],
    [500, body(undefined, 'Erro interno do servidor'), 'upstream_unavailable'],
    [502, '<html>bad gateway</html>', 'upstream_unavailable'],
    [503, body(undefined, 'Fila indisponível'), 'upstream_unavailable'],
    [403, body(undefined, 'Já há um atendimento aberto'), 'upstream_error'],
    [422, body(undefined, 'transição não permitida'), 'upstream_error'],
    [429, 'slow down', 'upstream_error'],
  ];
  for (const [status, text, code] of cases) {
    it(`${status} ${text.slice(0, 40)} -> ${code}`, () => {
      const e = kentroHttpError('getOpportunity', status, text, KEY);
      assert.equal(e.code, code);
      const detail = e.detail as { operation: string; httpStatus: number };
      assert.equal(detail.operation, 'getOpportunity');
      assert.equal(detail.httpStatus, status);
    });
  }

  it("keeps Kentro's own code and message as detail", () => {
    const e = kentroHttpError('createOpportunity', 401, body('AUTH_018', 'chave inválida'), KEY);
    assert.deepEqual(e.detail, {
      operation: 'createOpportunity',
      httpStatus: 401,
      kentroCode: 'AUTH_018',
      kentroMessage: 'chave inválida',
    });
    assert.match(e.message, /AUTH_018/);
    assert.match(e.message, /KENTRO_API_KEY/);
  });

  it('never carries the apiKey, even when Kentro echoes it', () => {
    const echoed = JSON.stringify({
      message: `key ${KEY} is not valid for queue 25; apiKey=${KEY}`,
      code: 'AUTH_018',
    });
    const e = kentroHttpError('getOpportunity', 401, echoed, KEY);
    for (const text of [e.message, JSON.stringify(e.detail), inspect(e, { depth: 10 }), String(e.stack)]) {
      assert.ok(!text.includes(KEY), text);
    }
  });
});

describe('scrub', () => {
  it('cuts the key, key=value pairs, and long text', () => {
    assert.equal(scrub(`a ${KEY} b`, KEY), 'a [REDACTED] b');
    assert.equal(scrub('"apiKey":"other-key-123"', KEY), '"apiKey":"[REDACTED]"');
    assert.ok(scrub('x'.repeat(1000), KEY).length <= 301);
  });
});

describe('isHtml', () => {
  it('recognises the web app page by content-type or by its first bytes', () => {
    assert.equal(isHtml('text/html; charset=utf-8', '{}'), true);
    assert.equal(isHtml(undefined, '  <!DOCTYPE html><html>'), true);
    assert.equal(isHtml('application/json', '<html><body>'), true);
    assert.equal(isHtml('application/json', '{"id":1}'), false);
  });
});

describe('kentroBadAnswer / kentroNetworkError', () => {
  it('an HTML 200 is an upstream_error that points at the base URL', () => {
    const e = kentroBadAnswer('getPipeOpportunities', 200, 'html');
    assert.equal(e.code, 'upstream_error');
    assert.match(e.message, /HTML/);
    assert.match(e.message, /KENTRO_BASE_URL/);
  });
  it('timeouts and refused connections are upstream_unavailable without a cause', () => {
    const timeout = kentroNetworkError('getOpportunity', { name: 'TimeoutError', code: 'ETIMEDOUT' }, 1500);
    assert.equal(timeout.code, 'upstream_unavailable');
    assert.match(timeout.message, /1500 ms/);
    assert.equal(timeout.cause, undefined);
    const refused = kentroNetworkError(
      'getOpportunity',
      { name: 'RequestError', code: 'ECONNREFUSED' },
      1500,
    );
    assert.equal(refused.code, 'upstream_unavailable');
    assert.match(refused.message, /ECONNREFUSED/);
  });
});
