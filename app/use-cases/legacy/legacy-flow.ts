import type { KentroOpportunity } from '../../adapters/kentro/kentro-client.ts';
import type { ConsultRecord } from '../../adapters/store/consult-repository.ts';
import type { FlowRecord } from '../../adapters/store/flow-repository.ts';
import type { FlowOptions } from '../../domain/flow-steps.ts';
import type { FlowDeps } from '../flow/flow-deps.ts';
import type { FlowView } from '../flow/flow-view.ts';
import { runFlowAndWait } from './flow-and-wait.ts';
import { dadosCliente, dadosValidados, termoResultado } from './legacy-client-data.ts';
import { toV8WireSimulation } from './v8-wire.ts';

/**
 * The old POST /clt/fluxo-completo (clt-fluxo.js executarFluxoCLT): runs (or joins) the CPF's flow,
 * waits for it, and tells its end in the old terms: `etapa` with the old values, `dados_validados`,
 * `termo_resultado`, `simulacao_criada`, `dadosFaltantes`, V8's answer in `simulacao_resultado`.
 * Like the old one it writes the CPF's cache entry (client data, consult status, the simulation or
 * null) when the consult was approved, with or without a simulation.
 */

type Json = Record<string, unknown>;

export type LegacyEtapa =
  | 'busca_oportunidade'
  | 'validacao_dados'
  | 'validacao_nome'
  | 'finalizacao_termo'
  | 'fluxo_completo';

export interface LegacyFlowAnswer {
  readonly flow: FlowView;
  readonly finished: boolean;
  /** 200 simulated, 400 refused, 408 consult not finished (finalizacao_termo). */
  readonly status: 200 | 400 | 408;
  /** The old result object (`resultado`). */
  readonly resultado: Json;
  readonly etapa: LegacyEtapa | undefined;
  readonly erro: string | undefined;
  readonly dadosFaltantes: readonly string[] | null;
  readonly statusTermo: string | null;
  readonly motivoFalha: string | null;
}

const REFUSED = new Set(['REJECTED', 'FAILED', 'ERROR', 'CANCELED', 'WAITING_CONSENT']);
const APPROVED = new Set(['SUCCESS', 'WAITING_CREDIT_ANALYSIS']);
/** Our lead problems in the old names of the missing data (validarDadosOportunidade). */
const OLD_FIELD: Record<string, string> = { name: 'nome', birthDate: 'data_nascimento', phone: 'mainphone' };
const NO_SIMULATION = 'Não foi possível criar simulação em nenhuma parcela';

function stepFailed(flow: FlowView, name: string): boolean {
  return flow.steps.some((s) => s.name === name && s.status === 'failed');
}

function leadProblems(flow: FlowView): string[] {
  const detail = flow.steps.find((s) => s.name === 'lead')?.detail as
    | { problems?: { field: string }[] }
    | undefined;
  return [...new Set((detail?.problems ?? []).map((p) => OLD_FIELD[p.field] ?? p.field))];
}

async function opportunityOf(deps: FlowDeps, record: FlowRecord): Promise<KentroOpportunity | null> {
  if (record.opportunityId === null) return null;
  try {
    return (await deps.kentro.findOpportunityByCpf(record.cpf)) ?? null;
  } catch (err) {
    // Only the extra client fields come from here; the answer goes on without them.
    deps.logger.warn('legacy fluxo: Kentro opportunity not read for the client data', {
      cpf: record.cpf,
      err: err instanceof Error ? err.message : String(err),
    });
    return null;
  }
}

export async function runLegacyFlow(
  deps: FlowDeps,
  input: { readonly cpf: string; readonly options: FlowOptions; readonly waitMs: number },
): Promise<LegacyFlowAnswer> {
  const r = await runFlowAndWait(deps, input);
  const flow = r.flow;
  const base = { flow, finished: r.finished };
  const stamp = new Date(deps.clock.now()).toISOString();
  const fail = (
    etapa: LegacyEtapa | undefined,
    erro: string | undefined,
    extra: Json = {},
    status: 400 | 408 = 400,
  ) => ({
    ...base,
    status,
    etapa,
    erro,
    dadosFaltantes: (extra.dadosFaltantes as string[] | undefined) ?? null,
    statusTermo: (extra.status_termo as string | undefined) ?? null,
    motivoFalha: (extra.motivo_falha as string | undefined) ?? erro ?? null,
    resultado: {
      sucesso: false,
      ...(erro !== undefined ? { erro } : {}),
      ...extra,
      ...(etapa ? { etapa } : {}),
      flow_id: flow.id,
      cpf: flow.cpf,
    },
  });
  if (!r.finished) return fail(undefined, undefined);

  const record = deps.store.flows.get(flow.id) as FlowRecord;
  if (stepFailed(flow, 'opportunity'))
    return fail('busca_oportunidade', 'Oportunidade não encontrada na Kentro');
  if (stepFailed(flow, 'lead')) {
    const missing = leadProblems(flow);
    if (missing.length === 1 && missing[0] === 'nome') {
      return fail('validacao_nome', 'Nome não encontrado na oportunidade da Kentro', {
        dadosFaltantes: ['nome'],
        motivoFalha: 'Preencha o campo de nome na oportunidade da Kentro antes de processar',
      });
    }
    return fail('validacao_dados', 'Dados obrigatórios não preenchidos', { dadosFaltantes: missing });
  }

  const opp = await opportunityOf(deps, record);
  const consult: ConsultRecord | undefined = record.consultId
    ? deps.store.consults.get(record.consultId)
    : undefined;
  const sim = record.simulationId !== null ? deps.store.simulations.get(record.simulationId) : undefined;
  const wire = sim && flow.outcome === 'simulated' ? toV8WireSimulation(sim.data) : null;
  const known = {
    oportunidade_id: record.opportunityId,
    dados_validados: dadosValidados(record, opp),
  };
  if (!consult)
    return fail('fluxo_completo', flow.reason ?? 'fluxo não concluído', { ...known, termo_resultado: null });

  const statusTermo = consult.status;
  if (REFUSED.has(statusTermo)) {
    const why =
      consult.description ??
      (statusTermo === 'REJECTED' ? 'Termo rejeitado pela análise' : `Termo ${statusTermo.toLowerCase()}`);
    return fail(undefined, why, {
      ...known,
      termo_resultado: termoResultado(consult, why),
      status_termo: statusTermo,
      motivo_falha: why,
      simulacao_criada: false,
      timestamp: stamp,
    });
  }
  // The margin never came in FLOW_MARGIN_TIMEOUT: the old "termo não finalizado" (408).
  if (stepFailed(flow, 'margin') && consult.margin === null) {
    return fail(
      'finalizacao_termo',
      'Termo não finalizado - tente mais tarde',
      { ...known, termo_resultado: termoResultado(consult, consult.description), timestamp: stamp },
      408,
    );
  }
  if (!APPROVED.has(statusTermo)) {
    return fail('fluxo_completo', flow.reason ?? 'fluxo não concluído', {
      ...known,
      termo_resultado: termoResultado(consult, flow.reason),
    });
  }

  // Approved: the old service wrote the cache entry here, with the simulation or without one.
  deps.store.simulations.put(
    record.cpf,
    {
      consultId: consult.id,
      ...(wire && sim
        ? {
            v8SimulationId: sim.v8SimulationId ?? undefined,
            configId: sim.configId ?? undefined,
            configSlug: sim.configSlug ?? undefined,
            installments: sim.installments ?? undefined,
            installmentValue: sim.installmentValue ?? undefined,
            disbursedAmount: sim.disbursedAmount ?? undefined,
          }
        : {}),
      margin: consult.margin ?? undefined,
      data: {
        consultId: consult.id,
        dadosSimulacao: wire,
        dadosCliente: dadosCliente(record, opp, consult),
        status: 'APROVADA',
      },
    },
    deps.clock.now(),
  );
  const outcome = {
    ...known,
    termo_resultado: termoResultado(consult, wire ? null : (consult.description ?? NO_SIMULATION)),
    simulacao_resultado: wire,
    simulacao_criada: wire !== null,
    status_termo: statusTermo,
    motivo_falha: wire ? null : NO_SIMULATION,
    timestamp: stamp,
    flow_id: flow.id,
    cpf: flow.cpf,
  };
  if (wire) {
    return {
      ...base,
      status: 200,
      etapa: undefined,
      erro: undefined,
      dadosFaltantes: null,
      statusTermo,
      motivoFalha: null,
      resultado: { sucesso: true, ...outcome },
    };
  }
  return {
    ...base,
    status: 400,
    etapa: undefined,
    erro: undefined,
    dadosFaltantes: null,
    statusTermo,
    motivoFalha: NO_SIMULATION,
    resultado: { sucesso: false, ...outcome },
  };
}
