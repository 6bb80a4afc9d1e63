// `make sandbox` in real containers: two sandbox clients (free ports here instead of 4000/5000),
// each with its own fake V8 and fake Kentro in its own Compose project and network, then the whole
// V8 lifecycle through OUR API against the client's own fake. The fakes are not published: their
// admin API is read from inside the client's api container (docker exec).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClientApi, configValue } from '../support/host-fake.ts';
import { docker, freePort, OpsHome, settleLogs, TEST_PREFIX } from '../support/ops.ts';
import { waitFor } from '../support/wait.ts';

const home = new OpsHome();
let portA = 0;
let portB = 0;
let apiA: ClientApi;
let apiB: ClientApi;
const name = (port: number) => `${TEST_PREFIX}-${port}`;

/** SUCCESS scenario of the fake (sandbox/fake-v8/README.md): margin 512.37. */
const CPF = '12345678062';

/** GET on the fake V8 of `port`, from inside that client's api container. */
function fakeAdmin<T>(port: number, path: string): T {
  const r = docker([
    'exec',
    name(port),
    'node',
    '-e',
    `fetch('http://fake-v8:8080${path}').then(r=>r.text()).then(t=>process.stdout.write(t))`,
  ]);
  if (r.code !== 0) throw new Error(`fake admin ${path}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface Stats {
  tokenRequests: Record<string, number>;
  tokensIssued: Record<string, number>;
  requests: Record<string, number>;
}

function projectContainers(port: number): { name: string; service: string; networks: string[] }[] {
  const ids = docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${name(port)}`])
    .stdout.trim()
    .split('\n')
    .filter(Boolean);
  return ids.map((id) => {
    const r = docker([
      'inspect',
      '--format',
      '{{.Name}}|{{index .Config.Labels "com.docker.compose.service"}}|{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}',
      id,
    ]);
    const [n = '', service = '', nets = ''] = r.stdout.trim().split('|');
    return { name: n.replace(/^\//, ''), service, networks: nets.trim().split(' ') };
  });
}

const consultBody = {
  cpf: '123.456.780-62',
  name: 'MARIA TESTE DA SILVA',
  birthDate: '1990-04-15',
  gender: 'female',
  email: 'maria.teste@example.com',
  phone: '(11) 91234-5678',
};

const borrower = {
  name: 'MARIA TESTE DA SILVA',
  email: 'maria.teste@example.com',
  phone: '(11) 91234-5678',
  address: {
    street: 'Rua Exemplo',
    number: '100',
    neighborhood: 'Centro',
    city: 'São Paulo',
    state: 'SP',
    postalCode: '01000-000',
  },
  birthDate: '1990-04-15',
  motherName: 'ANA TESTE DA SILVA',
  documentIssuer: 'SSP',
  gender: 'female',
  maritalStatus: 'single',
  cpf: CPF,
  identityDocument: { type: 'rg', number: '123456789', issueDate: '2015-01-20' },
  bank: { transferMethod: 'pix', pixKey: CPF, pixKeyType: 'cpf' },
};

describe('sandbox clients', () => {
  before(async () => {
    portA = await freePort(26000 + Math.floor(Math.random() * 900));
    portB = await freePort(portA + 1);
    const added = await Promise.all(
      [portA, portB].map((p) =>
        home.ctl(['add-client', '--port', String(p), '--name', `Sandbox ${p}`, '--sandbox']),
      ),
    );
    for (const r of added) assert.equal(r.code, 0, `add-client --sandbox failed: ${r.stderr}`);
    apiA = new ClientApi(home, portA);
    apiB = new ClientApi(home, portB);
  });

  after(async () => {
    await home.cleanup();
  });

  test('each sandbox client has its own api, fake-v8 and fake-kentro in its own project and network', () => {
    for (const port of [portA, portB]) {
      const containers = projectContainers(port);
      assert.deepEqual(containers.map((c) => c.service).sort(), ['api', 'fake-kentro', 'fake-v8']);
      for (const c of containers) assert.deepEqual(c.networks, [`${name(port)}_default`], c.name);
      // The fakes are not published on the host.
      const fake = containers.find((c) => c.service === 'fake-v8')?.name ?? '';
      assert.equal(docker(['port', fake]).stdout.trim(), '');
    }
    // A's api reaches its own fake by name, and not B's fake by IP.
    const fakeIpB = docker([
      'inspect',
      '--format',
      '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
      projectContainers(portB).find((c) => c.service === 'fake-v8')?.name ?? '',
    ]).stdout.trim();
    const probe = (url: string) =>
      docker([
        'exec',
        name(portA),
        'node',
        '-e',
        `fetch(${JSON.stringify(url)},{signal:AbortSignal.timeout(2000)}).then(r=>console.log('REACHED',r.status),e=>console.log('UNREACHABLE',e.cause?.code??e.name))`,
      ]).stdout;
    assert.match(probe('http://fake-v8:8080/health'), /REACHED 200/);
    assert.match(probe(`http://${fakeIpB}:8080/health`), /UNREACHABLE/);
  });

  test('GET /v8/token before any V8 call: nothing held, username masked', async () => {
    const r = await apiA.call('GET', '/v8/token');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      held: false,
      expiresAt: null,
      username: `sa${'*'.repeat(`sandbox-${portA}`.length - 2)}@corban.example`,
      source: 'none',
    });
  });

  test('full V8 lifecycle through our API against the client own fake', async () => {
    const created = await apiA.call('POST', '/consults', consultBody);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, 'WAITING_CONSENT');
    assert.equal(created.body.existing, false);
    const consultId = created.body.id as string;

    const authorized = await apiA.call('POST', `/consults/${consultId}/authorize`);
    assert.equal(authorized.status, 200);
    assert.deepEqual(authorized.body, { id: consultId, authorized: true, alreadyApproved: false });

    // The fake walks CONSENT_APPROVED -> WAITING_CONSULT -> WAITING_CREDIT_ANALYSIS -> SUCCESS.
    const seen = new Set<string>();
    const consult = await waitFor(
      async () => {
        const r = await apiA.call('GET', `/consults/${consultId}`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        seen.add(r.body.status);
        return r.body;
      },
      (c) => c.terminal === true,
      60_000,
      () => `consult ${consultId} to reach a terminal status (seen: ${[...seen].join(', ')})`,
      250,
    );
    assert.equal(consult.status, 'SUCCESS', `statuses seen: ${[...seen].join(', ')}`);
    assert.equal(consult.margin, 512.37);
    assert.equal(consult.cpf, CPF);
    assert.deepEqual(consult.limits, {
      installmentsMin: 6,
      installmentsMax: 96,
      valueMin: 500,
      valueMax: 25000,
    });

    const again = await apiA.call('POST', `/consults/${consultId}/authorize`);
    assert.equal(again.status, 200);
    assert.equal(again.body.alreadyApproved, true);

    const listed = await apiA.call('GET', `/consults?cpf=${CPF}&status=success`);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.items.map((c: { id: string }) => c.id),
      [consultId],
    );

    const configs = await apiA.call('GET', '/simulation-configs');
    assert.equal(configs.status, 200);
    const config = configs.body.configs.find((c: { slug: string }) => c.slug === 'clt-padrao-qi');
    assert.ok(config, JSON.stringify(configs.body));
    assert.ok(config.installments.includes(24));

    const sim = await apiA.call('POST', '/simulations', {
      consultId,
      configId: config.id,
      installments: 24,
      installmentValue: 300,
    });
    assert.equal(sim.status, 201, JSON.stringify(sim.body));
    assert.equal(sim.body.installmentValue, 300);
    assert.equal(sim.body.installments, 24);
    assert.ok(sim.body.disbursedAmount > 0 && sim.body.disbursedAmount < sim.body.operationAmount);

    const aboveMargin = await apiA.call('POST', '/simulations', {
      consultId,
      configId: config.id,
      installments: 24,
      installmentValue: 900,
    });
    assert.equal(aboveMargin.status, 422);
    assert.equal(aboveMargin.body.error.code, 'rejected');
    assert.equal(aboveMargin.body.error.detail.type, 'simulation_installment_value_above_margin');

    const op = await apiA.call('POST', '/operations', { simulationId: sim.body.id, borrower });
    assert.equal(op.status, 201, JSON.stringify(op.body));
    assert.equal(op.body.status, 'generating_ccb');
    assert.match(op.body.formalizationUrl, /^http:\/\/fake-v8:8080\/formalizacao\/\S+$/);
    const operationId = op.body.id as string;

    const one = await apiA.call('GET', `/operations/${operationId}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.id, operationId);
    assert.equal(one.body.installments, 24);
    assert.equal(one.body.terminal, false);

    const list = await apiA.call('GET', `/operations?cpf=${CPF}`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.items.map((o: { id: string }) => o.id),
      [operationId],
    );

    const cancel = await apiA.call('POST', `/operations/${operationId}/cancel`, {
      reason: 'invalid_data:other',
      description: 'teste do sandbox',
    });
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    assert.deepEqual(cancel.body, { id: operationId, cancelRequested: true });
    const canceled = await apiA.call('GET', `/operations/${operationId}`);
    assert.ok(['awaiting_cancel', 'canceled'].includes(canceled.body.status), canceled.body.status);

    const missing = await apiA.call('GET', '/consults/00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
  });

  test('the token is now held (username masked) and the fake saw exactly one token request', async () => {
    const r = await apiA.call('GET', '/v8/token');
    assert.equal(r.status, 200);
    assert.equal(r.body.held, true);
    assert.equal(r.body.source, 'v8');
    assert.ok(Date.parse(r.body.expiresAt) > Date.now());
    assert.equal(r.body.username, `sa${'*'.repeat(`sandbox-${portA}`.length - 2)}@corban.example`);
    const username = configValue(home, portA, 'V8_USERNAME');
    const stats = fakeAdmin<Stats>(portA, '/__admin/stats');
    assert.deepEqual(stats.tokenRequests, { [username]: 1 });
    assert.ok((stats.requests[username] ?? 0) >= 10);
  });

  test("B's sandbox works on its own fake, which knows nothing of A", async () => {
    const r = await apiB.call('GET', '/simulation-configs');
    assert.equal(r.status, 200);
    assert.equal(r.body.configs.length, 3);
    const userA = configValue(home, portA, 'V8_USERNAME');
    const userB = configValue(home, portB, 'V8_USERNAME');
    assert.notEqual(configValue(home, portA, 'V8_PASSWORD'), configValue(home, portB, 'V8_PASSWORD'));
    assert.deepEqual(Object.keys(fakeAdmin<Stats>(portB, '/__admin/stats').tokenRequests), [userB]);
    assert.deepEqual(Object.keys(fakeAdmin<Stats>(portA, '/__admin/stats').tokenRequests), [userA]);
  });

  test('webhooks registered through our API are delivered by the fake to this client', async () => {
    const r = await apiA.call('POST', '/v8/webhooks/register');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, {
      url: `http://api:${portA}/webhooks/v8/[REDACTED]`,
      registered: ['consult', 'operation'],
    });
    // The fake sends webhook.test and webhook.registered per kind to PUBLIC_BASE_URL (http://api:<port>).
    const deliveries = await waitFor(
      async () => fakeAdmin<{ event: string; status: number | null }[]>(portA, '/__admin/webhooks'),
      (ds) => ds.filter((d) => d.event === 'webhook.registered').length >= 2,
      30_000,
      () => 'the fake to deliver webhook.registered for both kinds',
    );
    const registered = deliveries.filter((d) => d.event === 'webhook.registered');
    assert.equal(registered.length, 2, JSON.stringify(deliveries));
    for (const d of registered) assert.equal(d.status, 200);
  });

  test('canary: the V8 passwords and the issued tokens appear in no log, stdout or answer', async () => {
    for (const port of [portA, portB]) await settleLogs(home, port);
    const secrets: string[] = [];
    for (const port of [portA, portB]) {
      secrets.push(configValue(home, port, 'V8_PASSWORD'));
      const requests = fakeAdmin<{ headers: Record<string, string> }[]>(port, '/__admin/requests');
      const tokens = new Set(
        requests
          .map((q) => /^Bearer (\S+)$/.exec(q.headers.authorization ?? '')?.[1])
          .filter((t) => t !== undefined),
      );
      assert.equal(tokens.size, 1, `client ${port} used exactly one token`);
      secrets.push(...tokens);
    }
    const everything = [...apiA.texts, ...apiB.texts];
    for (const port of [portA, portB]) {
      for (const kind of ['out', 'error', 'combined'] as const) everything.push(home.readLog(port, kind));
      for (const c of projectContainers(port)) {
        const logs = docker(['logs', c.name]);
        everything.push(logs.stdout, logs.stderr);
      }
    }
    assert.ok(home.readLog(portA, 'combined').includes('v8 token obtained'));
    const text = everything.join('\n');
    for (const s of secrets) {
      assert.ok(s.length >= 16);
      assert.ok(!text.includes(s), `secret ${s.slice(0, 6)}… leaked`);
    }
  });
});
