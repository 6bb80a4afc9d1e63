import type { FlowRecord } from '../../adapters/store/flow-repository.ts';
import type { V8Simulation, V8SimulationConfig } from '../../adapters/v8/v8-client.ts';
import { type SimulationCandidate, simulationCandidates } from '../../domain/simulation-policy.ts';
import { type SimulationAttempt, trySimulations } from '../try-simulations.ts';
import { finishFlow } from './finish-flow.ts';
import type { FlowDeps } from './flow-deps.ts';
import type { StepHandler, StepOutcome } from './flow-step.ts';

/** V8's rate tables change rarely: one list per client every few minutes instead of one per flow. */
const CONFIGS_TTL_MS = 5 * 60_000;
const configsCache = new WeakMap<object, { readonly at: number; readonly configs: V8SimulationConfig[] }>();

async function simulationConfigs(deps: FlowDeps): Promise<V8SimulationConfig[]> {
  const now = deps.clock.now();
  const hit = configsCache.get(deps.v8);
  if (hit && now - hit.at < CONFIGS_TTL_MS && hit.configs.length > 0) return hit.configs;
  const configs = await deps.v8.listSimulationConfigs();
  configsCache.set(deps.v8, { at: now, configs });
  return configs;
}

/** What the flow keeps of the chosen simulation (also the API's `simulation`). */
export interface ChosenSimulation {
  readonly simulationId: number;
  readonly v8SimulationId: string;
  readonly configId: string;
  readonly configSlug: string | undefined;
  readonly installments: number;
  readonly installmentValue: number;
  readonly disbursedAmount: number;
  readonly margin: number;
  readonly provider: string;
}

/**
 * Lists V8's rate tables, orders the candidates with the configured policy and simulates them in
 * order until V8 accepts one (bounded by maxSimulationAttempts; the loop is shared with the custom
 * simulation). A refusal for a term ("above the maximum of 24") narrows the remaining terms, "above
 * the margin" lowers the instalment, "not eligible" stops at once. Unavailability is thrown: the driver
 * retries the whole step later.
 */
export const simulationStep: StepHandler = async (deps, flow) => {
  const consultId = flow.consultId;
  if (consultId === null) throw new Error('flow reached the simulation step without a consult id');
  if (flow.simulationId !== null) return { kind: 'next', detail: { resumed: true } };
  const consult = deps.store.consults.get(consultId);
  const margin = consult?.margin ?? 0;
  const configs = await simulationConfigs(deps);
  const plan = simulationCandidates({
    policy: deps.settings.policy,
    configs,
    margin,
    limit: consult?.simulationLimit ?? undefined,
    wish: flow.options.simulation,
    maxCandidates: deps.settings.maxSimulationAttempts,
  });
  if (!plan.ok) {
    finishFlow(deps, flow, {
      outcome: margin > 0 ? 'failed' : 'no_margin',
      reason: plan.reason,
      stepStatus: 'failed',
      detail: { configs: configs.length, policy: deps.settings.policy },
    });
    return { kind: 'stop' };
  }
  const provider = deps.provider();
  const r = await trySimulations(deps.v8, {
    consultId,
    provider,
    candidates: plan.candidates,
    pricing: plan.pricing,
    maxAttempts: deps.settings.maxSimulationAttempts,
    earlier: (c) => storedSimulation(deps, flow.cpf, consultId, c),
  });
  if (r.ok) return chosen(deps, flow, consultId, r.candidate, r.simulation, margin, provider, r.attempts);
  finishFlow(deps, flow, {
    outcome: r.stopped ? 'no_margin' : 'failed',
    reason: r.reason,
    stepStatus: 'failed',
    detail: { policy: deps.settings.policy, attempts: r.attempts },
  });
  return { kind: 'stop' };
};

/** An earlier simulation of ours for the same consult and parameters (its V8 answer as stored). */
function storedSimulation(
  deps: FlowDeps,
  cpf: string,
  consultId: string,
  c: SimulationCandidate,
): V8Simulation | undefined {
  const hit = deps.store.simulations
    .history(cpf, 50)
    .find(
      (s) =>
        s.source === 'flow' &&
        s.consultId === consultId &&
        s.configId === c.configId &&
        s.installments === c.installments &&
        s.v8SimulationId !== null &&
        (c.installmentValue === undefined || s.installmentValue === c.installmentValue) &&
        (c.disbursedAmount === undefined || s.data.disbursedAmount === c.disbursedAmount),
    );
  return hit ? (hit.data as unknown as V8Simulation) : undefined;
}

/** The step's success: the simulation row and the flow's pointer to it, written by the driver's transaction. */
function chosen(
  deps: FlowDeps,
  flow: FlowRecord,
  consultId: string,
  c: SimulationCandidate,
  sim: V8Simulation,
  margin: number,
  provider: string,
  attempts: readonly SimulationAttempt[],
): StepOutcome {
  const disbursed = sim.disbursedAmount ?? sim.issueAmount;
  if (disbursed === undefined) {
    throw new Error(`V8 answered simulation ${sim.id} without a released amount`);
  }
  const now = deps.clock.now();
  const chosenBase = {
    v8SimulationId: sim.id,
    configId: c.configId,
    configSlug: c.configSlug,
    installments: sim.installments ?? c.installments,
    installmentValue: sim.installmentValue ?? c.installmentValue ?? margin,
    disbursedAmount: disbursed,
    margin,
    provider,
  };
  return {
    kind: 'next',
    detail: { policy: deps.settings.policy, attempts },
    apply: () => {
      const row = deps.store.simulations.add(
        {
          cpf: flow.cpf,
          source: 'flow',
          flowId: flow.id,
          consultId,
          v8SimulationId: sim.id,
          configId: c.configId,
          configSlug: c.configSlug,
          installments: chosenBase.installments,
          installmentValue: chosenBase.installmentValue,
          disbursedAmount: disbursed,
          margin,
          data: { ...sim },
        },
        now,
      );
      const picked: ChosenSimulation = { simulationId: row.id, ...chosenBase };
      deps.store.flows.update(flow.id, { simulationId: row.id }, now);
      return { chosen: picked };
    },
  };
}
