export const CONSULT_STATUSES = [
  'WAITING_CONSENT',
  'CONSENT_APPROVED',
  'WAITING_CONSULT',
  'WAITING_CREDIT_ANALYSIS',
  'SUCCESS',
  'REJECTED',
  'FAILED',
] as const;
export type ConsultStatus = (typeof CONSULT_STATUSES)[number];

export const OPERATION_STATUSES = [
  'generating_ccb',
  'formalization',
  'analysis',
  'manual_analysis',
  'awaiting_call',
  'processing',
  'pending',
  'paid',
  'awaiting_cancel',
  'canceled',
  'refunded',
  'rejected',
] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

export const FINAL_OPERATION_STATUSES: ReadonlySet<OperationStatus> = new Set([
  'paid',
  'canceled',
  'refunded',
  'rejected',
]);

/** Default path of a new operation; each step waits `operationStepMs`. */
export const DEFAULT_OPERATION_FLOW: readonly OperationStatus[] = [
  'generating_ccb',
  'formalization',
  'analysis',
  'processing',
  'paid',
];

/** Where an operation goes after its payment-data pendency is fixed. */
export const AFTER_PENDENCY_FLOW: readonly OperationStatus[] = ['analysis', 'processing', 'paid'];

export const isOperationStatus = (s: unknown): s is OperationStatus =>
  typeof s === 'string' && (OPERATION_STATUSES as readonly string[]).includes(s);

export const isConsultStatus = (s: unknown): s is ConsultStatus =>
  typeof s === 'string' && (CONSULT_STATUSES as readonly string[]).includes(s);
