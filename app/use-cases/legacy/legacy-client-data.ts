import type { KentroOpportunity } from '../../adapters/kentro/kentro-client.ts';
import type { ConsultRecord } from '../../adapters/store/consult-repository.ts';
import type { FlowRecord } from '../../adapters/store/flow-repository.ts';

/**
 * The client data of the old service, in its names: `dados_validados` of fluxo-completo
 * (clt-fluxo.js validarDadosOportunidade) and `dadosCliente` of the cache entry it wrote. Read from
 * the flow's lead and the Kentro opportunity's form fields (KENTRO_FORM_FIELDS); '' where the old
 * code answered '' for a field the tenant does not fill.
 */

type Json = Record<string, unknown>;

function phoneOf(flow: FlowRecord, opp: KentroOpportunity | null): string {
  const p = flow.lead?.phone;
  if (p) return `${p.countryCode}${p.areaCode}${p.phoneNumber}`;
  return flow.leadSource?.phone ?? opp?.mainphone ?? '';
}

function address(opp: KentroOpportunity | null): Json {
  const f = opp?.fields ?? {};
  return {
    cep: f.cep ?? '',
    rua: f.street ?? '',
    numero: f.houseNumber ?? '',
    bairro: f.neighborhood ?? '',
    cidade: f.city ?? '',
    estado: f.state ?? '',
  };
}

/** Bank details the old code read from form fields this service does not map: kept empty, as it sent them. */
const BANK = { banco: '', agencia: '', conta: '', tipo_conta: 'corrente' } as const;

export function dadosValidados(flow: FlowRecord, opp: KentroOpportunity | null): Json {
  const f = opp?.fields ?? {};
  return {
    nome: flow.lead?.name ?? flow.leadSource?.name ?? opp?.title ?? '',
    cpf: flow.cpf,
    telefone: phoneOf(flow, opp),
    // As typed in Kentro (the old service answered the form value, DD/MM/YYYY by convention).
    data_nascimento: flow.leadSource?.birthDate ?? flow.lead?.birthDate ?? '',
    email: flow.lead?.email ?? flow.leadSource?.email ?? '',
    nome_mae: f.motherName ?? '',
    valor: opp?.valueCents !== undefined ? opp.valueCents / 100 : 0,
    fkStage: opp?.stageId ?? 0,
    provider: f.provider ?? '',
    tipo_tabela: '',
    endereco: address(opp),
    dados_bancarios: { ...BANK },
    rg: f.rg ?? '',
    pix: { tipo_chave: 'cpf', chave_pix: f.pixKey ?? '', banco_pix: '' },
  };
}

export function dadosCliente(
  flow: FlowRecord,
  opp: KentroOpportunity | null,
  consult: ConsultRecord | undefined,
): Json {
  const v = dadosValidados(flow, opp);
  return {
    nome: v.nome,
    cpf: flow.cpf,
    telefone: v.telefone,
    email: v.email,
    dataNascimento: v.data_nascimento,
    gender: flow.lead?.gender === 'female' ? 'Feminino' : 'Masculino',
    nomeMae: v.nome_mae,
    rg: v.rg,
    endereco: v.endereco,
    dadosBancarios: v.dados_bancarios,
    oportunidadeId: flow.opportunityId,
    termoId: consult?.id ?? null,
    statusTermo: consult?.status ?? null,
  };
}

/** The V8 consult as the old `termo_resultado`. */
export function termoResultado(consult: ConsultRecord, description: string | null): Json {
  const done = consult.status !== 'WAITING_CONSENT' && consult.status !== 'WAITING_CONSULT';
  return {
    id: consult.id,
    status: consult.status,
    description,
    availableMarginValue: consult.margin,
    documentNumber: consult.cpf,
    name: null,
    authorized: consult.status !== 'WAITING_CONSENT',
    finalized: done,
  };
}
