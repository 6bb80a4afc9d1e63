import type { FlowRecord } from '../../adapters/store/flow-repository.ts';
import { isConsultUsable } from '../../domain/v8-status.ts';
import type { FlowDeps } from './flow-deps.ts';
import { refreshConsult } from './refresh-consult.ts';

/** FLOW_POLL_FIRST_MS doubling per poll, capped at FLOW_POLL_MAX_MS. */
export function pollDelayMs(pollCount: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.min(Math.max(0, pollCount), 20));
}

/**
 * V8 still says WAITING_CONSENT after our authorize (it was lost, or V8 did not take it): the flow
 * goes back to the authorize step, at most FLOW_REAUTHORIZE_MAX times; the poll interval, which
 * doubles, is the backoff between them. False when the budget is spent (the wait runs to its end).
 */
function authorizeAgain(deps: FlowDeps, flow: FlowRecord): boolean {
  const { store, clock, settings, logger } = deps;
  const authorize = store.flows.steps(flow.id).find((s) => s.name === 'authorize');
  const again = Math.max(0, (authorize?.attempts ?? 1) - 1);
  if (again >= settings.reauthorizeMax) return false;
  const now = clock.now();
  const nextPollAt = now + pollDelayMs(flow.pollCount + 1, settings.pollFirstMs, settings.pollMaxMs);
  store.flows.update(
    flow.id,
    { status: 'running', step: 'authorize', nextRunAt: now, nextPollAt, pollCount: flow.pollCount + 1 },
    now,
  );
  logger.info('V8 still waits for the consent: authorizing again', {
    flowId: flow.id,
    consultId: flow.consultId,
    again: again + 1,
  });
  store.signals.emit('flow-runnable', flow.id);
  return true;
}

export interface PollReport {
  readonly polled: number;
  readonly woken: number;
  readonly failed: number;
}

/**
 * The fallback when no webhook arrives: asks V8 for each waiting flow's consult whose poll is due,
 * records it (never backwards) and wakes the flow on a result or at its deadline; otherwise schedules
 * the next poll with backoff. One consult at a time: V8 pacing is per client anyway.
 */
export async function pollWaitingConsults(
  deps: FlowDeps,
  limit: number,
  shouldStop: () => boolean = () => false,
): Promise<PollReport> {
  const { store, clock, settings, logger } = deps;
  const due = store.flows.pollDue(clock.now(), limit);
  let woken = 0;
  let failed = 0;
  let polled = 0;
  for (const flow of due) {
    if (shouldStop()) break;
    if (flow.consultId === null) continue;
    let terminal = false;
    try {
      const r = await refreshConsult(deps, flow.consultId);
      polled++;
      terminal = isConsultUsable(r.record);
      if (r.woken.includes(flow.id)) woken++;
      if (!terminal && r.record.status === 'WAITING_CONSENT' && authorizeAgain(deps, flow)) {
        woken++;
        continue;
      }
    } catch (err) {
      failed++;
      logger.warn('consult poll failed', {
        flowId: flow.id,
        consultId: flow.consultId,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    if (terminal) continue;
    const now = clock.now();
    const current = store.flows.get(flow.id);
    if (current?.status !== 'waiting_margin') continue;
    const deadlinePassed = current.waitDeadlineAt !== null && current.waitDeadlineAt <= now;
    store.tx(() => {
      if (deadlinePassed) {
        // The flow's margin step ends it (timed out) when it runs.
        store.flows.update(flow.id, { status: 'running', nextRunAt: now }, now);
      } else {
        const next = now + pollDelayMs(current.pollCount + 1, settings.pollFirstMs, settings.pollMaxMs);
        store.flows.update(flow.id, { nextPollAt: next, pollCount: current.pollCount + 1 }, now);
      }
    });
    if (deadlinePassed) {
      woken++;
      store.signals.emit('flow-runnable', flow.id);
    }
  }
  return { polled, woken, failed };
}
