// Issue 11.1 in real containers: the sandbox's fake V8 without the consult detail route
// (FAKE_V8_CONSULT_DETAIL_ROUTE=404). The margin comes from V8's list; approved leads still end
// simulated with the right value.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  FAKE_KENTRO_CPFS as CPFS,
  FAKE_KENTRO_FORM_FIELDS as F,
  FAKE_KENTRO_STAGES as S,
} from '../../sandbox/fake-kentro/fake-kentro-seed.ts';
import { freePort, OpsHome } from '../support/ops.ts';
import { SandboxClient } from '../support/sandbox-client.ts';

const home = new OpsHome();
let c: SandboxClient;

describe('margin without the consult detail route (sandbox containers)', () => {
  before(async () => {
    c = await SandboxClient.start(home, {
      port: await freePort(23000 + Math.floor(Math.random() * 1000)),
      name: 'Corban Lista',
      fakes: { FAKE_V8_STEP_MS: '150', FAKE_V8_CONSULT_DETAIL_ROUTE: '404' },
      config: { FLOW_POLL_FIRST_MS: '1000', FLOW_POLL_MAX_MS: '2000', V8_MAX_RPS: '10' },
    });
  });

  after(async () => {
    await home.cleanup();
  });

  test('approved demo CPF ends simulated with the margin read from the list', async () => {
    const started = await c.call('POST', '/api/v1/flows', { cpf: CPFS.demoApproved });
    assert.equal(started.status, 202, started.text);
    const flow = await c.settledFlow(started.body.id);
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    assert.equal(flow.consult.margin, 512.37);
    assert.equal(flow.simulation.installmentValue, 512.37);
    const opp = (await c.kentroOpportunities()).find((o) => o.id === flow.opportunity.id);
    assert.equal(opp?.fkStage, S.simulated);
    assert.equal(opp?.formsdata[F.availableMargin], '512.37');
    assert.equal(opp?.value, Math.round(flow.simulation.disbursedAmount * 100));

    const gets = await c.v8Requests({ method: 'GET' });
    const detail = gets.filter((r) => r.path === `/private-consignment/consult/${flow.consult.id}`);
    assert.ok(detail.length >= 1 && detail.every((r) => r.status === 404), JSON.stringify(detail));
    const list = gets.filter((r) => r.path === '/private-consignment/consult' && r.status === 200);
    assert.ok(list.length >= 1, 'the list was read');
  });
});
