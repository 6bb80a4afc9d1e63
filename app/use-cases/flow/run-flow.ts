import type { FlowRecord } from '../../adapters/store/flow-repository.ts';
import { isAppError } from '../../domain/app-error.ts';
import { deliveryRetryDelayMs } from '../../domain/delivery-retry.ts';
import { type FlowStepName, nextStep } from '../../domain/flow-steps.ts';
import { emitBatchChanged } from './consult-quota.ts';
import { finishFlow } from './finish-flow.ts';
import type { FlowDeps } from './flow-deps.ts';
import type { StepHandler } from './flow-step.ts';
import { authorizeStep, consultStep } from './step-consult.ts';
import { crmStep } from './step-crm.ts';
import { leadStep } from './step-lead.ts';
import { marginStep } from './step-margin.ts';
import { opportunityStep } from './step-opportunity.ts';
import { simulationStep } from './step-simulation.ts';

const HANDLERS: Record<FlowStepName, StepHandler> = {
  opportunity: opportunityStep,
  lead: leadStep,
  consult: consultStep,
  authorize: authorizeStep,
  margin: marginStep,
  simulation: simulationStep,
  crm: crmStep,
};

const STEP_PT: Record<FlowStepName, string> = {
  opportunity: 'busca da oportunidade no Kentro',
  lead: 'validação dos dados do cliente',
  consult: 'criação da consulta na V8',
  authorize: 'autorização da consulta na V8',
  margin: 'consulta da margem na V8',
  simulation: 'simulação na V8',
  crm: 'atualização do Kentro',
};

/** Errors that may pass (the service is down, busy or slow): the step is retried with backoff. */
const TRANSIENT = new Set(['upstream_unavailable', 'upstream_error', 'timeout', 'rate_limited', 'internal']);

export function isTransientFlowError(err: unknown): boolean {
  return !isAppError(err) || TRANSIENT.has(err.code);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function onStepError(deps: FlowDeps, flow: FlowRecord, err: unknown): void {
  const { store, clock, settings, logger } = deps;
  const now = clock.now();
  const message = messageOf(err);
  const attempts = flow.attempts + 1;
  if (isAppError(err) && err.code === 'analysis_pending') {
    // "ainda em análise": V8 will answer, just not yet. Asked again later with the poll's backoff,
    // without limit: it never makes the flow fail.
    const delay = deliveryRetryDelayMs(attempts, { baseMs: settings.pollFirstMs, maxMs: settings.pollMaxMs });
    store.tx(() => {
      store.flows.stepError(flow.id, flow.step, message, now);
      store.flows.update(
        flow.id,
        { status: 'running', attempts, nextRunAt: now + delay, lastError: message },
        now,
      );
    });
    logger.info('V8 is still analysing, step retried later', {
      flowId: flow.id,
      step: flow.step,
      attempts,
      delayMs: delay,
    });
    return;
  }
  if (isTransientFlowError(err) && attempts < settings.stepRetry.maxAttempts) {
    const delay = deliveryRetryDelayMs(attempts, settings.stepRetry, flow.createdAt);
    store.tx(() => {
      store.flows.stepError(flow.id, flow.step, message, now);
      store.flows.update(
        flow.id,
        { status: 'running', attempts, nextRunAt: now + delay, lastError: message },
        now,
      );
    });
    logger.warn('flow step failed, will retry', {
      flowId: flow.id,
      step: flow.step,
      attempts,
      delayMs: delay,
      error: message,
    });
    return;
  }
  const exhausted = isTransientFlowError(err) ? ` (indisponível após ${attempts} tentativas)` : '';
  finishFlow(deps, flow, {
    outcome: 'failed',
    reason: `falha na ${STEP_PT[flow.step]}${exhausted}: ${message}`,
    stepStatus: 'failed',
    detail: { error: message, code: isAppError(err) ? err.code : 'internal' },
    lastError: message,
  });
}

/**
 * Runs the flow's steps from where it stands until it waits (margin, retry delay) or completes.
 * Every step's result is committed before the next step starts, so a crash or a stop at any point
 * resumes at the step that was running. `shouldStop` is checked between steps (worker shutdown).
 */
export async function advanceFlow(
  deps: FlowDeps,
  flowId: string,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  const { store, clock } = deps;
  for (;;) {
    const flow = store.flows.get(flowId);
    if (!flow || flow.status === 'completed' || flow.status === 'waiting_margin') return;
    const started = clock.now();
    if (flow.nextRunAt > started || shouldStop()) return;
    store.tx(() => {
      store.flows.startStep(flow.id, flow.step, started);
      if (flow.status === 'queued') store.flows.update(flow.id, { status: 'running' }, started);
      if (flow.quotaWaitUntil !== null) store.flows.update(flow.id, { quotaWaitUntil: null }, started);
    });
    if (flow.quotaWaitUntil !== null) emitBatchChanged(deps, flow);
    let outcome: Awaited<ReturnType<StepHandler>>;
    try {
      outcome = await HANDLERS[flow.step](deps, flow);
    } catch (err) {
      onStepError(deps, flow, err);
      return;
    }
    if (outcome.kind === 'stop') continue;
    const next = nextStep(flow.step);
    const now = clock.now();
    store.tx(() => {
      const extra = outcome.apply?.(now);
      store.flows.finishStep(flow.id, flow.step, outcome.status ?? 'done', now, {
        ...outcome.detail,
        ...extra,
      });
      store.flows.update(
        flow.id,
        {
          ...outcome.patch,
          status: 'running',
          step: next ?? flow.step,
          attempts: 0,
          lastError: null,
          nextRunAt: now,
        },
        now,
      );
    });
  }
}
