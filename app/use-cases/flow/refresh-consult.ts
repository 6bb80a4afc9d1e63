import type { ConsultObservation, ConsultRecordResult } from '../../adapters/store/consult-repository.ts';
import type { V8Consult } from '../../adapters/v8/v8-client.ts';
import { isConsultUsable } from '../../domain/v8-status.ts';
import type { FlowDeps } from './flow-deps.ts';
import { type ConsultReadDeps, type ConsultWhereabouts, readV8Consult } from './read-v8-consult.ts';

export function observationFromV8(c: V8Consult): ConsultObservation {
  return {
    id: c.id,
    cpf: c.documentNumber,
    status: c.status,
    description: c.description,
    margin: c.availableMarginValue,
    simulationLimit: c.simulationLimit,
    verified: true,
  };
}

export interface AppliedConsult extends ConsultRecordResult {
  /** Flows that were waiting for this consult and are runnable now. */
  readonly woken: readonly string[];
}

/**
 * Records what we learnt about a consult (never backwards) and, when it reached something a flow can
 * act on, wakes the flows waiting for it (and reopens those that gave up waiting, with their batch
 * items), in one transaction: a flow parks itself in a transaction that re-checks the consult, so a
 * result can never slip between "still waiting" and "parked".
 */
export function applyConsultObservation(
  deps: Pick<FlowDeps, 'store' | 'clock'>,
  o: ConsultObservation,
): AppliedConsult {
  const { store } = deps;
  const now = deps.clock.now();
  const result = store.tx(() => {
    const r = store.consults.record(o, now);
    if (!isConsultUsable(r.record)) return { ...r, woken: [], batches: [] };
    const woken = store.flows.wakeByConsult(o.id, now);
    // A result that comes after FLOW_MARGIN_TIMEOUT_S gave up still completes the flow.
    const reopened = o.verified && r.record.status === 'SUCCESS' ? store.flows.reopenAtMargin(o.id, now) : [];
    const batches = reopened.flatMap((id) => store.batches.reopenItemsOfFlow(id, now));
    return { ...r, woken: [...woken, ...reopened], batches };
  });
  for (const id of result.batches) store.signals.emit('batch-changed', id);
  if (result.statusChanged) store.signals.emit('consult-updated', o.id);
  if (result.woken.length > 0) store.signals.emit('flow-runnable');
  return result;
}

/**
 * Reads the consult from V8 (the truth for margin and limits: detail route, else the list) and
 * applies it. `where` locates a consult we hold no row for yet.
 */
export async function refreshConsult(
  deps: ConsultReadDeps,
  consultId: string,
  where?: ConsultWhereabouts,
): Promise<AppliedConsult> {
  const c = await readV8Consult(deps, consultId, where);
  return applyConsultObservation(deps, observationFromV8(c));
}
