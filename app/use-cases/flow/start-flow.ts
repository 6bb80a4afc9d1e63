import { randomUUID } from 'node:crypto';
import { AppError } from '../../domain/app-error.ts';
import { normalizeCpf } from '../../domain/cpf.ts';
import type { EvidenceContext } from '../../domain/evidence-chain.ts';
import type { FlowOptions } from '../../domain/flow-steps.ts';
import type { FlowDeps } from './flow-deps.ts';
import { type FlowView, toFlowView } from './flow-view.ts';

export interface StartFlowInput {
  /** Any common CPF format; must be valid. */
  readonly cpf: string;
  readonly options?: FlowOptions | undefined;
  /** The batch item this flow runs for (set by the batch runner). */
  readonly batchItemId?: string | undefined;
  /** Who started it and from where (consent evidence of the consult the flow creates and authorizes). */
  readonly evidence?: EvidenceContext | undefined;
}

export interface StartFlowResult {
  readonly flowId: string;
  /** False when the CPF already had an active flow: that one is returned and `options` are ignored. */
  readonly created: boolean;
  readonly flow: FlowView;
}

function assertReady(deps: FlowDeps, options: FlowOptions): void {
  const missing = deps.missing();
  if (options.sendWhatsapp && deps.settings.waTemplateId === undefined) missing.push('KENTRO_WA_TEMPLATE_ID');
  if (missing.length > 0) {
    throw new AppError(
      'not_configured',
      `the CLT flow needs these settings of this client: ${missing.join(', ')}`,
      {
        detail: { missing },
      },
    );
  }
}

/**
 * Starts the CLT flow for a CPF, or returns the CPF's active flow (at most one per CPF; a second call
 * while it runs creates nothing). The flow runs in the background (flow worker); follow it with
 * getFlow / waitForFlow. Throws invalid_data for a bad CPF and not_configured when V8 or Kentro
 * settings are missing.
 */
export function startFlow(deps: FlowDeps, input: StartFlowInput): StartFlowResult {
  const cpf = normalizeCpf(input.cpf);
  if (cpf === undefined) throw AppError.invalid([{ field: 'cpf', reason: 'is not a valid CPF' }]);
  const options = input.options ?? {};
  assertReady(deps, options);
  const { store, clock } = deps;
  const now = clock.now();
  const result = store.tx(() => {
    const active = store.flows.activeByCpf(cpf);
    if (active) return { flow: active, created: false };
    const flow = store.flows.insert({ id: randomUUID(), cpf, options, batchItemId: input.batchItemId }, now);
    if (input.evidence) store.evidence.saveFlowContext(flow.id, input.evidence, now);
    return { flow, created: true };
  });
  if (result.created) {
    deps.logger.info('flow started', { flowId: result.flow.id, cpf, batchItemId: input.batchItemId });
    store.signals.emit('flow-runnable', result.flow.id);
  }
  return { flowId: result.flow.id, created: result.created, flow: toFlowView(store, result.flow) };
}

/** The flow with its steps and CRM updates; not_found when there is none with that id. */
export function getFlow(deps: Pick<FlowDeps, 'store'>, flowId: string): FlowView {
  const flow = deps.store.flows.get(flowId);
  if (!flow) throw new AppError('not_found', `no flow with id ${flowId}`);
  return toFlowView(deps.store, flow);
}

export interface ListFlowsQuery {
  readonly cpf?: string | undefined;
  readonly batchItemId?: string | undefined;
  /** Default 50, at most 500. */
  readonly limit?: number | undefined;
}

/** Newest first. */
export function listFlows(deps: Pick<FlowDeps, 'store'>, q: ListFlowsQuery): FlowView[] {
  const limit = Math.min(500, Math.max(1, q.limit ?? 50));
  return deps.store.flows
    .list({ cpf: q.cpf, batchItemId: q.batchItemId, limit })
    .map((f) => toFlowView(deps.store, f));
}

export interface WaitResult {
  readonly flow: FlowView;
  /** True when the flow completed within the time; false: `flow` is its state at the timeout. */
  readonly finished: boolean;
}

/**
 * Resolves when the flow completes or `timeoutMs` passes (real time), whichever comes first. For the
 * legacy synchronous route: it never throws on timeout, it answers the flow as it stands.
 */
export function waitForFlow(
  deps: Pick<FlowDeps, 'store'>,
  flowId: string,
  timeoutMs: number,
  pollMs = 250,
): Promise<WaitResult> {
  const first = getFlow(deps, flowId);
  if (!first.active) return Promise.resolve({ flow: first, finished: true });
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (finished: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(ticker);
      off();
      try {
        const flow = getFlow(deps, flowId);
        resolve({ flow, finished: finished || !flow.active });
      } catch (err) {
        reject(err);
      }
    };
    const check = () => {
      const f = deps.store.flows.get(flowId);
      if (!f || f.status === 'completed') finish(true);
    };
    // The signal is a hint from this process; the interval covers anything else.
    const off = deps.store.signals.on('flow-completed', (id) => {
      if (id === flowId) setImmediate(check);
    });
    const ticker = setInterval(check, Math.max(10, pollMs));
    const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs));
  });
}
