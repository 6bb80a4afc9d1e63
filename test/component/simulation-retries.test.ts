import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isAppError } from '../../app/domain/app-error.ts';
import { simulateCustom } from '../../app/use-cases/legacy/simulate-custom.ts';
import { API_TOKEN, CPF, FlowHarness } from '../support/flow-harness.ts';

// "Above the margin" from V8: the flow and /clt/simular-personalizada lower the instalment (same table
// and term) and never propose more than simulationLimit.valueMax lends.

const VALUE_MIN = 500;
const VALUE_MAX = 9000;
let h: FlowHarness;

before(async () => {
  h = await FlowHarness.start({
    fakeV8: {
      scenarios: {
        [CPF.approved]: {
          label: 'tests: approved, 24 months at most, lends up to 9,000',
          outcome: 'success',
          name: 'MARIA TESTE DA SILVA',
          availableMarginValue: '512.37',
          installmentsMax: 24,
          valueMax: VALUE_MAX,
        },
      },
    },
  });
});
after(async () => {
  await h?.close();
});

const ABOVE_MARGIN = {
  type: 'simulation_installment_value_above_margin',
  title: 'Bad Request',
  status: 400,
  detail: 'O valor da parcela excede a margem disponível.',
};

function refuseNextSimulationAboveMargin(): void {
  h.fakeV8.setFault({
    target: '/private-consignment/simulation',
    method: 'POST',
    status: 400,
    count: 1,
    body: ABOVE_MARGIN,
  });
}

function simulationBodies(): Record<string, unknown>[] {
  return h.fakeV8
    .requests({ method: 'POST', path: '/private-consignment/simulation' })
    .map((r) => r.body as Record<string, unknown>);
}

describe('simulation retries after "above the margin"', () => {
  test('flow: the accepted simulation has a lower instalment, same term, released amount within valueMin..valueMax', async () => {
    const before = simulationBodies().length;
    refuseNextSimulationAboveMargin();
    const flow = await h.settled(await h.startFlow(CPF.approved));
    assert.equal(flow.outcome, 'simulated', JSON.stringify(flow));
    const sent = simulationBodies().slice(before);
    // 512.37 a month over 24 months lends more than 9,000 at 1.99 %: capped at 475.30; refused; 95 %
    // of the margin (486.75) is not lower, so 85 % (435.51).
    assert.deepEqual(
      sent.map((b) => [b.number_of_installments, b.installment_face_value]),
      [
        [24, 475.3],
        [24, 435.51],
      ],
    );
    const attempts = flow.steps.find((s) => s.name === 'simulation')?.detail?.attempts as {
      installments: number;
      installmentValue: number;
      v8Type?: string;
    }[];
    assert.deepEqual(
      attempts.map((a) => [a.installments, a.installmentValue, a.v8Type]),
      [
        [24, 475.3, ABOVE_MARGIN.type],
        [24, 435.51, undefined],
      ],
    );
    const sim = flow.simulation as {
      installments: number;
      installmentValue: number;
      disbursedAmount: number;
    };
    assert.equal(sim.installments, 24);
    assert.equal(sim.installmentValue, 435.51);
    assert.ok(sim.installmentValue < 475.3, 'lower than the refused instalment');
    assert.ok(
      sim.disbursedAmount >= VALUE_MIN && sim.disbursedAmount <= VALUE_MAX,
      `released ${sim.disbursedAmount} within ${VALUE_MIN}..${VALUE_MAX}`,
    );
    const atV8 = h.fakeV8.state().simulations.at(-1) as { response: Record<string, number> };
    assert.ok(
      (atV8.response.issue_amount ?? Number.NaN) <= VALUE_MAX,
      'the amount lent is not above valueMax either',
    );
  });

  test('/clt/simular-personalizada runs the same loop: a lower instalment after "above the margin"', async () => {
    const before = simulationBodies().length;
    refuseNextSimulationAboveMargin();
    const res = await fetch(`${h.app.url}/clt/simular-personalizada`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ cpf: CPF.approved, installment_face_value: 500, prazo: 24 }),
    });
    const body = (await res.json()) as { resultado: Record<string, unknown> };
    assert.equal(res.status, 200, JSON.stringify(body));
    const sent = simulationBodies().slice(before);
    // lowest_rate: the cheapest table offering 24 months; the wished 500 is capped by valueMax first.
    assert.deepEqual(
      sent.map((b) => [b.number_of_installments, b.installment_face_value]),
      [
        [24, 475.3],
        [24, 435.51],
      ],
    );
    assert.equal(body.resultado.valor_parcela, 435.51);
    const released = body.resultado.valor_liberado as number;
    assert.ok(released >= VALUE_MIN && released <= VALUE_MAX, `released ${released}`);
  });

  // The old route's `valor` is the instalment (legacy contract, issue 13), so a released amount is
  // asked of the shared use case directly: the policy refuses it before any V8 call.
  test('custom simulation: a released amount above valueMax is refused without asking V8', async () => {
    const before = simulationBodies().length;
    await assert.rejects(
      simulateCustom(h.app.flow, { cpf: CPF.approved, installments: 24, disbursedAmount: 9500 }),
      (err: unknown) => {
        assert.ok(isAppError(err), String(err));
        assert.equal(err.code, 'rejected');
        assert.match(err.message, /fora dos limites da V8 para este cliente \(R\$ 500,00 a R\$ 9000,00\)/);
        return true;
      },
    );
    assert.equal(simulationBodies().length, before, 'no simulation sent');
  });
});
