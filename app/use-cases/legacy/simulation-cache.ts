import type { Clock } from '../../adapters/clock.ts';
import type { SimulationRecord } from '../../adapters/store/simulation-repository.ts';
import type { Store } from '../../adapters/store/store.ts';
import { AppError } from '../../domain/app-error.ts';
import { cacheEntryData, simulationColumns, toCacheEntry } from './legacy-simulation.ts';

/**
 * The old "simulation cache" on top of the simulations table: an entry is the CPF's newest
 * simulation. Writes append a `manual` row (a flow's simulation stays as it was); delete removes the
 * CPF's rows.
 */

export interface CacheDeps {
  readonly store: Store;
  readonly clock: Clock;
}

const notCached = (cpf: string) =>
  new AppError('not_found', `Simulação não encontrada no cache para o CPF ${cpf}`);

export function getCachedSimulation(deps: CacheDeps, cpf: string): SimulationRecord {
  const s = deps.store.simulations.latest(cpf);
  if (!s) throw notCached(cpf);
  return s;
}

/** Stores the body as the CPF's newest simulation (old `salvar`). */
export function saveCachedSimulation(
  deps: CacheDeps,
  cpf: string,
  body: Record<string, unknown>,
): SimulationRecord {
  const { cpf: _cpf, ...data } = body;
  return deps.store.simulations.put(cpf, { ...simulationColumns(data), data }, deps.clock.now());
}

/** Merges the body over the CPF's newest entry (top-level keys replace) and stores the result (old PUT). */
export function updateCachedSimulation(
  deps: CacheDeps,
  cpf: string,
  update: Record<string, unknown>,
): SimulationRecord {
  const { store } = deps;
  return store.tx(() => {
    const current = store.simulations.latest(cpf);
    if (!current) throw notCached(cpf);
    const { cpf: _cpf, ...changes } = update;
    const data = { ...cacheEntryData(store, current), ...changes };
    const columns = simulationColumns(data);
    return store.simulations.put(
      cpf,
      {
        ...columns,
        consultId: columns.consultId ?? current.consultId ?? undefined,
        configSlug: current.configSlug ?? undefined,
        data,
      },
      deps.clock.now(),
    );
  });
}

/** Removes every simulation of the CPF; not_found when there was none. */
export function deleteCachedSimulation(deps: CacheDeps, cpf: string): number {
  const removed = deps.store.simulations.deleteByCpf(cpf);
  if (removed === 0) throw notCached(cpf);
  return removed;
}

export function listCachedSimulations(
  deps: CacheDeps,
  page: { readonly limit: number; readonly offset: number },
): { items: SimulationRecord[]; total: number } {
  return deps.store.simulations.listLatest(page);
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
const first = (...vs: unknown[]): unknown =>
  vs.find((v) => v !== undefined && v !== null && v !== '' && v !== 0);

/** The old GET /cache/propostas (server-5000.js:383-436): the entries as proposals, newest first. */
export function listProposals(
  deps: CacheDeps,
  page: { readonly limit: number; readonly offset: number },
): { propostas: Json[]; empresas: string[] } {
  const propostas = listCachedSimulations(deps, page).items.map((s) => {
    const e = toCacheEntry(deps.store, s);
    const sim = obj(e.dadosSimulacao);
    const client = obj(e.dadosCliente);
    return {
      cpf: s.cpf,
      nome: first(client.nome, client.title) ?? 'N/A',
      email: first(client.email, client.mainmail) ?? 'N/A',
      telefone: first(client.telefone, client.mainphone) ?? 'N/A',
      empresa: first(sim.provider_name, sim.provider, e.provider) ?? 'QI',
      valor_liberado: first(sim.disbursement_amount, sim.operation_amount) ?? 0,
      parcelas: first(sim.number_of_installments) ?? 0,
      valor_parcela: first(sim.installment_value, sim.installment_face_value) ?? 0,
      status: e.status ?? 'APROVADA',
      timestamp: e.timestamp,
      formalization_url: e.formalization_url,
      operation_id: e.operation_id,
    };
  });
  return { propostas, empresas: [...new Set(propostas.map((p) => String(p.empresa)))] };
}
