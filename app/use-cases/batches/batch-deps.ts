import type { FlowDeps } from '../flow/flow-deps.ts';
import { requireFlowDeps } from '../flow/flow-deps.ts';

/**
 * What the batch use cases need: the flow runtime (a batch is a queue of flows) — its store holds
 * the batches, its clock dates them. Reading a batch needs only the store and the clock.
 */
export type BatchDeps = FlowDeps;
export type BatchReadDeps = Pick<FlowDeps, 'store' | 'clock' | 'settings' | 'v8Login'>;

/** The batch runtime of an app, or 503 not_configured (same as the flow routes). */
export function requireBatchDeps(flow: FlowDeps | undefined): BatchDeps {
  return requireFlowDeps(flow);
}
