import type { RawLead } from './lead.ts';
import type { SimulationWish } from './simulation-policy.ts';

/**
 * The CLT flow ("fluxo completo") as data: its steps in order, the states a flow can be in and how
 * it can end. The flow's state lives in the store; these names are what the API shows.
 */

export const FLOW_STEPS = [
  /** Find the CPF's open opportunity in Kentro (create it only when the caller allows). */
  'opportunity',
  /** Validate and normalize the lead (name, birth date, phone, e-mail, gender). */
  'lead',
  /** Create the V8 consult, or reuse the CPF's still-valid one. */
  'consult',
  /** Authorize the consent term. */
  'authorize',
  /** Wait for the margin: webhook first, polling as fallback, bounded. */
  'margin',
  /** Pick and run a simulation (policy), store it. */
  'simulation',
  /** Queue the Kentro updates (value, fields, stage, note, WhatsApp) in the outbox. */
  'crm',
] as const;
export type FlowStepName = (typeof FLOW_STEPS)[number];

export function isFlowStep(name: string): name is FlowStepName {
  return (FLOW_STEPS as readonly string[]).includes(name);
}

export function nextStep(step: FlowStepName): FlowStepName | undefined {
  return FLOW_STEPS[FLOW_STEPS.indexOf(step) + 1];
}

/** queued: not started; running: runnable now or after a retry delay; waiting_margin: parked until V8 answers. */
export const FLOW_STATUSES = ['queued', 'running', 'waiting_margin', 'completed'] as const;
export type FlowStatus = (typeof FLOW_STATUSES)[number];

/**
 * simulated: Kentro gets value + simulated stage; no_margin: V8 refused (not eligible) or no margin;
 * needs_data: V8's registration data disagree with the lead's (birth date, name…): fix and run again;
 * blocked_by_worker: the worker blocked margin queries in the government app; failed: anything else.
 */
export const FLOW_OUTCOMES = ['simulated', 'no_margin', 'needs_data', 'blocked_by_worker', 'failed'] as const;
export type FlowOutcome = (typeof FLOW_OUTCOMES)[number];

/** What the caller of a flow may choose; stored with the flow so a resumed flow behaves the same. */
export interface FlowOptions {
  /** Send the WhatsApp template (KENTRO_WA_TEMPLATE_ID) after a successful simulation. Default false. */
  readonly sendWhatsapp?: boolean | undefined;
  /** Create the Kentro opportunity when the CPF has none open. Default false. */
  readonly createOpportunity?: boolean | undefined;
  readonly simulation?: SimulationWish | undefined;
  /** Lead data from the caller; each field given wins over Kentro's (and fills a created opportunity). */
  readonly lead?: RawLead | undefined;
  /**
   * Lead data from a batch's CSV row: it only fills what Kentro's opportunity lacks (a spreadsheet
   * must not overwrite the CRM), and is the data of an opportunity created for the row.
   */
  readonly rowLead?: RawLead | undefined;
}

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export function isActiveFlowStatus(status: string): boolean {
  return status !== 'completed';
}

const brl = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });

/** "R$ 5.412,80" (no-break space normalized to a plain one: Meta templates reject odd whitespace). */
export function formatBrl(value: number): string {
  return brl.format(value).replace(/\s/g, ' ');
}

/** Decimal string with a dot, as Kentro form fields store money ("5412.80"). */
export function moneyField(value: number): string {
  return value.toFixed(2);
}

export interface SimulatedSummary {
  readonly disbursedAmount: number;
  readonly installmentValue: number;
  readonly installments: number;
  readonly margin: number;
  readonly configSlug: string | undefined;
}

/** The Kentro note written after a successful simulation (pt-BR, for the broker). */
export function simulatedNote(s: SimulatedSummary): string {
  const table = s.configSlug ? `; tabela ${s.configSlug}` : '';
  return (
    `Crédito do Trabalhador (V8): valor liberado ${formatBrl(s.disbursedAmount)} em ${s.installments}x de ` +
    `${formatBrl(s.installmentValue)}; margem disponível ${formatBrl(s.margin)}${table}.`
  );
}

export function noMarginNote(reason: string): string {
  return `Crédito do Trabalhador (V8): sem margem. Motivo: ${reason}`;
}

const FIELD_PT: Record<string, string> = {
  birthDate: 'data de nascimento',
  name: 'nome',
  gender: 'sexo',
  registration: 'dados cadastrais',
};

/** The lead field V8 disputes, in pt-BR ("data de nascimento"). */
export function leadFieldPt(field: string | undefined): string {
  return FIELD_PT[field ?? 'registration'] ?? field ?? 'dados cadastrais';
}

export function needsDataNote(reason: string, field: string | undefined): string {
  return (
    `Crédito do Trabalhador (V8): dados do cliente não conferem com os da V8 (campo: ${leadFieldPt(field)}). ` +
    `Corrija o cadastro e rode novamente. Motivo: ${reason}`
  );
}

export function blockedByWorkerNote(reason: string): string {
  return (
    'Crédito do Trabalhador (V8): o trabalhador bloqueou a consulta de margem no app da Carteira de ' +
    `Trabalho Digital; peça que desbloqueie e rode novamente. Motivo: ${reason}`
  );
}

export function failedNote(reason: string): string {
  return `Crédito do Trabalhador: fluxo não concluído. Motivo: ${reason}`;
}

/** A consult's final V8 status and description as a pt-BR reason. */
export function consultRefusalReason(status: string, description: string | null | undefined): string {
  const d = description?.trim();
  const what =
    status === 'REJECTED'
      ? 'consulta recusada pela V8'
      : status === 'FAILED' || status === 'ERROR'
        ? 'consulta falhou na V8'
        : `consulta encerrada na V8 (${status})`;
  return d ? `${what}: ${d}` : what;
}
