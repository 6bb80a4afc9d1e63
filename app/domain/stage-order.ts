/**
 * Kentro stage moves only go forward. A broker's pipeline advances a lead (margin found -> simulated
 * -> proposal -> paid); a rerun of the same CPF, a late webhook or a flow that ends worse than an
 * earlier one must not pull a lead at the proposal stage back to simulated or no-margin. The order
 * is KENTRO_STAGE_ORDER (or the configured stages, least to most advanced). Pure: the current stage
 * is read from Kentro by the caller right before the move.
 */

export interface StageMovePolicy {
  /** Stage ids from first to last. */
  readonly order: readonly number[];
  /** The pipeline the configured stages belong to (where opportunities are created). */
  readonly pipelineId: number | undefined;
}

export interface CurrentStage {
  readonly stageId: number | undefined;
  readonly pipelineId: number | undefined;
}

export type StageMoveDecision =
  | { readonly move: true }
  | {
      readonly move: false;
      /** Stable code for logs and tests. */
      readonly code: 'same_stage' | 'not_forward' | 'target_not_ordered' | 'other_pipeline';
      readonly reason: string;
    };

export function decideStageMove(
  policy: StageMovePolicy,
  current: CurrentStage,
  targetStageId: number,
): StageMoveDecision {
  if (current.stageId === targetStageId) {
    return { move: false, code: 'same_stage', reason: `the lead already is at stage ${targetStageId}` };
  }
  if (
    policy.pipelineId !== undefined &&
    current.pipelineId !== undefined &&
    current.pipelineId !== policy.pipelineId
  ) {
    return {
      move: false,
      code: 'other_pipeline',
      reason:
        `the lead is in pipeline ${current.pipelineId}, stage ${targetStageId} is in pipeline ` +
        `${policy.pipelineId}; Kentro cannot move an opportunity across pipelines`,
    };
  }
  const target = policy.order.indexOf(targetStageId);
  if (target < 0) {
    return {
      move: false,
      code: 'target_not_ordered',
      reason: `stage ${targetStageId} is not in KENTRO_STAGE_ORDER (${policy.order.join(',')})`,
    };
  }
  const at = current.stageId === undefined ? -1 : policy.order.indexOf(current.stageId);
  if (at >= target) {
    return {
      move: false,
      code: 'not_forward',
      reason: `the lead is at stage ${current.stageId}, which comes after stage ${targetStageId} in KENTRO_STAGE_ORDER (${policy.order.join(',')}): leads never move back`,
    };
  }
  return { move: true };
}
