import type { FlowRecord } from '../../adapters/store/flow-repository.ts';
import type { NewOutboxItem } from '../../adapters/store/outbox-repository.ts';
import {
  blockedByWorkerNote,
  type FlowOutcome,
  failedNote,
  needsDataNote,
  noMarginNote,
} from '../../domain/flow-steps.ts';
import { crmItem, enqueueAll, type StageName, stageItem } from '../outbox/crm-updates.ts';
import type { FlowDeps } from './flow-deps.ts';

export interface FlowEnding {
  readonly outcome: FlowOutcome;
  /** pt-BR, for the broker. */
  readonly reason: string;
  /** How the current step ends (failed for errors, done when the step worked but the answer is "no"). */
  readonly stepStatus: 'done' | 'failed';
  readonly detail?: Record<string, unknown>;
  /** Extra CRM updates (the simulated ending queues value, fields, note, template). */
  readonly crm?: readonly (NewOutboxItem | undefined)[];
  readonly lastError?: string | undefined;
  /** needs_data: the lead field V8 disputes (named in the note). */
  readonly field?: string | undefined;
}

/** Where an ending that needs the broker to act goes: KENTRO_STAGE_NEEDS_DATA, else the failed stage. */
function endingStage(deps: FlowDeps, outcome: FlowOutcome): StageName {
  if (outcome === 'no_margin') return 'noMargin';
  if (outcome === 'needs_data' || outcome === 'blocked_by_worker') {
    return deps.settings.stages.needsData !== undefined ? 'needsData' : 'failed';
  }
  return 'failed';
}

function endingNote(e: FlowEnding): string {
  if (e.outcome === 'no_margin') return noMarginNote(e.reason);
  if (e.outcome === 'needs_data') return needsDataNote(e.reason, e.field);
  if (e.outcome === 'blocked_by_worker') return blockedByWorkerNote(e.reason);
  return failedNote(e.reason);
}

/** Endings other than simulated move the lead and leave a note; simulated brings its own items. */
function defaultCrm(deps: FlowDeps, flow: FlowRecord, e: FlowEnding): (NewOutboxItem | undefined)[] {
  if (flow.opportunityId === null || e.outcome === 'simulated') return [];
  const scope = `flow:${flow.id}`;
  const stage = endingStage(deps, e.outcome);
  const text = endingNote(e);
  return [
    stageItem(scope, flow.opportunityId, deps.settings.stages, stage, flow.id),
    crmItem(scope, `note:${e.outcome}`, 'note', flow.opportunityId, { text }, flow.id),
  ];
}

/**
 * Completes the flow and queues its CRM updates in the same transaction: either both happen or
 * neither (a crash before the commit re-runs the step; the keys keep the queue free of duplicates).
 */
export function finishFlow(deps: FlowDeps, flow: FlowRecord, e: FlowEnding): void {
  const { store, clock } = deps;
  const now = clock.now();
  const queued = store.tx(() => {
    const added = enqueueAll(store, [...defaultCrm(deps, flow, e), ...(e.crm ?? [])], now);
    store.flows.finishStep(flow.id, flow.step, e.stepStatus, now, e.detail);
    store.flows.update(
      flow.id,
      {
        status: 'completed',
        outcome: e.outcome,
        reason: e.reason,
        finishedAt: now,
        ...(e.lastError !== undefined ? { lastError: e.lastError } : {}),
      },
      now,
    );
    return added;
  });
  deps.logger.info('flow finished', {
    flowId: flow.id,
    cpf: flow.cpf,
    outcome: e.outcome,
    step: flow.step,
    reason: e.reason,
    crmQueued: queued.length,
  });
  store.signals.emit('flow-completed', flow.id);
  if (queued.length > 0) store.signals.emit('outbox-enqueued');
}
