import type { ConsultRecord } from '../../adapters/store/consult-repository.ts';
import type { FlowRecord } from '../../adapters/store/flow-repository.ts';
import { deliveryRetryDelayMs } from '../../domain/delivery-retry.ts';
import { consultRefusalReason, formatBrl } from '../../domain/flow-steps.ts';
import { classifyConsultRefusal } from '../../domain/v8-error-classification.ts';
import { isConsultUsable, isTerminalConsultStatus } from '../../domain/v8-status.ts';
import { enqueueAll, stageItem } from '../outbox/crm-updates.ts';
import { finishFlow } from './finish-flow.ts';
import type { FlowDeps } from './flow-deps.ts';
import type { StepHandler, StepOutcome } from './flow-step.ts';
import { refreshConsult } from './refresh-consult.ts';

/**
 * "ainda em análise" on a closed consult is not an answer: the flow goes back to the consult step
 * later (with backoff) for a new one, instead of failing.
 */
function retryAnalysisLater(deps: FlowDeps, flow: FlowRecord, c: ConsultRecord): StepOutcome {
  const { store, clock, settings } = deps;
  const now = clock.now();
  const attempts = flow.attempts + 1;
  const delay = deliveryRetryDelayMs(attempts, { baseMs: settings.pollFirstMs, maxMs: settings.pollMaxMs });
  store.tx(() => {
    store.flows.finishStep(flow.id, flow.step, 'failed', now, {
      status: c.status,
      description: c.description,
      analysisPending: true,
    });
    store.flows.update(
      flow.id,
      {
        status: 'running',
        step: 'consult',
        consultId: null,
        attempts,
        nextRunAt: now + delay,
        waitDeadlineAt: null,
        nextPollAt: null,
        pollCount: 0,
        lastError: `V8: ${c.description ?? 'ainda em análise'}`,
      },
      now,
    );
  });
  deps.logger.info('consult still in analysis at V8, flow retries later', {
    flowId: flow.id,
    consultId: c.id,
    delayMs: delay,
  });
  return { kind: 'stop' };
}

function onResult(deps: FlowDeps, flow: FlowRecord, c: ConsultRecord): StepOutcome {
  const detail = {
    status: c.status,
    margin: c.margin,
    description: c.description,
    simulationLimit: c.simulationLimit,
  };
  // A usable waiting status (WAITING_CREDIT_ANALYSIS with a margin) goes on like SUCCESS.
  const refusal = isTerminalConsultStatus(c.status)
    ? classifyConsultRefusal(c.status, c.description)
    : undefined;
  if (refusal?.kind === 'analysis_pending') return retryAnalysisLater(deps, flow, c);
  if (refusal) {
    // REJECTED is V8 refusing the worker, for a reason that may need the broker (data, a block);
    // FAILED (and the defensive ERROR/CANCELED) is V8 failing to reach the payroll source.
    finishFlow(deps, flow, {
      outcome: refusal.kind,
      reason: consultRefusalReason(c.status, c.description),
      stepStatus: 'done',
      detail: { ...detail, ...(refusal.field ? { field: refusal.field } : {}) },
      field: refusal.field,
    });
    return { kind: 'stop' };
  }
  const margin = c.margin ?? 0;
  if (!(margin > 0)) {
    finishFlow(deps, flow, {
      outcome: 'no_margin',
      reason: `sem margem disponível para o Crédito do Trabalhador (margem ${formatBrl(margin)})`,
      stepStatus: 'done',
      detail,
    });
    return { kind: 'stop' };
  }
  const opportunityId = flow.opportunityId;
  return {
    kind: 'next',
    detail,
    // The margin is known (SUCCESS, or a margin during the credit analysis): the lead moves to
    // KENTRO_STAGE_MARGIN_FOUND before the simulation, in the step's own transaction.
    apply: (now) => {
      if (opportunityId === null) return undefined;
      const item = stageItem(`flow:${flow.id}`, opportunityId, deps.settings.stages, 'marginFound', flow.id);
      const queued = enqueueAll(deps.store, [item], now);
      return queued.length > 0 ? { marginFoundStageQueued: true } : undefined;
    },
  };
}

/**
 * Waits for V8's result. The webhook handler (or the fallback poller) records the consult and wakes
 * the flow; until then the flow is parked as waiting_margin, bounded by FLOW_MARGIN_TIMEOUT_S.
 * Before anything involving money the consult is re-read from V8 unless that already happened.
 */
export const marginStep: StepHandler = async (deps, flow) => {
  const consultId = flow.consultId;
  if (consultId === null) throw new Error('flow reached the margin step without a consult id');
  const { store, clock, settings } = deps;
  let c = store.consults.get(consultId);
  if (c && isConsultUsable(c)) {
    const money = c.status === 'SUCCESS' || c.status === 'WAITING_CREDIT_ANALYSIS';
    if (money && (c.verifiedAt === null || c.margin === null)) {
      c = (await refreshConsult(deps, consultId)).record;
    }
    if (isConsultUsable(c)) return onResult(deps, flow, c);
  }
  const now = clock.now();
  const deadline = flow.waitDeadlineAt ?? now + settings.marginTimeoutMs;
  if (now >= deadline) {
    const minutes = Math.max(1, Math.round(settings.marginTimeoutMs / 60_000));
    finishFlow(deps, flow, {
      outcome: 'failed',
      reason: `a V8 não informou a margem em ${minutes} min (último status: ${c?.status ?? 'desconhecido'}); tente novamente mais tarde`,
      stepStatus: 'failed',
      detail: { status: c?.status ?? null, timedOut: true },
    });
    return { kind: 'stop' };
  }
  const nextPollAt =
    flow.nextPollAt !== null && flow.nextPollAt > now ? flow.nextPollAt : now + settings.pollFirstMs;
  const parked = store.tx(() => {
    const again = store.consults.get(consultId);
    if (again && isConsultUsable(again)) return false;
    store.flows.update(flow.id, { status: 'waiting_margin', waitDeadlineAt: deadline, nextPollAt }, now);
    return true;
  });
  if (!parked) {
    const fresh = store.flows.get(flow.id);
    if (!fresh) return { kind: 'stop' };
    return marginStep(deps, fresh);
  }
  return { kind: 'stop' };
};
