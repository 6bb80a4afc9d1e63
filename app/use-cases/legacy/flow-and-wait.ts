import type { EvidenceContext } from '../../domain/evidence-chain.ts';
import type { FlowOptions } from '../../domain/flow-steps.ts';
import type { FlowDeps } from '../flow/flow-deps.ts';
import type { FlowView } from '../flow/flow-view.ts';
import { startFlow, waitForFlow } from '../flow/start-flow.ts';

export interface FlowAndWaitResult {
  readonly flow: FlowView;
  /** False: the flow goes on in the background (follow it by id). */
  readonly finished: boolean;
  readonly created: boolean;
}

/** The old synchronous "fluxo completo": starts (or joins) the CPF's flow and waits up to `waitMs`. */
export async function runFlowAndWait(
  deps: FlowDeps,
  input: {
    readonly cpf: string;
    readonly options?: FlowOptions | undefined;
    readonly waitMs: number;
    readonly evidence?: EvidenceContext | undefined;
  },
): Promise<FlowAndWaitResult> {
  const started = startFlow(deps, { cpf: input.cpf, options: input.options, evidence: input.evidence });
  const r = await waitForFlow(deps, started.flowId, input.waitMs);
  return { flow: r.flow, finished: r.finished, created: started.created };
}
