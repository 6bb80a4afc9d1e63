import type { V8Provider } from '../../config/app-config.ts';
import type { SplitPhone } from '../../domain/phone.ts';

/**
 * What the service needs from V8 Sistema's BFF, in our own names (camelCase, numbers for money).
 * The HTTP implementation maps to V8's mixed snake/camel case; use cases and tests only see this.
 * Every method rejects with an AppError (stable code + V8's own explanation as `detail`).
 */
export interface V8Client {
  createConsult(input: NewConsult): Promise<{ id: string; status: string }>;
  /** `consult_already_approved` (and a 409) count as success: `alreadyApproved: true`. */
  authorizeConsult(consultId: string): Promise<{ alreadyApproved: boolean }>;
  listConsults(query: ConsultQuery): Promise<V8Page<V8Consult>>;
  getConsult(consultId: string): Promise<V8Consult>;
  listSimulationConfigs(): Promise<V8SimulationConfig[]>;
  /** At most one of installmentValue / disbursedAmount (neither: V8 uses the margin). */
  simulate(input: SimulationRequest): Promise<V8Simulation>;
  createOperation(input: NewOperation): Promise<V8OperationCreated>;
  listOperations(query: OperationQuery): Promise<V8Page<V8OperationSummary>>;
  getOperation(operationId: string, provider?: V8Provider): Promise<V8Operation>;
  cancelOperation(operationId: string, input: CancelRequest): Promise<void>;
  updatePaymentData(operationId: string, bank: BankData): Promise<void>;
  registerWebhook(kind: WebhookKind, url: string): Promise<void>;
}

export type Gender = 'male' | 'female';
export type WebhookKind = 'consult' | 'operation';

export interface NewConsult {
  readonly cpf: string;
  readonly name: string;
  readonly birthDate: string;
  readonly gender: Gender;
  readonly email: string;
  readonly phone: SplitPhone;
  readonly provider: V8Provider;
}

export interface ConsultQuery {
  /** ISO-8601 UTC datetimes. */
  readonly startDate: string;
  readonly endDate: string;
  readonly limit: number;
  readonly page: number;
  readonly provider: V8Provider;
  readonly search?: string | undefined;
  readonly status?: string | undefined;
}

export type OperationQuery = Omit<ConsultQuery, 'status'>;

export interface V8Page<T> {
  readonly items: T[];
  /** Only when V8 sent pagination metadata (unverified; clients rarely page). */
  readonly totalPages?: number | undefined;
}

export interface V8SimulationLimit {
  readonly monthMin?: number | undefined;
  readonly monthMax?: number | undefined;
  readonly installmentsMin?: number | undefined;
  readonly installmentsMax?: number | undefined;
  readonly valueMin?: number | undefined;
  readonly valueMax?: number | undefined;
}

export interface V8Consult {
  readonly id: string;
  readonly status: string;
  readonly description: string | null;
  readonly documentNumber: string | undefined;
  readonly name: string | undefined;
  /** The birth date the consult was made with (list and detail; RS model). */
  readonly birthDate?: string | undefined;
  /** The monthly instalment the worker can still commit; known at SUCCESS. */
  readonly availableMarginValue: number | undefined;
  readonly marginBaseValue: number | undefined;
  readonly admissionDateMonthsDifference: number | undefined;
  readonly simulationLimit: V8SimulationLimit | undefined;
  readonly employerName: string | undefined;
  readonly createdAt: string | undefined;
  readonly updatedAt: string | undefined;
}

export interface V8SimulationConfig {
  readonly id: string;
  readonly slug: string | undefined;
  readonly name: string | undefined;
  /** Percent per month. */
  readonly monthlyInterestRate: number | undefined;
  readonly installments: number[];
  readonly insured: boolean;
}

export interface SimulationRequest {
  readonly consultId: string;
  readonly configId: string;
  readonly installments: number;
  readonly provider: V8Provider;
  readonly installmentValue?: number | undefined;
  readonly disbursedAmount?: number | undefined;
}

export interface V8Simulation {
  readonly id: string;
  readonly installmentValue: number | undefined;
  readonly installments: number | undefined;
  readonly operationAmount: number | undefined;
  readonly issueAmount: number | undefined;
  /** Released value: disbursement_option.final_disbursement_amount, else disbursed_issue_amount. */
  readonly disbursedAmount: number | undefined;
  readonly iofAmount: number | undefined;
  readonly monthlyInterestRate: number | undefined;
  readonly cet: number | undefined;
  readonly firstInstallmentDate: string | undefined;
  readonly insured: boolean | undefined;
  readonly provider: string | undefined;
  readonly configId: string | undefined;
}

export type BankData =
  | {
      readonly transferMethod: 'pix';
      readonly pixKey: string;
      readonly pixKeyType: 'cpf' | 'email' | 'phone' | 'random';
    }
  | {
      readonly transferMethod: 'ted';
      readonly bankId?: string | undefined;
      readonly bankCode: string;
      readonly branchNumber: string;
      readonly accountNumber: string;
      readonly accountDigit: string;
    };

export interface OperationBorrower {
  readonly name: string;
  readonly email: string;
  readonly phone: SplitPhone;
  readonly politicallyExposed: boolean;
  readonly address: {
    readonly street: string;
    readonly number: string;
    readonly complement?: string | undefined;
    readonly neighborhood: string;
    readonly city: string;
    readonly state: string;
    readonly postalCode: string;
  };
  readonly birthDate: string;
  readonly motherName: string;
  readonly nationality: string;
  readonly documentIssuer: string;
  readonly gender: Gender;
  readonly maritalStatus: 'single' | 'married' | 'divorced' | 'widowed';
  readonly cpf: string;
  readonly identityDocument: {
    readonly type: 'rg' | 'cnh';
    readonly number: string;
    readonly issueDate: string;
  };
  readonly bank: BankData;
  readonly workData?:
    | {
        readonly employerName?: string | undefined;
        readonly employerDocumentNumber?: string | undefined;
        readonly registrationNumber?: string | undefined;
      }
    | undefined;
}

export interface NewOperation {
  readonly simulationId: string;
  readonly provider: V8Provider;
  readonly borrower: OperationBorrower;
}

export interface V8OperationCreated {
  readonly id: string;
  readonly formalizationUrl: string | undefined;
  readonly status: string;
}

export interface V8OperationSummary {
  readonly id: string;
  readonly status: string;
  readonly contractNumber: string | undefined;
  readonly name: string | undefined;
  readonly documentNumber: string | undefined;
  readonly createdAt: string | undefined;
  readonly disbursedAmount: number | undefined;
}

export interface V8Operation {
  readonly id: string;
  readonly status: string;
  readonly provider: string | undefined;
  readonly contractNumber: string | undefined;
  readonly contractUrl: string | undefined;
  readonly formalizationUrl: string | undefined;
  /** Why it is pending or rejected (pendency_reason / status_description). */
  readonly pendencyReason: string | undefined;
  readonly issueAmount: number | undefined;
  readonly installmentValue: number | undefined;
  readonly installments: number | undefined;
  readonly disbursedAmount: number | undefined;
}

export interface CancelRequest {
  /** `<category>:<detail>`, e.g. invalid_data:other. */
  readonly reason: string;
  readonly description?: string | undefined;
  readonly provider: V8Provider;
}
