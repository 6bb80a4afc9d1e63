import type { FlowRecord } from '../../adapters/store/flow-repository.ts';
import type { OutboxKind, OutboxStatus, ParkReason } from '../../adapters/store/outbox-repository.ts';
import type { Store } from '../../adapters/store/store.ts';
import {
  FLOW_STEPS,
  type FlowOptions,
  type FlowOutcome,
  type FlowStepName,
  type FlowViewStatus,
  flowViewStatus,
  type StepStatus,
} from '../../domain/flow-steps.ts';

export interface FlowStepView {
  readonly name: FlowStepName;
  readonly status: StepStatus;
  /** Times the step was entered (retries and margin wake-ups count). */
  readonly attempts: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly detail: Record<string, unknown> | null;
  /** Last transient error of a step that is being retried. */
  readonly error: string | null;
}

export interface FlowCrmUpdateView {
  readonly id: number;
  readonly kind: OutboxKind;
  readonly status: OutboxStatus;
  /** Why a parked update stopped (refused, unknown_outcome, interrupted); see GET /outbox. */
  readonly parkReason: ParkReason | null;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
  readonly lastError: string | null;
}

/** A flow as the API answers it. */
export interface FlowView {
  readonly id: string;
  readonly cpf: string;
  /** waiting_quota: waits for V8's consult quota until `waitUntil`, then goes on by itself. */
  readonly status: FlowViewStatus;
  readonly active: boolean;
  readonly outcome: FlowOutcome | null;
  /** pt-BR explanation of the outcome (also the Kentro note). */
  readonly reason: string | null;
  readonly currentStep: FlowStepName | null;
  readonly options: FlowOptions;
  readonly batchItemId: string | null;
  readonly opportunity: { readonly id: number; readonly created: boolean } | null;
  readonly consult: {
    readonly id: string;
    readonly status: string | null;
    readonly margin: number | null;
    readonly description: string | null;
  } | null;
  readonly simulation: Record<string, unknown> | null;
  readonly steps: FlowStepView[];
  /** Kentro updates this flow queued (delivered, pending or parked with the error). */
  readonly crm: FlowCrmUpdateView[];
  /** waiting_margin: the margin deadline; waiting_quota: when the flow resumes. */
  readonly waitUntil: string | null;
  /** The V8 operation created from this flow (POST /flows/:id/proposal); null until then. */
  readonly proposal: FlowProposalView | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

export interface FlowProposalView {
  readonly id: string;
  readonly status: string;
  readonly formalizationUrl: string | null;
  readonly contractNumber: string | null;
  readonly history: { status: string; at: string }[];
}

function proposalView(store: Store, flowId: string): FlowProposalView | null {
  const op = store.operations.byFlow(flowId)[0];
  if (!op) return null;
  return {
    id: op.id,
    status: op.status,
    formalizationUrl: op.formalizationUrl,
    contractNumber: op.contractNumber,
    history: store.operations.history(op.id).map((h) => ({ status: h.status, at: iso(h.at) ?? '' })),
  };
}

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

export function toFlowView(store: Store, flow: FlowRecord): FlowView {
  const recorded = new Map(store.flows.steps(flow.id).map((s) => [s.name, s]));
  const steps: FlowStepView[] = FLOW_STEPS.map((name) => {
    const s = recorded.get(name);
    return {
      name,
      status: s?.status ?? 'pending',
      attempts: s?.attempts ?? 0,
      startedAt: iso(s?.startedAt),
      finishedAt: iso(s?.finishedAt),
      detail: s?.detail ?? null,
      error: s?.status === 'running' || s?.status === 'failed' ? (s?.error ?? null) : null,
    };
  });
  const consult = flow.consultId ? store.consults.get(flow.consultId) : undefined;
  const simulation =
    (recorded.get('simulation')?.detail?.chosen as Record<string, unknown> | undefined) ?? null;
  const done = flow.status === 'completed';
  const status = flowViewStatus(flow);
  return {
    id: flow.id,
    cpf: flow.cpf,
    status,
    active: !done,
    outcome: flow.outcome,
    reason: flow.reason,
    currentStep: done ? null : flow.step,
    options: flow.options,
    batchItemId: flow.batchItemId,
    opportunity:
      flow.opportunityId === null ? null : { id: flow.opportunityId, created: flow.opportunityCreated },
    consult: flow.consultId
      ? {
          id: flow.consultId,
          status: consult?.status ?? null,
          margin: consult?.margin ?? null,
          description: consult?.description ?? null,
        }
      : null,
    simulation,
    steps,
    crm: store.outbox.byFlow(flow.id).map((o) => ({
      id: o.id,
      kind: o.kind,
      status: o.status,
      parkReason: o.parkReason,
      attempts: o.attempts,
      nextAttemptAt: o.status === 'pending' ? iso(o.nextAttemptAt) : null,
      deliveredAt: iso(o.deliveredAt),
      lastError: o.lastError,
    })),
    waitUntil:
      status === 'waiting_margin'
        ? iso(flow.waitDeadlineAt)
        : status === 'waiting_quota'
          ? iso(flow.quotaWaitUntil)
          : null,
    proposal: proposalView(store, flow.id),
    lastError: flow.lastError,
    createdAt: iso(flow.createdAt) as string,
    updatedAt: iso(flow.updatedAt) as string,
    finishedAt: iso(flow.finishedAt),
  };
}
