import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkKentroRequest, checkKentroResponse, kentroSpec } from '../support/kentro-spec.ts';

// The spec helper must itself catch the mistakes it exists for.
describe('kentro-spec helper', () => {
  it('knows the CRM operations of the spec', () => {
    const ops = kentroSpec().operations();
    for (const op of [
      'getPipeOpportunities',
      'getOpportunity',
      'createOpportunity',
      'updateOpportunity',
      'changeOpportunityStage',
      'insertOpportunityNote',
      'sendWaTemplate',
    ]) {
      assert.ok(ops.includes(op), op);
    }
  });

  it('accepts a documented body', () => {
    const r = checkKentroRequest('createOpportunity', {
      queueId: 25,
      apiKey: 'k',
      responsableid: 0,
      title: 'MARIA',
      fkPipeline: 4,
      value: 541280,
      formsdata: { '98011220': '12345678909' },
    });
    assert.deepEqual(r, { ok: true, errors: [] });
  });

  it('rejects missing required fields, wrong types, reais floats, int32 overflow and undocumented fields', () => {
    assert.equal(checkKentroRequest('createOpportunity', { queueId: 25, apiKey: 'k', title: 'x' }).ok, false);
    assert.equal(checkKentroRequest('getOpportunity', { queueId: '25', apiKey: 'k', id: 1 }).ok, false);
    const float = checkKentroRequest('updateOpportunity', { queueId: 25, apiKey: 'k', id: 1, value: 5412.8 });
    assert.equal(float.ok, false);
    assert.match(float.errors.join(), /\/value/);
    assert.equal(
      checkKentroRequest('updateOpportunity', { queueId: 25, apiKey: 'k', id: 1, value: 2 ** 31 }).ok,
      false,
    );
    const extra = checkKentroRequest('updateOpportunity', { queueId: 25, apiKey: 'k', id: 1, fkStage: 21 });
    assert.equal(extra.ok, false);
    assert.match(extra.errors.join(), /fkStage/);
    // ...unless asked to allow them (the spec itself does not forbid extra properties).
    assert.equal(
      checkKentroRequest(
        'updateOpportunity',
        { queueId: 25, apiKey: 'k', id: 1, fkStage: 21 },
        { noExtraProperties: false },
      ).ok,
      true,
    );
    assert.equal(
      checkKentroRequest('sendWaTemplate', {
        queueId: 25,
        apiKey: 'k',
        number: '5511912345678',
        templateId: 1,
      }).ok,
      false,
    );
  });

  it('validates answers, with $refs inlined', () => {
    assert.equal(checkKentroResponse('getOpportunity', 200, { id: 1, title: 'x', formsdata: {} }).ok, true);
    assert.equal(checkKentroResponse('getOpportunity', 200, { id: '1' }).ok, false);
    assert.equal(checkKentroResponse('getPipeOpportunities', 200, [{ id: 1 }]).ok, true);
    assert.equal(checkKentroResponse('getPipeOpportunities', 200, { id: 1 }).ok, false);
    assert.equal(checkKentroResponse('updateOpportunity', 404, { message: 'não encontrada' }).ok, true);
    assert.equal(checkKentroResponse('insertOpportunityNote', 200, undefined).ok, true);
  });
});
