import type { FlowRecord } from '../../adapters/store/flow-repository.ts';
import { type QuotaRule, quotaDecision } from '../../domain/consult-quota.ts';
import type { FlowDeps } from './flow-deps.ts';

/** Waited at least this long after V8's 429 on a creation (its Retry-After when longer). */
export const QUOTA_429_MIN_WAIT_MS = 5000;

export type ConsultSlot =
  /**
   * Counted: create the consult now; `confirm` when V8 answered (the count moves to the answer's time:
   * V8 counted it somewhere between our request and its answer, so our slot never frees before V8's);
   * `release` when V8 created nothing after all.
   */
  | { readonly ok: true; readonly confirm: () => void; readonly release: () => void }
  | { readonly ok: false; readonly resumeAt: number };

/** The V8 login the quota is counted for (the console may change it: read on every use). */
export function quotaLogin(deps: Pick<FlowDeps, 'v8Login'>): string {
  return deps.v8Login() || '(sem login)';
}

/**
 * Takes one slot of the login's quota, or says when one frees up. Check and count happen in one
 * transaction, so concurrent flows never create more than the quota between them.
 */
export function reserveConsultSlot(deps: FlowDeps): ConsultSlot {
  const { store, clock } = deps;
  const rule: QuotaRule = deps.settings.consultQuota;
  const login = quotaLogin(deps);
  return store.tx(() => {
    const now = clock.now();
    const decision = quotaDecision(
      rule,
      {
        used: rule.limit > 0 ? store.consultQuota.used(login, now - rule.windowMs) : [],
        blockedUntil: store.consultQuota.blockedUntil(login),
      },
      now,
    );
    if (!decision.ok) return decision;
    if (rule.limit <= 0) return { ok: true, confirm: () => {}, release: () => {} };
    store.consultQuota.prune(now - rule.windowMs);
    const id = store.consultQuota.take(login, now);
    return {
      ok: true,
      confirm: () => store.consultQuota.confirm(id, clock.now()),
      release: () => store.consultQuota.release(id),
    };
  });
}

/** V8 answered 429 to a creation: no creation for this login until its Retry-After (at least a moment). */
export function quotaRefusedByV8(deps: FlowDeps, retryAfterS: number | undefined): number {
  const until = deps.clock.now() + Math.max((retryAfterS ?? 0) * 1000, QUOTA_429_MIN_WAIT_MS);
  deps.store.tx(() => deps.store.consultQuota.block(quotaLogin(deps), until));
  return until;
}

/** The flow's batch (if any) changed: its subscribers (SSE, console) re-read it. */
export function emitBatchChanged(deps: FlowDeps, flow: FlowRecord): void {
  if (flow.batchItemId === null) return;
  const item = deps.store.batches.item(flow.batchItemId);
  if (item) deps.store.signals.emit('batch-changed', item.batchId);
}

/**
 * Parks the flow until `resumeAt` (shown as waiting_quota): not an attempt, not a failure. The flow
 * worker picks it up again at that time and the consult step asks the quota again.
 */
export function parkForQuota(
  deps: FlowDeps,
  flow: FlowRecord,
  resumeAt: number,
  cause: 'quota' | 'v8_429',
): void {
  const now = deps.clock.now();
  deps.store.tx(() =>
    deps.store.flows.update(
      flow.id,
      { status: 'running', nextRunAt: resumeAt, quotaWaitUntil: resumeAt },
      now,
    ),
  );
  deps.logger.info('flow waits for the V8 consult quota', {
    flowId: flow.id,
    cpf: flow.cpf,
    cause,
    resumeAt: new Date(resumeAt).toISOString(),
  });
  emitBatchChanged(deps, flow);
}
