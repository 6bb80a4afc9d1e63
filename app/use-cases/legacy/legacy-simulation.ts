import type { NewSimulation, SimulationRecord } from '../../adapters/store/simulation-repository.ts';
import type { Store } from '../../adapters/store/store.ts';
import { toV8WireSimulation } from './v8-wire.ts';

/**
 * The old service's simulation cache entry, rebuilt from our simulations table. The old file held
 * per CPF `{cpf, consultId, dadosSimulacao, dadosCliente, timestamp, status: "APROVADA"}` plus any key
 * a PUT merged in; `dadosSimulacao` was V8's answer in V8's snake_case names. Our newest simulation of
 * the CPF is the entry: a flow's (its V8 answer, with the snake_case names added) or one written
 * through these routes (`source: manual`, the body as sent).
 */

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A number from a number or a numeric string ("5412.80", "5412,80", "5.412,80"). */
export function looseNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  let t = v.trim().replace(/^R\$\s*/i, '');
  if (t === '') return undefined;
  if (t.includes(',')) t = t.replaceAll('.', '').replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(t)) return undefined;
  return Number(t);
}

function pick(sources: readonly Json[], keys: readonly string[]): unknown {
  for (const s of sources) {
    for (const k of keys) {
      if (s[k] !== undefined && s[k] !== null && s[k] !== '') return s[k];
    }
  }
  return undefined;
}

const DISBURSED = [
  'valor_liberado',
  'disbursement_amount',
  'disbursed_amount',
  'disbursedAmount',
  'final_disbursement_amount',
  'disbursed_issue_amount',
  'valorLiberado',
];
const INSTALLMENT_VALUE = [
  'valor_parcela',
  'installment_face_value',
  'installment_value',
  'installmentValue',
  'valorParcela',
];
const INSTALLMENTS = ['prazo', 'number_of_installments', 'installments', 'parcelas', 'numero_parcelas'];
const MARGIN = ['margem', 'margin', 'available_margin_value', 'availableMarginValue', 'margem_disponivel'];

/** The simulation columns found in an old-style body (top level first, then `dadosSimulacao`). */
export function simulationColumns(body: Json): Omit<NewSimulation, 'cpf' | 'source' | 'data'> {
  const sources = [body, ...(isRecord(body.dadosSimulacao) ? [body.dadosSimulacao] : [])];
  const text = (keys: string[]) => {
    const v = pick(sources, keys);
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  };
  const installments = looseNumber(pick(sources, INSTALLMENTS));
  return {
    consultId: text(['consultId', 'consult_id']),
    v8SimulationId: isRecord(body.dadosSimulacao)
      ? text(['id_simulation', 'simulation_id', 'simulationId', 'id_simulacao', 'id'])
      : text(['id_simulation', 'simulation_id', 'simulationId', 'id_simulacao']),
    configId: text(['config_id', 'configId', 'simulation_config_id']),
    installments: installments === undefined ? undefined : Math.trunc(installments),
    installmentValue: looseNumber(pick(sources, INSTALLMENT_VALUE)),
    disbursedAmount: looseNumber(pick(sources, DISBURSED)),
    margin: looseNumber(pick(sources, MARGIN)),
  };
}

/** True when the body carries something to cache (dadosSimulacao or one of the amounts/terms). */
export function hasSimulationData(body: Json): boolean {
  if (isRecord(body.dadosSimulacao)) return true;
  const c = simulationColumns(body);
  return c.disbursedAmount !== undefined || c.installmentValue !== undefined || c.installments !== undefined;
}

/** The flat summary every old route answers under `resultado` (pt-BR names, plus V8's old ones). */
export interface LegacySimulation {
  readonly id: number;
  readonly cpf: string;
  readonly origem: 'fluxo' | 'manual';
  readonly flow_id: string | null;
  readonly consult_id: string | null;
  readonly simulation_id: string | null;
  readonly config_id: string | null;
  readonly tabela: string | null;
  readonly valor_liberado: number | null;
  readonly valor_parcela: number | null;
  readonly prazo: number | null;
  readonly margem: number | null;
  readonly disbursement_amount: number | null;
  readonly installment_face_value: number | null;
  readonly number_of_installments: number | null;
  readonly criado_em: string;
}

export function toLegacySimulation(s: SimulationRecord): LegacySimulation {
  return {
    id: s.id,
    cpf: s.cpf,
    origem: s.source === 'flow' ? 'fluxo' : 'manual',
    flow_id: s.flowId,
    consult_id: s.consultId,
    simulation_id: s.v8SimulationId,
    config_id: s.configId,
    tabela: s.configSlug,
    valor_liberado: s.disbursedAmount,
    valor_parcela: s.installmentValue,
    prazo: s.installments,
    margem: s.margin,
    disbursement_amount: s.disbursedAmount,
    installment_face_value: s.installmentValue,
    number_of_installments: s.installments,
    criado_em: new Date(s.createdAt).toISOString(),
  };
}

/** What an old client PUT on top of: the entry without cpf/timestamp (a manual row's body as sent). */
export function cacheEntryData(store: Store, s: SimulationRecord): Json {
  if (s.source === 'manual') return { ...s.data };
  const flow = s.flowId ? store.flows.get(s.flowId) : undefined;
  const lead = flow?.lead;
  return {
    consultId: s.consultId,
    dadosSimulacao: toV8WireSimulation(s.data),
    dadosCliente: lead
      ? {
          nome: lead.name,
          email: lead.emailIsPlaceholder ? null : lead.email,
          telefone: `${lead.phone.countryCode}${lead.phone.areaCode}${lead.phone.phoneNumber}`,
          dataNascimento: lead.birthDate,
        }
      : null,
  };
}

/** The old cache entry of a CPF. */
export function toCacheEntry(store: Store, s: SimulationRecord): Json {
  const data = cacheEntryData(store, s);
  return {
    status: 'APROVADA',
    ...data,
    cpf: s.cpf,
    consultId: s.consultId ?? data.consultId ?? null,
    dadosSimulacao: data.dadosSimulacao ?? null,
    dadosCliente: data.dadosCliente ?? null,
    timestamp: new Date(s.createdAt).toISOString(),
    simulacao: toLegacySimulation(s),
  };
}
