import type { OperationStatus } from './statuses.ts';

export type ConsultOutcome = 'success' | 'rejected' | 'failed' | 'hang';

/** How the fake answers for one CPF. */
export interface Scenario {
  label: string;
  outcome: ConsultOutcome;
  /** REJECTED/FAILED reason (`description`). */
  description?: string;
  /** The worker's "real" birth date: a consult with another birthDate ends REJECTED. */
  birthDate?: string;
  /** Used by client-data/basic and when the consult carried no name. */
  name?: string;
  email?: string;
  /** SUCCESS margin, a numeric string ("0.00" = no margin: simulations are not eligible). */
  availableMarginValue?: string;
  admissionDateMonthsDifference?: number;
  installmentsMax?: number;
  valueMax?: number;
  /** Margin shown while hanging in WAITING_CREDIT_ANALYSIS (default null). */
  pendingMarginValue?: string | null;
  /**
   * "ainda em análise": the first N simulations of each consult are refused with 400
   * `consult_in_analysis` "Consulta ainda em análise" (V8 has not finished; a later try works).
   */
  analysisPendingSimulations?: number;
  /** The first N authorize calls answer 200 but the consult stays WAITING_CONSENT (a lost consent). */
  ignoredAuthorizations?: number;
  /** Statuses an operation of this CPF walks through (default DEFAULT_OPERATION_FLOW). */
  operationFlow?: OperationStatus[];
}

export const BIRTH_DATE_MISMATCH = 'Data de nascimento não confere';
export const BLOCKED_BY_WORKER = 'Consulta de margem bloqueada pelo trabalhador';
export const ANALYSIS_PENDING = 'Consulta ainda em análise, tente novamente em instantes';

/** Documented CPFs (all with valid check digits). Their 9th digit agrees with the fallback rule. */
export const DEFAULT_SCENARIOS: Readonly<Record<string, Scenario>> = {
  '12345678062': {
    label: 'success (standard)',
    outcome: 'success',
    name: 'MARIA TESTE DA SILVA',
    availableMarginValue: '512.37',
  },
  '23456789173': {
    label: 'success (high margin)',
    outcome: 'success',
    name: 'JOAO TESTE PEREIRA',
    availableMarginValue: '1500.00',
  },
  '34567890256': {
    label: 'success (short tenure, max 24 installments)',
    outcome: 'success',
    name: 'ANA TESTE SOUZA',
    availableMarginValue: '300.00',
    admissionDateMonthsDifference: 8,
    installmentsMax: 24,
    valueMax: 5000,
  },
  '45678901320': {
    label: 'success only with birthDate 1985-06-15, else REJECTED (birth date mismatch)',
    outcome: 'success',
    name: 'CARLOS TESTE LIMA',
    birthDate: '1985-06-15',
    availableMarginValue: '420.00',
  },
  '56789012494': {
    label: 'success; operations stop in `pending` (payment data) until PATCH payment-data',
    outcome: 'success',
    name: 'PAULA TESTE ROCHA',
    availableMarginValue: '800.00',
    operationFlow: ['generating_ccb', 'formalization', 'analysis', 'pending'],
  },
  '67890123540': {
    label: 'success; operations end `rejected`',
    outcome: 'success',
    name: 'PEDRO TESTE ALVES',
    availableMarginValue: '650.00',
    operationFlow: ['generating_ccb', 'formalization', 'analysis', 'rejected'],
  },
  '11122233639': {
    label: 'REJECTED (not eligible)',
    outcome: 'rejected',
    description: 'Trabalhador não elegível para o Crédito do Trabalhador',
  },
  '22233344669': {
    label: 'REJECTED (margin query blocked by the worker)',
    outcome: 'rejected',
    description: BLOCKED_BY_WORKER,
  },
  '33344455770': {
    label: 'FAILED',
    outcome: 'failed',
    description: 'Falha ao consultar os dados do trabalhador na fonte pagadora',
  },
  '44455566880': {
    label: 'hangs in WAITING_CREDIT_ANALYSIS',
    outcome: 'hang',
  },
  '77889900198': {
    label: 'success; the first 2 simulations answer "ainda em análise"',
    outcome: 'success',
    name: 'LUCAS TESTE ANALISE',
    availableMarginValue: '450.00',
    analysisPendingSimulations: 2,
  },
  '77889911203': {
    label: 'success; the first authorize is lost (stays WAITING_CONSENT)',
    outcome: 'success',
    name: 'RENATA TESTE CONSENTIMENTO',
    availableMarginValue: '380.00',
    ignoredAuthorizations: 1,
  },
  '55566677991': {
    label: 'SUCCESS with no margin (availableMarginValue "0.00")',
    outcome: 'success',
    availableMarginValue: '0.00',
  },
};

/**
 * CPFs not in the table: the 9th digit (the last one before the check digits) decides.
 * 0–5 success (margin derived from the CPF), 6 rejected, 7 failed, 8 hang, 9 no margin.
 */
export function fallbackScenario(cpf: string): Scenario {
  const ninth = cpf.charAt(8);
  switch (ninth) {
    case '6':
      return {
        label: 'REJECTED (rule: 9th digit 6)',
        outcome: 'rejected',
        description: 'Trabalhador não elegível para o Crédito do Trabalhador',
      };
    case '7':
      return {
        label: 'FAILED (rule: 9th digit 7)',
        outcome: 'failed',
        description: 'Falha ao consultar os dados do trabalhador na fonte pagadora',
      };
    case '8':
      return { label: 'hang in WAITING_CREDIT_ANALYSIS (rule: 9th digit 8)', outcome: 'hang' };
    case '9':
      return {
        label: 'SUCCESS, no margin (rule: 9th digit 9)',
        outcome: 'success',
        availableMarginValue: '0.00',
      };
    default: {
      const n = Number(cpf.slice(0, 6)) || 0;
      const margin = (150 + (n % 185_000) / 100).toFixed(2);
      return { label: 'success (rule: 9th digit 0-5)', outcome: 'success', availableMarginValue: margin };
    }
  }
}

export type ScenarioResolver = (cpf: string) => Scenario | undefined;

/** Table first, then an optional custom resolver, then the 9th-digit rule. */
export class ScenarioTable {
  private table: Map<string, Scenario>;
  private readonly base: Record<string, Scenario>;
  private readonly resolver: ScenarioResolver | undefined;

  constructor(extra: Record<string, Scenario> = {}, resolver?: ScenarioResolver) {
    this.base = { ...DEFAULT_SCENARIOS, ...extra };
    this.table = new Map(Object.entries(this.base));
    this.resolver = resolver;
  }

  resolve(cpf: string): Scenario {
    return this.table.get(cpf) ?? this.resolver?.(cpf) ?? fallbackScenario(cpf);
  }

  set(cpf: string, scenario: Scenario): void {
    this.table.set(cpf, scenario);
  }

  entries(): Record<string, Scenario> {
    return Object.fromEntries(this.table);
  }

  reset(): void {
    this.table = new Map(Object.entries(this.base));
  }
}
