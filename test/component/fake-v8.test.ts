import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_ACCOUNTS,
  DEFAULT_AUDIENCE,
  DEFAULT_CLIENT_ID,
  DEFAULT_SCENARIOS,
  type FakeV8Handle,
  fallbackScenario,
  isValidCpf,
  parseAccounts,
  SIMULATION_CONFIGS,
  startFakeV8,
} from '../../sandbox/fake-v8/fake-v8-server.ts';

const [A, B] = DEFAULT_ACCOUNTS as [
  { username: string; password: string },
  { username: string; password: string },
];
const CPF = {
  success: '12345678062',
  shortTenure: '34567890256',
  birthCheck: '45678901320',
  pendingOp: '56789012494',
  rejected: '11122233639',
  failed: '33344455770',
  hang: '44455566880',
  noMargin: '55566677991',
};
const STANDARD_CONFIG = SIMULATION_CONFIGS[0]?.id ?? '';

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read loosely shaped JSON answers
  body: any;
  headers: Headers;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
  return { status: res.status, body, headers: res.headers };
}

function tokenForm(overrides: Record<string, string | undefined> = {}, account = A): URLSearchParams {
  const fields: Record<string, string | undefined> = {
    grant_type: 'password',
    username: account.username,
    password: account.password,
    audience: DEFAULT_AUDIENCE,
    scope: 'offline_access',
    client_id: DEFAULT_CLIENT_ID,
    ...overrides,
  };
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, v);
  return form;
}

const requestToken = (fake: FakeV8Handle, form: URLSearchParams) =>
  call(`${fake.url}/oauth/token`, { method: 'POST', body: form });

async function login(fake: FakeV8Handle, account = A): Promise<string> {
  const r = await requestToken(fake, tokenForm({}, account));
  assert.equal(r.status, 200);
  return r.body.access_token as string;
}

function api(fake: FakeV8Handle, token: string | null) {
  return (method: string, path: string, body?: unknown) =>
    call(`${fake.url}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
}

function consultBody(cpf: string, overrides: Record<string, unknown> = {}) {
  return {
    borrowerDocumentNumber: cpf,
    gender: 'female',
    birthDate: '1990-04-15',
    signerName: 'MARIA TESTE DA SILVA',
    signerEmail: 'maria.teste@example.com',
    signerPhone: { phoneNumber: '912345678', countryCode: '55', areaCode: '11' },
    provider: 'QI',
    ...overrides,
  };
}

function operationBody(simulationId: string, cpf: string) {
  return {
    simulation_id: simulationId,
    provider: 'QI',
    borrower: {
      name: 'MARIA TESTE DA SILVA',
      email: 'maria.teste@example.com',
      phone: { country_code: '55', area_code: '11', number: '912345678' },
      political_exposition: false,
      address: {
        street: 'Rua Exemplo',
        number: '100',
        complement: 'Apto 1',
        neighborhood: 'Centro',
        city: 'São Paulo',
        state: 'SP',
        postal_code: '01000000',
      },
      birth_date: '1990-04-15',
      mother_name: 'ANA TESTE DA SILVA',
      nationality: 'brazilian',
      document_issuer: 'SSP',
      gender: 'female',
      person_type: 'natural',
      marital_status: 'single',
      individual_document_number: cpf,
      document_identification_date: '2015-01-20',
      document_identification_type: 'rg',
      document_identification_number: '000000000',
      bank: { transfer_method: 'pix', pix_key: cpf, pix_key_type: 'cpf' },
    },
  };
}

type Api = ReturnType<typeof api>;

/** Creates and authorizes a consult, then fires every pending step. */
async function settledConsult(
  fake: FakeV8Handle,
  v8: Api,
  cpf: string,
  overrides: Record<string, unknown> = {},
) {
  const created = await v8('POST', '/private-consignment/consult', consultBody(cpf, overrides));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as string;
  assert.equal((await v8('POST', `/private-consignment/consult/${id}/authorize`)).status, 200);
  fake.advance({ kind: 'consult', id, untilIdle: true });
  return (await v8('GET', `/private-consignment/consult/${id}`)).body;
}

/** A local webhook receiver on 127.0.0.1. */
async function startReceiver(status = 200) {
  // biome-ignore lint/suspicious/noExplicitAny: webhook payloads are read loosely
  const received: { path: string; body: any; headers: Record<string, unknown> }[] = [];
  const state = { status };
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => {
      data += c.toString();
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(data || 'null'), headers: req.headers });
      res.writeHead(state.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('fake V8', () => {
  let fake: FakeV8Handle;

  before(async () => {
    fake = await startFakeV8({ autoAdvance: false, stepMs: 5, operationStepMs: 5, webhookRetryMs: 10 });
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  describe('oauth', () => {
    test('issues unique Bearer tokens for form and JSON bodies', async () => {
      const first = await requestToken(fake, tokenForm());
      assert.equal(first.status, 200);
      assert.equal(first.body.token_type, 'Bearer');
      assert.equal(first.body.expires_in, 86400);
      assert.equal(first.body.scope, 'offline_access');
      assert.match(first.body.access_token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
      const json = await call(`${fake.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(Object.fromEntries(tokenForm({ scope: 'online_access' }))),
      });
      assert.equal(json.status, 200);
      assert.equal(json.body.scope, 'online_access');
      assert.notEqual(json.body.access_token, first.body.access_token);
      assert.equal(fake.stats().tokenRequests[A.username], 2);
      assert.equal(fake.stats().tokensIssued[A.username], 2);
    });

    test('answers each documented error in the Auth0 shape', async () => {
      const cases: [Record<string, string | undefined>, number, string, RegExp?][] = [
        [{ password: 'wrong' }, 403, 'invalid_grant', /^Wrong email or password\.$/],
        [{ username: 'nobody@example.com' }, 403, 'invalid_grant', /^Wrong email or password\.$/],
        [{ client_id: 'NotTheClientId000000000000000000' }, 401, 'invalid_client'],
        [{ audience: 'https://other.example.com' }, 403, 'access_denied', /invalid audience specified/i],
        [{ audience: undefined }, 403, 'access_denied', /invalid audience specified/i],
        [{ password: undefined }, 400, 'invalid_request', /password/],
        [{ grant_type: undefined }, 400, 'invalid_request'],
        [{ grant_type: 'client_credentials' }, 400, 'unsupported_grant_type'],
      ];
      for (const [overrides, status, error, description] of cases) {
        const r = await requestToken(fake, tokenForm(overrides));
        assert.equal(r.status, status, JSON.stringify(overrides));
        assert.equal(r.body.error, error);
        assert.equal(typeof r.body.error_description, 'string');
        if (description) assert.match(r.body.error_description, description);
      }
      assert.equal(fake.stats().tokensIssued[A.username], undefined);
    });

    test('honours the configured token lifetime and wrong-password status', async () => {
      fake.configure({ tokenTtlS: 60, wrongPasswordStatus: 401 });
      assert.equal((await requestToken(fake, tokenForm())).body.expires_in, 60);
      assert.equal((await requestToken(fake, tokenForm({ password: 'x' }))).status, 401);
    });
  });

  describe('bearer auth', () => {
    test('401 without, with an unknown, an expired or a revoked token', async () => {
      const anonymous = await api(fake, null)('GET', '/private-consignment/simulation/configs');
      assert.equal(anonymous.status, 401);
      assert.deepEqual(anonymous.body, { message: 'Unauthorized' });
      assert.equal(
        (await api(fake, 'eyJnot.a.token')('GET', '/private-consignment/simulation/configs')).status,
        401,
      );

      const token = await login(fake);
      assert.equal((await api(fake, token)('GET', '/private-consignment/simulation/configs')).status, 200);
      fake.advanceClock(86_400_000);
      assert.equal((await api(fake, token)('GET', '/private-consignment/simulation/configs')).status, 401);

      const fresh = await login(fake);
      assert.equal((await api(fake, fresh)('GET', '/private-consignment/simulation/configs')).status, 200);
      assert.equal(fake.revokeTokens(), 1);
      assert.equal((await api(fake, fresh)('GET', '/private-consignment/simulation/configs')).status, 401);
      assert.equal(
        (await api(fake, await login(fake))('GET', '/private-consignment/simulation/configs')).status,
        200,
      );
    });

    test('expireTokens forces a 401 mid-session for one account only', async () => {
      const a = await login(fake, A);
      const b = await login(fake, B);
      assert.equal(fake.expireTokens(A.username), 1);
      assert.equal((await api(fake, a)('GET', '/private-consignment/consult')).status, 401);
      assert.equal((await api(fake, b)('GET', '/private-consignment/consult')).status, 200);
    });
  });

  describe('consults', () => {
    let v8: Api;
    beforeEach(async () => {
      v8 = api(fake, await login(fake));
    });

    test('walks WAITING_CONSENT -> ... -> SUCCESS with margin as a string', async () => {
      const created = await v8('POST', '/private-consignment/consult', consultBody(CPF.success));
      assert.equal(created.status, 201);
      const id = created.body.id as string;
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.equal((await v8('GET', `/private-consignment/consult/${id}`)).body.status, 'WAITING_CONSENT');

      const authorized = await v8('POST', `/private-consignment/consult/${id}/authorize`);
      assert.equal(authorized.status, 200);
      assert.equal(authorized.body, 'Successful response');
      const seen = [(await v8('GET', `/private-consignment/consult/${id}`)).body.status];
      while (fake.advance({ kind: 'consult', id }) > 0) {
        seen.push((await v8('GET', `/private-consignment/consult/${id}`)).body.status);
      }
      assert.deepEqual(seen, ['CONSENT_APPROVED', 'WAITING_CONSULT', 'WAITING_CREDIT_ANALYSIS', 'SUCCESS']);

      const one = (await v8('GET', `/private-consignment/consult/${id}`)).body;
      assert.equal(one.availableMarginValue, '512.37');
      assert.equal(one.description, null);
      assert.equal(typeof one.admissionDateMonthsDifference, 'number');
      assert.deepEqual(Object.keys(one.simulationLimit).sort(), [
        'installmentsMax',
        'installmentsMin',
        'monthMax',
        'monthMin',
        'valueMax',
        'valueMin',
      ]);

      const start = new Date(Date.now() - 86_400_000).toISOString();
      const end = new Date(Date.now() + 86_400_000).toISOString();
      const list = await v8(
        'GET',
        `/private-consignment/consult?startDate=${start}&endDate=${end}&limit=50&page=1&provider=QI&search=${CPF.success}`,
      );
      assert.equal(list.status, 200);
      assert.equal(list.body.data.length, 1);
      assert.equal(list.body.data[0].id, id);
      assert.equal(list.body.data[0].documentNumber, CPF.success);
      assert.equal(list.body.data[0].availableMarginValue, '512.37');
      assert.equal((await v8('GET', '/private-consignment/consult?status=REJECTED')).body.data.length, 0);
    });

    test('ends REJECTED / FAILED with a description, or hangs, per scenario', async () => {
      const rejected = await settledConsult(fake, v8, CPF.rejected);
      assert.equal(rejected.status, 'REJECTED');
      assert.equal(rejected.description, DEFAULT_SCENARIOS[CPF.rejected]?.description);
      assert.equal(rejected.availableMarginValue, null);
      const failed = await settledConsult(fake, v8, CPF.failed);
      assert.equal(failed.status, 'FAILED');
      assert.ok(failed.description);
      assert.equal((await settledConsult(fake, v8, CPF.hang)).status, 'WAITING_CREDIT_ANALYSIS');
    });

    test('REJECTED "Data de nascimento não confere" on a birth date mismatch', async () => {
      const wrong = await settledConsult(fake, v8, CPF.birthCheck, { birthDate: '1990-01-01' });
      assert.equal(wrong.status, 'REJECTED');
      assert.equal(wrong.description, 'Data de nascimento não confere');
      const other = api(fake, await login(fake, B));
      const right = await settledConsult(fake, other, CPF.birthCheck, { birthDate: '1985-06-15' });
      assert.equal(right.status, 'SUCCESS');
    });

    test('400 consult_already_exists for an active consult of the same account, scoped per account', async () => {
      const first = await v8('POST', '/private-consignment/consult', consultBody(CPF.success));
      const again = await v8('POST', '/private-consignment/consult', consultBody(CPF.success));
      assert.equal(again.status, 400);
      assert.equal(again.body.type, 'consult_already_exists_by_user_and_document_number');
      assert.match(again.body.detail, /já existe uma consulta ativa/i);

      const other = api(fake, await login(fake, B));
      assert.equal(
        (await other('POST', '/private-consignment/consult', consultBody(CPF.success))).status,
        201,
      );
      assert.equal((await other('GET', `/private-consignment/consult/${first.body.id}`)).status, 404);
      const otherList = await other('GET', `/private-consignment/consult?search=${CPF.success}`);
      assert.equal(otherList.body.data.length, 1);
      assert.notEqual(otherList.body.data[0].id, first.body.id);
    });

    test('a REJECTED consult does not block a new one', async () => {
      await settledConsult(fake, v8, CPF.rejected);
      assert.equal((await v8('POST', '/private-consignment/consult', consultBody(CPF.rejected))).status, 201);
    });

    test('second authorize: 400 consult_already_approved with "ID <uuid>"', async () => {
      const { body } = await v8('POST', '/private-consignment/consult', consultBody(CPF.success));
      await v8('POST', `/private-consignment/consult/${body.id}/authorize`);
      const again = await v8('POST', `/private-consignment/consult/${body.id}/authorize`);
      assert.equal(again.status, 400);
      assert.equal(again.body.type, 'consult_already_approved');
      assert.match(again.body.detail, new RegExp(`ID ${body.id}`));
    });

    test('validates the create payload like the real API', async () => {
      const wrongPhone = await v8(
        'POST',
        '/private-consignment/consult',
        consultBody(CPF.success, { signerPhone: { number: '912345678', countryCode: '55', areaCode: '11' } }),
      );
      assert.equal(wrongPhone.status, 400);
      assert.ok(wrongPhone.body.message.includes('signerPhone.phoneNumber must be a string'));
      const badCpf = await v8('POST', '/private-consignment/consult', consultBody('12345678900'));
      assert.equal(badCpf.status, 400);
      const minor = await v8(
        'POST',
        '/private-consignment/consult',
        consultBody(CPF.success, { birthDate: new Date().toISOString().slice(0, 10) }),
      );
      assert.equal(minor.status, 400);
      assert.equal(minor.body.type, 'age_validation_minimum_age_not_reached');
    });

    test('hourly consult quota answers 429 until the hour has passed', async () => {
      fake.configure({ consultsPerHour: 1 });
      assert.equal((await v8('POST', '/private-consignment/consult', consultBody(CPF.success))).status, 201);
      const over = await v8('POST', '/private-consignment/consult', consultBody(CPF.rejected));
      assert.equal(over.status, 429);
      assert.ok(Number(over.headers.get('retry-after')) > 0);
      fake.advanceClock(3_600_001);
      assert.equal((await v8('POST', '/private-consignment/consult', consultBody(CPF.rejected))).status, 201);
    });

    test('the consult quota window is configurable; refusals are counted apart', async () => {
      fake.configure({ consultsPerHour: 2, consultQuotaWindowS: 20 });
      const create = (cpf: string) => v8('POST', '/private-consignment/consult', consultBody(cpf));
      assert.equal((await create(CPF.success)).status, 201);
      fake.advanceClock(5000);
      assert.equal((await create(CPF.rejected)).status, 201);
      const over = await create(CPF.failed);
      assert.equal(over.status, 429);
      assert.equal(over.headers.get('retry-after'), '15', 'the first one leaves the 20 s window in 15 s');
      assert.equal(fake.stats().quotaRefused[A.username], 1);
      fake.advanceClock(15_001);
      assert.equal((await create(CPF.failed)).status, 201);
      assert.equal(fake.stats().quotaRefused[A.username], 1);
    });

    test('basic client data by CPF', async () => {
      const r = await v8('GET', `/private-consignment/consult/client-data/basic/${CPF.birthCheck}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.birthDate, '1985-06-15');
      assert.equal(typeof r.body.name, 'string');
    });
  });

  describe('simulations', () => {
    let v8: Api;
    let consultId: string;
    beforeEach(async () => {
      v8 = api(fake, await login(fake));
      consultId = (await settledConsult(fake, v8, CPF.success)).id;
    });
    const sim = (body: Record<string, unknown>) =>
      v8('POST', '/private-consignment/simulation', {
        consult_id: consultId,
        config_id: STANDARD_CONFIG,
        number_of_installments: 24,
        provider: 'QI',
        ...body,
      });

    test('configs: {configs:[...]} by default, a plain array when configured', async () => {
      const obj = await v8('GET', '/private-consignment/simulation/configs');
      assert.equal(obj.body.configs[0].id, STANDARD_CONFIG);
      assert.equal(typeof obj.body.configs[0].monthly_interest_rate, 'string');
      fake.configure({ configsShape: 'array' });
      const arr = await v8('GET', '/private-consignment/simulation/configs');
      assert.ok(Array.isArray(arr.body));
    });

    test('both amount fields -> 422; neither -> the whole margin, numbers in the response', async () => {
      const both = await sim({ installment_face_value: 100, disbursed_amount: 1000 });
      assert.equal(both.status, 422);
      const neither = await sim({});
      assert.equal(neither.status, 201);
      assert.equal(neither.body.installment_value, 512.37);
      assert.equal(neither.body.number_of_installments, 24);
      assert.equal(typeof neither.body.disbursement_option.final_disbursement_amount, 'number');
      assert.match(neither.body.id_simulation, /^[0-9a-f-]{36}$/);
    });

    test('disbursed_amount gives that released value', async () => {
      const r = await sim({ disbursed_amount: 3000 });
      assert.equal(r.status, 201);
      assert.ok(Math.abs(r.body.disbursement_option.final_disbursement_amount - 3000) < 1);
    });

    test('margin and term errors', async () => {
      const above = await sim({ installment_face_value: 600 });
      assert.equal(above.status, 400);
      assert.equal(above.body.type, 'simulation_installment_value_above_margin');

      const short = (await settledConsult(fake, v8, CPF.shortTenure)).id;
      const tooLong = await sim({ consult_id: short, number_of_installments: 36 });
      assert.equal(tooLong.status, 400);
      assert.equal(tooLong.body.type, 'simulation_installments_above_maximum');
      assert.match(tooLong.body.detail, /24/);

      const noMargin = (await settledConsult(fake, v8, CPF.noMargin)).id;
      assert.equal((await sim({ consult_id: noMargin })).body.type, 'simulation_not_eligible');
      const pending = (await v8('POST', '/private-consignment/consult', consultBody(CPF.hang))).body.id;
      assert.equal((await sim({ consult_id: pending })).body.type, 'simulation_not_eligible');
    });
  });

  describe('operations', () => {
    let v8: Api;
    beforeEach(async () => {
      v8 = api(fake, await login(fake));
    });

    async function simulationFor(cpf: string): Promise<string> {
      const consult = await settledConsult(fake, v8, cpf);
      const s = await v8('POST', '/private-consignment/simulation', {
        consult_id: consult.id,
        config_id: STANDARD_CONFIG,
        number_of_installments: 24,
        provider: 'QI',
      });
      assert.equal(s.status, 201);
      return s.body.id_simulation as string;
    }

    test('create, get, list and the status flow to paid', async () => {
      const simId = await simulationFor(CPF.success);
      const created = await v8('POST', '/private-consignment/operation', operationBody(simId, CPF.success));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id as string;
      assert.match(created.body.formalization_url, /^http:\/\/127\.0\.0\.1:\d+\/formalizacao\//);
      const page = await call(created.body.formalization_url);
      assert.equal(page.status, 200);

      const detail = await v8('GET', `/private-consignment/operation/${id}?provider=QI`);
      assert.equal(detail.body.id, id);
      assert.equal(detail.body.status, 'generating_ccb');
      assert.equal(typeof detail.body.operation_data.number_of_installments, 'number');

      const list = await v8('GET', '/private-consignment/operation?limit=50&page=1&provider=QI');
      assert.equal(list.body.data[0].operationId, id);
      assert.equal(list.body.data[0].documentNumber, CPF.success);
      assert.equal(typeof list.body.data[0].disbursedIssueAmount, 'string');

      const dup = await v8('POST', '/private-consignment/operation', operationBody(simId, CPF.success));
      assert.equal(dup.status, 400);
      assert.equal(dup.body.type, 'operation_already_exists');

      fake.advance({ kind: 'operation', id, untilIdle: true });
      const paid = await v8('GET', `/private-consignment/operation/${id}`);
      assert.equal(paid.body.status, 'paid');
      assert.deepEqual(
        paid.body.history.map((h: { status: string }) => h.status),
        ['generating_ccb', 'formalization', 'analysis', 'processing', 'paid'],
      );
      const cancelPaid = await v8('POST', `/private-consignment/operation/${id}/cancel`, {
        cancel_reason: 'invalid_data:other',
        provider: 'QI',
      });
      assert.equal(cancelPaid.status, 400);
    });

    test('accepts the flatter LC body shape', async () => {
      const simId = await simulationFor(CPF.success);
      const consultId = (await v8('GET', `/private-consignment/consult?search=${CPF.success}`)).body.data[0]
        .id;
      const r = await v8('POST', '/private-consignment/operation', {
        consult_id: consultId,
        simulation_id: simId,
        borrower: {
          cpf: CPF.success,
          name: 'MARIA TESTE DA SILVA',
          birth_date: '1990-04-15',
          mother_name: 'ANA',
          email: 'm@example.com',
          phone: '11912345678',
        },
        address: {
          zip_code: '01000000',
          street: 'Rua Exemplo',
          number: '100',
          city: 'São Paulo',
          state: 'SP',
        },
        bank: { transfer_method: 'pix', pix_key: CPF.success, pix_key_type: 'cpf' },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.ok(r.body.formalization_url);
    });

    test('cancel goes through awaiting_cancel to canceled', async () => {
      const simId = await simulationFor(CPF.success);
      const { body } = await v8('POST', '/private-consignment/operation', operationBody(simId, CPF.success));
      const missingReason = await v8('POST', `/private-consignment/operation/${body.id}/cancel`, {});
      assert.equal(missingReason.status, 400);
      const cancel = await v8('POST', `/private-consignment/operation/${body.id}/cancel`, {
        cancel_reason: 'invalid_data:other',
        cancel_description: 'Cliente desistiu',
        provider: 'QI',
      });
      assert.equal(cancel.status, 200);
      assert.equal(
        (await v8('GET', `/private-consignment/operation/${body.id}`)).body.status,
        'awaiting_cancel',
      );
      fake.advance({ kind: 'operation', id: body.id, untilIdle: true });
      assert.equal((await v8('GET', `/private-consignment/operation/${body.id}`)).body.status, 'canceled');
    });

    test('payment-data pendency: pending until PATCHed, then on to paid', async () => {
      const simId = await simulationFor(CPF.pendingOp);
      const { body } = await v8(
        'POST',
        '/private-consignment/operation',
        operationBody(simId, CPF.pendingOp),
      );
      fake.advance({ kind: 'operation', id: body.id, untilIdle: true });
      const pending = await v8('GET', `/private-consignment/operation/${body.id}`);
      assert.equal(pending.body.status, 'pending');
      assert.ok(pending.body.status_description);
      const path = `/private-consignment/operation/${body.id}/pendency/payment-data`;
      assert.equal((await v8('PATCH', path, { bank: { transfer_method: 'pix', pix_key: 'x' } })).status, 400);
      const fixed = await v8('PATCH', path, {
        bank: { transfer_method: 'pix', pix_key: '+5511912345678', pix_key_type: 'phone' },
      });
      assert.equal(fixed.status, 200);
      assert.equal(fixed.body.status, 'analysis');
      fake.advance({ kind: 'operation', id: body.id, untilIdle: true });
      assert.equal((await v8('GET', `/private-consignment/operation/${body.id}`)).body.status, 'paid');
    });

    test('unknown simulation and other accounts: 400 / 404', async () => {
      const bad = await v8(
        'POST',
        '/private-consignment/operation',
        operationBody(crypto.randomUUID(), CPF.success),
      );
      assert.equal(bad.status, 400);
      const simId = await simulationFor(CPF.success);
      const { body } = await v8('POST', '/private-consignment/operation', operationBody(simId, CPF.success));
      const other = api(fake, await login(fake, B));
      assert.equal((await other('GET', `/private-consignment/operation/${body.id}`)).status, 404);
    });
  });

  describe('webhooks', () => {
    test('registration handshake, then consult and operation events in order', async () => {
      const receiver = await startReceiver();
      try {
        const v8 = api(fake, await login(fake));
        const reg = await v8('POST', '/user/webhook/private-consignment/consult', {
          url: `${receiver.url}/v8?type=consult`,
        });
        assert.equal(reg.status, 201);
        await v8('POST', '/user/webhook/private-consignment/operation', {
          url: `${receiver.url}/v8?type=operation`,
        });
        assert.equal(
          (await v8('POST', '/user/webhook/private-consignment/consult', { url: 'nope' })).status,
          400,
        );
        await fake.webhooksIdle();
        // Each kind is delivered in order; the two kinds are independent queues.
        for (const kind of ['consult', 'operation']) {
          const handshake = receiver.received
            .filter((r) => r.path === `/v8?type=${kind}`)
            .map((r) => r.body.type);
          assert.deepEqual(handshake, ['webhook.test', 'webhook.registered']);
        }
        assert.equal(receiver.received[0]?.headers.authorization, undefined);

        receiver.received.length = 0;
        const consult = await settledConsult(fake, v8, CPF.success);
        await fake.webhooksIdle();
        const events = receiver.received.map((r) => r.body);
        assert.deepEqual(
          events.map((e) => e.status),
          ['WAITING_CONSENT', 'CONSENT_APPROVED', 'WAITING_CONSULT', 'WAITING_CREDIT_ANALYSIS', 'SUCCESS'],
        );
        const last = events.at(-1);
        assert.equal(last.type, 'private.consignment.consult.updated');
        assert.equal(last.consultId, consult.id);
        assert.equal(last.availableMarginValue, '512.37');
        assert.equal(typeof last.simulationLimit.installmentsMax, 'number');
        assert.ok(last.timestamp);

        receiver.received.length = 0;
        const s = await v8('POST', '/private-consignment/simulation', {
          consult_id: consult.id,
          config_id: STANDARD_CONFIG,
          number_of_installments: 24,
          provider: 'QI',
        });
        const op = await v8(
          'POST',
          '/private-consignment/operation',
          operationBody(s.body.id_simulation, CPF.success),
        );
        fake.advance({ kind: 'operation', untilIdle: true });
        await fake.webhooksIdle();
        const opEvents = receiver.received.map((r) => r.body);
        assert.equal(opEvents[0].type, 'private.consignment.operation.created');
        assert.equal(opEvents[0].operationId, op.body.id);
        assert.equal(opEvents.at(-1).type, 'private.consignment.operation.updated');
        assert.equal(opEvents.at(-1).status, 'paid');

        const log = fake.webhooks();
        assert.ok(log.every((d) => d.status === 200 && d.account === A.username));
      } finally {
        await receiver.close();
      }
    });

    test('redelivers on non-2xx and records each attempt', async () => {
      const receiver = await startReceiver(500);
      try {
        fake.configure({ webhookMaxAttempts: 2 });
        const v8 = api(fake, await login(fake));
        await v8('POST', '/user/webhook/private-consignment/consult', { url: receiver.url });
        await fake.webhooksIdle();
        const attempts = fake.webhooks().filter((d) => d.event === 'webhook.test');
        assert.deepEqual(
          attempts.map((d) => [d.attempt, d.status]),
          [
            [1, 500],
            [2, 500],
          ],
        );
        assert.ok(fake.stats().webhooksFailed >= 2);
      } finally {
        await receiver.close();
      }
    });
  });

  describe('rate limiting', () => {
    test('429 "Limite de requisições excedido" with Retry-After above the per-account rate', async () => {
      fake.configure({ maxRps: 3 });
      const v8 = api(fake, await login(fake));
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => v8('GET', '/private-consignment/simulation/configs')),
      );
      const limited = answers.filter((a) => a.status === 429);
      assert.ok(limited.length >= 5, `expected at least 5 429s, got ${limited.length}`);
      assert.equal(limited[0]?.body.message, 'Limite de requisições excedido');
      assert.equal(limited[0]?.headers.get('retry-after'), '1');
      const stats = fake.stats();
      assert.ok((stats.maxRequestsPerSecond[A.username] ?? 0) >= 8);
      assert.equal(stats.rateLimited[A.username], limited.length);
      assert.equal(stats.sent429, limited.length);

      const other = api(fake, await login(fake, B));
      assert.equal((await other('GET', '/private-consignment/simulation/configs')).status, 200);
    });
  });

  describe('fault injection', () => {
    test('a BFF fault answers its status for `count` requests, then normal service', async () => {
      const v8 = api(fake, await login(fake));
      const fault = fake.setFault({ target: 'bff', status: 503, count: 1 });
      assert.equal((await v8('GET', '/private-consignment/simulation/configs')).status, 503);
      assert.equal((await v8('GET', '/private-consignment/simulation/configs')).status, 200);
      assert.equal(fake.requests({ path: '/simulation/configs' })[0]?.fault, fault.id);
      assert.equal(fake.stats().faultsInjected, 1);
    });

    test('auth faults, path patterns, always, reset and the HTTP admin API', async () => {
      fake.setFault({ target: 'auth', status: 500 });
      assert.equal((await requestToken(fake, tokenForm())).status, 500);
      const v8 = api(fake, await login(fake));

      const added = await call(`${fake.url}/__admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ target: '/private-consignment/consult/*', status: 429, count: 'always' }),
      });
      assert.equal(added.status, 201);
      for (let i = 0; i < 2; i++) {
        const r = await v8('GET', `/private-consignment/consult/${crypto.randomUUID()}`);
        assert.equal(r.status, 429);
        assert.equal(r.headers.get('retry-after'), '1');
      }
      assert.equal((await v8('GET', '/private-consignment/consult')).status, 200);
      assert.equal((await call(`${fake.url}/__admin/faults`, { method: 'DELETE' })).status, 204);
      assert.equal((await v8('GET', `/private-consignment/consult/${crypto.randomUUID()}`)).status, 404);

      fake.setFault({ target: 'bff', status: 'reset' });
      await assert.rejects(v8('GET', '/private-consignment/consult'));
      assert.equal((await v8('GET', '/private-consignment/consult')).status, 200);
    });
  });

  describe('admin endpoints', () => {
    test('POST /__admin/consults: a consult that already exists at V8 (listed, outside the quota, no webhook)', async () => {
      fake.configure({ consultsPerHour: 1 });
      const seed = (body: unknown) =>
        call(`${fake.url}/__admin/consults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const bad = await seed({ cpf: '123', status: 'DONE' });
      assert.equal(bad.status, 400);
      const r = await seed({
        cpf: CPF.success,
        status: 'REJECTED',
        description: 'Data de nascimento não confere',
        birthDate: '1980-02-02',
        ageDays: 5,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const v8 = api(fake, await login(fake));
      const list = await v8('GET', `/private-consignment/consult?search=${CPF.success}&limit=10&page=1`);
      const [item] = list.body.data;
      assert.equal(item.id, r.body.id);
      assert.deepEqual(
        [item.status, item.description, item.birthDate],
        ['REJECTED', 'Data de nascimento não confere', '1980-02-02'],
      );
      assert.ok(Date.now() - Date.parse(item.createdAt) >= 5 * 86_400_000 - 60_000, 'created 5 days ago');
      const ok = fake.seedConsult({ cpf: CPF.rejected, status: 'SUCCESS' });
      assert.equal(
        (await v8('GET', `/private-consignment/consult/${ok.id}`)).body.availableMarginValue !== null,
        true,
      );
      // Seeded consults were made before: the quota (1) is still free for a new one.
      assert.equal((await v8('POST', '/private-consignment/consult', consultBody(CPF.failed))).status, 201);
      assert.deepEqual(fake.webhooks(), []);
    });

    test('health, requests (with authorization and parsed body), stats, webhooks, reset', async () => {
      assert.equal((await call(`${fake.url}/health`)).status, 200);
      const token = await login(fake);
      await api(fake, token)('POST', '/private-consignment/consult', consultBody(CPF.success));
      const requests = await call(`${fake.url}/__admin/requests?path=/private-consignment`);
      assert.equal(requests.status, 200);
      const [entry] = requests.body;
      assert.equal(entry.method, 'POST');
      assert.equal(entry.headers.authorization, `Bearer ${token}`);
      assert.equal(entry.body.borrowerDocumentNumber, CPF.success);
      assert.equal(entry.account, A.username);
      assert.equal(entry.status, 201);
      const oauth = fake.requests({ path: '/oauth/token' })[0];
      assert.equal((oauth?.body as Record<string, string> | undefined)?.grant_type, 'password');

      assert.equal((await call(`${fake.url}/__admin/stats`)).body.tokenRequests[A.username], 1);
      assert.deepEqual((await call(`${fake.url}/__admin/webhooks`)).body, []);
      assert.equal((await call(`${fake.url}/__admin/requests`, { method: 'DELETE' })).status, 204);
      assert.deepEqual(fake.requests(), []);

      const patched = await call(`${fake.url}/__admin/config`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ maxRps: 'lots' }),
      });
      assert.equal(patched.status, 400);

      assert.equal((await call(`${fake.url}/__admin/reset`, { method: 'POST' })).status, 204);
      assert.equal((await api(fake, token)('GET', '/private-consignment/consult')).status, 401);
      assert.deepEqual(fake.stats().tokenRequests, {});
    });

    test('state shows consults without full tokens', async () => {
      await api(fake, await login(fake))('POST', '/private-consignment/consult', consultBody(CPF.success));
      const state = fake.state();
      assert.equal(state.consults.length, 1);
      assert.equal(state.tokens[0]?.token.includes('…'), true);
    });
  });
});

describe('fake V8 on real timers', () => {
  test('a consult reaches SUCCESS by itself with a short step', async () => {
    const fake = await startFakeV8({ stepMs: 5 });
    try {
      const v8 = api(fake, await login(fake));
      const { body } = await v8('POST', '/private-consignment/consult', consultBody(CPF.success));
      await v8('POST', `/private-consignment/consult/${body.id}/authorize`);
      const done = await fake.waitFor(() => fake.state().consults.find((c) => c.status === 'SUCCESS'));
      assert.equal(done.id, body.id);
    } finally {
      await fake.close();
    }
  });
});

describe('fake V8 logging and entry point', () => {
  test('log lines carry no password, token or full CPF', async () => {
    const lines: Record<string, unknown>[] = [];
    const fake = await startFakeV8({ onLog: (l) => lines.push(l) });
    try {
      const token = await login(fake);
      const v8 = api(fake, token);
      await v8('GET', `/private-consignment/consult/client-data/basic/${CPF.success}`);
      await v8('GET', `/private-consignment/consult?search=${CPF.success}`);
      const text = JSON.stringify(lines);
      assert.equal(lines.length, 3);
      assert.ok(!text.includes(A.password));
      assert.ok(!text.includes(token));
      assert.ok(!text.includes(CPF.success));
      assert.ok(text.includes('123******62'));
    } finally {
      await fake.close();
    }
  });

  test('main.ts reads the env, serves, logs JSON lines and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('../../sandbox/fake-v8/main.ts', import.meta.url))],
      {
        env: {
          ...process.env,
          FAKE_V8_HOST: '127.0.0.1',
          FAKE_V8_PORT: '0',
          FAKE_V8_ACCOUNTS: 'ops@example.com:s3cret:Client0000000000000000000000042',
          FAKE_V8_TOKEN_TTL_S: '120',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    try {
      const startup = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no startup line: ${out}`)), 10_000);
        child.stdout.on('data', () => {
          const line = out.split('\n').find((l) => l.includes('"startup"'));
          if (line) {
            clearTimeout(timer);
            resolve(JSON.parse(line));
          }
        });
      });
      const base = `http://127.0.0.1:${startup.port}`;
      const r = await call(`${base}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          username: 'ops@example.com',
          password: 's3cret',
          audience: DEFAULT_AUDIENCE,
          scope: 'offline_access',
          client_id: 'Client0000000000000000000000042',
        }),
      });
      assert.equal(r.status, 200);
      assert.equal(r.body.expires_in, 120);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
      const lines = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.ok(lines.some((l) => l.kind === 'request' && l.path === '/oauth/token' && l.status === 200));
      assert.ok(!out.includes('s3cret'));
      assert.ok(!out.includes(r.body.access_token));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('fake V8 constants', () => {
  test('every documented scenario CPF is valid and agrees with the 9th-digit rule', () => {
    for (const [cpf, s] of Object.entries(DEFAULT_SCENARIOS)) {
      assert.ok(isValidCpf(cpf), cpf);
      const rule = fallbackScenario(cpf);
      const noMargin = s.availableMarginValue === '0.00';
      assert.equal(rule.outcome, s.outcome, cpf);
      assert.equal(rule.availableMarginValue === '0.00', noMargin, cpf);
    }
  });

  test('parseAccounts reads user:pass[:clientId]', () => {
    assert.deepEqual(parseAccounts('a@x.com:pw, b@x.com:p:w:Client0000000000000000000000002'), [
      { username: 'a@x.com', password: 'pw' },
      { username: 'b@x.com', password: 'p:w', clientId: 'Client0000000000000000000000002' },
    ]);
    assert.throws(() => parseAccounts('nopassword'));
  });
});
