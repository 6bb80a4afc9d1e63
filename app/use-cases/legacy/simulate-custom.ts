import type { ConsultRecord } from '../../adapters/store/consult-repository.ts';
import type { SimulationRecord } from '../../adapters/store/simulation-repository.ts';
import type { V8Simulation } from '../../adapters/v8/v8-client.ts';
import { AppError } from '../../domain/app-error.ts';
import { simulationCandidates } from '../../domain/simulation-policy.ts';
import { listWindow } from '../../domain/v8-list-window.ts';
import type { FlowDeps } from '../flow/flow-deps.ts';
import { refreshConsult } from '../flow/refresh-consult.ts';
import { trySimulations } from '../try-simulations.ts';

const DAY_MS = 86_400_000;
/** Tables tried for the asked term before giving up (each is one V8 call). */
const MAX_TABLES = 3;

export interface CustomSimulationInput {
  readonly cpf: string;
  /** Number of instalments (prazo). */
  readonly installments: number;
  /** Released amount wanted (valor); exactly one of this and installmentValue. */
  readonly disbursedAmount?: number | undefined;
  readonly installmentValue?: number | undefined;
}

export interface CustomSimulationResult {
  readonly simulation: SimulationRecord;
  readonly consult: ConsultRecord;
  readonly v8: V8Simulation;
}

/**
 * The CPF's newest SUCCESS consult of the last FLOW_CONSULT_VALID_DAYS: ours first (the CPF's flows
 * and consults), else V8's list (a consult made elsewhere, e.g. V8's own site). Re-read from V8 when
 * its margin was never verified: money depends on it.
 */
export async function latestSuccessConsult(deps: FlowDeps, cpf: string): Promise<ConsultRecord | undefined> {
  const { store, clock, settings } = deps;
  const since = clock.now() - settings.consultValidDays * DAY_MS;
  const ids = new Set<string>();
  for (const f of store.flows.list({ cpf, limit: 20 })) if (f.consultId) ids.add(f.consultId);
  const reusable = store.consults.reusableForCpf(cpf, since);
  if (reusable) ids.add(reusable.id);
  let best = [...ids]
    .map((id) => store.consults.get(id))
    .filter((c): c is ConsultRecord => c?.status === 'SUCCESS' && c.createdAt >= since)
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!best) {
    const { startDate, endDate } = listWindow(undefined, undefined, clock.now(), settings.consultValidDays);
    const page = await deps.v8.listConsults({
      startDate,
      endDate,
      limit: 50,
      page: 1,
      provider: deps.provider(),
      search: cpf,
      status: 'SUCCESS',
    });
    const found = page.items
      .filter((c) => c.documentNumber === cpf && c.status === 'SUCCESS')
      .sort((a, b) => Date.parse(b.createdAt ?? '') - Date.parse(a.createdAt ?? ''))[0];
    if (!found) return undefined;
    const createdAt = Date.parse(found.createdAt ?? '');
    best = (
      await refreshConsult(deps, found.id, {
        cpf,
        createdAt: Number.isNaN(createdAt) ? undefined : createdAt,
      })
    ).record;
  } else if (best.verifiedAt === null || best.margin === null) {
    best = (await refreshConsult(deps, best.id)).record;
  }
  return best.status === 'SUCCESS' ? best : undefined;
}

/**
 * The old "simulação personalizada": simulates the asked term and amount on the CPF's SUCCESS consult
 * (cheapest rate table offering the term first) and stores it as the CPF's newest simulation.
 */
export async function simulateCustom(
  deps: FlowDeps,
  input: CustomSimulationInput,
): Promise<CustomSimulationResult> {
  const consult = await latestSuccessConsult(deps, input.cpf);
  if (!consult) {
    throw new AppError(
      'not_found',
      `nenhuma consulta aprovada (SUCCESS) na V8 para este CPF nos últimos ${deps.settings.consultValidDays} dias: rode o fluxo completo antes`,
    );
  }
  const configs = await deps.v8.listSimulationConfigs();
  const plan = simulationCandidates({
    policy: 'lowest_rate',
    configs,
    margin: consult.margin ?? 0,
    limit: consult.simulationLimit ?? undefined,
    wish: {
      installments: input.installments,
      disbursedAmount: input.disbursedAmount,
      installmentValue: input.installmentValue,
    },
    maxCandidates: MAX_TABLES,
  });
  if (!plan.ok) throw new AppError('rejected', plan.reason);
  const r = await trySimulations(deps.v8, {
    consultId: consult.id,
    provider: deps.provider(),
    candidates: plan.candidates,
    pricing: plan.pricing,
    maxAttempts: deps.settings.maxSimulationAttempts,
  });
  if (!r.ok) throw new AppError('rejected', r.reason, { detail: { attempts: r.attempts } });
  const { candidate: c, simulation: sim } = r;
  const simulation = deps.store.simulations.put(
    input.cpf,
    {
      consultId: consult.id,
      v8SimulationId: sim.id,
      configId: c.configId,
      configSlug: c.configSlug,
      installments: sim.installments ?? c.installments,
      installmentValue: sim.installmentValue ?? c.installmentValue,
      disbursedAmount: sim.disbursedAmount ?? sim.issueAmount ?? c.disbursedAmount,
      margin: consult.margin ?? undefined,
      data: { ...sim, pedido: { ...input } },
    },
    deps.clock.now(),
  );
  deps.logger.info('custom simulation stored', {
    cpf: input.cpf,
    consultId: consult.id,
    simulationId: simulation.id,
  });
  return { simulation, consult, v8: sim };
}
