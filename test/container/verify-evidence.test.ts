// Issue 12 item 5 in real containers: a sandbox client (its own fake V8) keeps consent evidence of a
// consult created and authorized through the API (actor, time, IP, user agent, consent), serves it
// with the chain check, and `make verify-evidence` (clientctl verify-evidence) names the entry an
// intruder altered in the SQLite store of the data volume — while the client runs, and stopped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { docker, freePort, OpsHome, TEST_PREFIX } from '../support/ops.ts';
import { SandboxClient } from '../support/sandbox-client.ts';

const home = new OpsHome();
let c: SandboxClient;
let port = 0;

const UA = 'crm-corban/5.1 (container evidence test)';
const CONSENT = {
  channel: 'whatsapp',
  messageId: 'wamid.CONTAINER.1',
  acceptedAt: '2026-02-10T09:30:00-03:00',
};
const CPF = '52998224725';

async function post(p: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1${p}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${c.configValue('API_TOKEN')}`,
      'content-type': 'application/json',
      'user-agent': UA,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** What an intruder with a shell in the container does: drop the guard, edit one row. */
function tamper(entryId: number): void {
  const js = `const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync('/app/data/store.sqlite', { timeout: 5000 });
db.exec('DROP TRIGGER IF EXISTS consent_evidence_no_update');
const r = db.prepare("UPDATE consent_evidence SET ip = '10.66.66.66' WHERE id = ?").run(Number(process.argv[1]));
console.log(JSON.stringify(r));`;
  const r = docker(['exec', `${TEST_PREFIX}-${port}`, 'node', '-e', js, String(entryId)]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).changes, 1, 'one row altered');
}

describe('consent evidence and make verify-evidence (real containers)', () => {
  before(async () => {
    port = await freePort(46000 + Math.floor(Math.random() * 2000));
    c = await SandboxClient.start(home, { port, name: 'Corban Evidencias', registerWebhooks: false });
  });

  after(async () => {
    await home.cleanup();
  });

  let consultId = '';

  test('a consult created and authorized through the API has its evidence: actor, time, IP, user agent, consent', async () => {
    const before = Date.now();
    const created = await post('/consults', {
      cpf: CPF,
      name: 'ANA EVIDENCIA TESTE',
      birthDate: '1990-05-06',
      gender: 'female',
      email: 'ana.evidencia@example.com',
      phone: '(11) 91234-5678',
      consent: CONSENT,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    consultId = String(created.body.id);
    const auth = await post(`/consults/${consultId}/authorize`, { consent: CONSENT });
    assert.equal(auth.status, 200, JSON.stringify(auth.body));

    const r = await c.call('GET', `/api/v1/consults/${consultId}/evidence`);
    assert.equal(r.status, 200, r.text);
    const entries = r.body.entries as {
      id: number;
      event: string;
      at: string;
      actor: { kind: string; label: string };
      ip: string | null;
      userAgent: string | null;
      consent: unknown;
      cpf: string;
      v8: Record<string, unknown>;
    }[];
    assert.deepEqual(
      entries.map((e) => [e.id, e.event]),
      [
        [1, 'consult_created'],
        [2, 'consult_authorized'],
      ],
    );
    for (const e of entries) {
      assert.deepEqual(e.actor, { kind: 'api_token', label: 'API_TOKEN' });
      assert.equal(e.userAgent, UA);
      // From the host through the published port: the address of the Docker network's gateway.
      assert.match(e.ip ?? '', /^(::ffff:)?\d+\.\d+\.\d+\.\d+$/, `IP recorded: ${e.ip}`);
      assert.ok(e.at.endsWith('Z'), 'UTC');
      const at = Date.parse(e.at);
      assert.ok(at >= before - 5000 && at <= Date.now() + 5000, `time of the call: ${e.at}`);
      assert.deepEqual(e.consent, CONSENT);
      assert.equal(e.cpf, CPF);
      assert.equal(e.v8.id, consultId);
    }
    assert.equal(entries[0]?.v8.status, 'WAITING_CONSENT');
    assert.deepEqual(r.body.chain, { ok: true, entries: 2 });

    const ok = await home.ctl(['verify-evidence', '--port', String(port)]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^OK: consent evidence chain intact, 2 entries$/m);
  });

  test('one row altered in the store of the data volume: verify-evidence fails and names it', async () => {
    assert.ok(consultId, 'the previous test created the consult');
    tamper(1);

    const running = await home.ctl(['verify-evidence', '--port', String(port)]);
    assert.notEqual(running.code, 0, running.stdout);
    assert.match(running.stdout, /^BROKEN: entry 1 \(altered\)/m);
    assert.match(running.stderr, /chain is broken/);

    const r = await c.call('GET', `/api/v1/consults/${consultId}/evidence`);
    assert.equal(r.status, 200);
    assert.equal(r.body.chain.ok, false);
    assert.equal(r.body.chain.broken.id, 1);

    // Stopped: the data volume is checked by a throw-away container, with the same verdict.
    const down = await home.ctl(['down', '--port', String(port)]);
    assert.equal(down.code, 0, down.stderr);
    const stopped = await home.ctl(['verify-evidence', '--port', String(port)]);
    assert.notEqual(stopped.code, 0, stopped.stdout);
    assert.match(stopped.stdout, /^BROKEN: entry 1 \(altered\)/m);
  });
});
