import type { FlowPatch, FlowRecord } from '../../adapters/store/flow-repository.ts';
import type { FlowDeps } from './flow-deps.ts';

/** What a step handler decided. */
export type StepOutcome =
  /** Done: the driver records the step, applies `patch` and `apply` in one transaction and moves on. */
  | {
      readonly kind: 'next';
      readonly status?: 'done' | 'skipped';
      readonly detail?: Record<string, unknown>;
      readonly patch?: FlowPatch;
      /**
       * More writes for the same transaction (e.g. the consult row next to the flow's consult id); what it
       * returns is merged into the step's detail.
       */
      readonly apply?: (now: number) => Record<string, unknown> | undefined;
    }
  /** The handler already wrote the flow's new state (waiting, or completed). */
  | { readonly kind: 'stop' };

/**
 * One step of the flow. Handlers may be re-run after a crash or a retry: they check what the flow
 * already recorded (ids) and re-query rather than re-create.
 */
export type StepHandler = (deps: FlowDeps, flow: FlowRecord) => Promise<StepOutcome>;
