import type { ConsultRecord } from '../../adapters/store/consult-repository.ts';
import type { FlowRecord } from '../../adapters/store/flow-repository.ts';
import { consultRefusalReason, formatBrl } from '../../domain/flow-steps.ts';
import { isTerminalConsultStatus } from '../../domain/v8-status.ts';
import { finishFlow } from './finish-flow.ts';
import type { FlowDeps } from './flow-deps.ts';
import type { StepHandler, StepOutcome } from './flow-step.ts';
import { refreshConsult } from './refresh-consult.ts';

function onResult(deps: FlowDeps, flow: FlowRecord, c: ConsultRecord): StepOutcome {
  const detail = {
    status: c.status,
    margin: c.margin,
    description: c.description,
    simulationLimit: c.simulationLimit,
  };
  if (c.status !== 'SUCCESS') {
    // REJECTED is V8 refusing the worker; FAILED (and the defensive ERROR/CANCELED) is V8 failing to
    // reach the payroll source: a technical failure a later run may overcome, not "no margin".
    finishFlow(deps, flow, {
      outcome: c.status === 'REJECTED' ? 'no_margin' : 'failed',
      reason: consultRefusalReason(c.status, c.description),
      stepStatus: 'done',
      detail,
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
  return { kind: 'next', detail };
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
  if (c && isTerminalConsultStatus(c.status)) {
    if (c.status === 'SUCCESS' && (c.verifiedAt === null || c.margin === null)) {
      c = (await refreshConsult(deps, consultId)).record;
    }
    return onResult(deps, flow, c);
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
    if (again && isTerminalConsultStatus(again.status)) return false;
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
