import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import type { ConsultQuery, V8Client, V8Consult } from '../../app/adapters/v8/v8-client.ts';
import { AppError } from '../../app/domain/app-error.ts';
import { createConsult } from '../../app/use-cases/create-consult.ts';

const CPF = '52998224725';
const cmd = {
  cpf: CPF,
  name: 'MARIA',
  birthDate: '1990-04-15',
  gender: 'female' as const,
  email: 'm@example.com',
  phone: { countryCode: '55', areaCode: '11', phoneNumber: '912345678' },
};

const consult = (id: string, documentNumber: string, status: string): V8Consult => ({
  id,
  status,
  documentNumber,
  description: null,
  name: undefined,
  availableMarginValue: undefined,
  marginBaseValue: undefined,
  admissionDateMonthsDifference: undefined,
  simulationLimit: undefined,
  employerName: undefined,
  createdAt: undefined,
  updatedAt: undefined,
});

/** A fake V8Client: only what the use case touches is implemented. */
function fakeV8(createError: AppError | undefined, listed: V8Consult[]) {
  const queries: ConsultQuery[] = [];
  const client = {
    createConsult: async () => {
      if (createError) throw createError;
      return { id: 'new', status: 'WAITING_CONSENT' };
    },
    listConsults: async (q: ConsultQuery) => {
      queries.push(q);
      return { items: listed };
    },
  } as unknown as V8Client;
  return { client, queries };
}

const activeError = () =>
  new AppError('already_exists', 'V8 says it already exists (create consult): Já existe uma consulta ativa', {
    detail: { type: 'consult_already_exists_by_user_and_document_number' },
  });

const ctx = { defaultProvider: 'QI' as const, clock: new ManualClock(Date.parse('2026-01-31T00:00:00Z')) };

test('a new consult is returned as created', async () => {
  const { client, queries } = fakeV8(undefined, []);
  assert.deepEqual(await createConsult(client, cmd, ctx), {
    id: 'new',
    status: 'WAITING_CONSENT',
    existing: false,
  });
  assert.equal(queries.length, 0);
});

test('an active consult is looked up by CPF: exact match only, open one preferred', async () => {
  const { client, queries } = fakeV8(activeError(), [
    consult('other-cpf', '52998224700', 'WAITING_CONSENT'),
    consult('old-done', CPF, 'SUCCESS'),
    consult('open', CPF, 'WAITING_CREDIT_ANALYSIS'),
  ]);
  assert.deepEqual(await createConsult(client, cmd, ctx), {
    id: 'open',
    status: 'WAITING_CREDIT_ANALYSIS',
    existing: true,
  });
  assert.equal(queries[0]?.search, CPF);
  assert.equal(queries[0]?.provider, 'QI');
  assert.equal(queries[0]?.endDate, '2026-01-31T00:00:00.000Z');
  assert.equal(queries[0]?.startDate, '2025-12-31T00:00:00.000Z');
});

test('when the list does not show it, the original already_exists error is kept', async () => {
  const err = activeError();
  const { client } = fakeV8(err, [consult('x', '52998224700', 'WAITING_CONSENT')]);
  await assert.rejects(createConsult(client, cmd, ctx), (e) => e === err);
});

test('other errors are not turned into a lookup', async () => {
  const { client, queries } = fakeV8(new AppError('rejected', 'minimum age'), []);
  await assert.rejects(createConsult(client, cmd, ctx), /minimum age/);
  assert.equal(queries.length, 0);
});
