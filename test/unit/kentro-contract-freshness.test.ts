import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { deriveKentroContract, renderKentroContract } from '../../scripts/lib/kentro-contract.ts';
import { KENTRO_CONTRACT_FILE } from '../support/kentro-spec.ts';

// The only reader of the official spec outside the repository: a developer's machine has it beside
// the checkout, a user's clone does not, and then this freshness check is skipped (and says so).
const SPEC = path.resolve(import.meta.dirname, '../../../shared/reference/kentro-openapi-crm.yaml');
const specAtHand = existsSync(SPEC);

test('test/fixtures/kentro-contract.json is derived from the current Kentro spec (regenerate: node scripts/gen-kentro-contract.ts <spec>)', {
  skip: specAtHand
    ? false
    : `skipped: no Kentro spec at ${SPEC} (fresh clone), the committed fixture is used as is`,
}, () => {
  const committed = readFileSync(KENTRO_CONTRACT_FILE, 'utf8');
  assert.equal(committed, renderKentroContract(deriveKentroContract(readFileSync(SPEC, 'utf8'))));
});

test('the derivation keeps facts and drops prose', () => {
  const spec = `
openapi: 3.0.1
info: {title: T, version: '1'}
paths:
  /int/op:
    post:
      summary: prose
      requestBody:
        content:
          application/json:
            schema:
              type: object
              description: prose
              required: [a]
              properties:
                a: {$ref: '#/components/schemas/A'}
                description: {type: string, example: x}
      responses:
        '200': {description: ok}
        '400':
          content:
            application/json:
              schema: {type: object, properties: {message: {type: string}}}
  /int/other:
    get: {responses: {'200': {description: ok}}}
components:
  schemas:
    A: {type: integer, format: int32, enum: [1, 2], example: 1}
`;
  const c = deriveKentroContract(spec);
  assert.deepEqual(Object.keys(c.operations), ['op']);
  assert.deepEqual(c.operations.op?.request, {
    type: 'object',
    required: ['a'],
    properties: { a: { type: 'integer', format: 'int32', enum: [1, 2] }, description: { type: 'string' } },
  });
  assert.deepEqual(c.operations.op?.responses, {
    '200': null,
    '400': { type: 'object', properties: { message: { type: 'string' } } },
  });
  assert.match(c.source.sha256, /^[0-9a-f]{64}$/);
});
