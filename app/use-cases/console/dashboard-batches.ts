import type { FlowOptions } from '../../domain/flow-steps.ts';
import type { AppDeps } from '../../http/app-deps.ts';
import {
  type BatchView,
  batchResultsCsv,
  cancelBatch,
  getBatch,
  listBatches,
  type StartBatchResult,
  startBatch,
  subscribeBatch,
} from '../batches/index.ts';

export type { BatchView, StartBatchResult };

/** Rejected lines a page gets per batch: the full list is in the results CSV. */
export const PAGE_REJECTED_LINES = 200;

export interface PageBatchView extends BatchView {
  /** All rejected lines; `rejected` holds the first PAGE_REJECTED_LINES of them. */
  readonly rejectedTotal: number;
}

/**
 * The page reads the batches every few seconds and gets every progress event: a 10,000-line file
 * full of bad lines must not make each of those answers hundreds of kilobytes.
 */
export function forPage(view: BatchView): PageBatchView {
  return {
    ...view,
    rejected: view.rejected.slice(0, PAGE_REJECTED_LINES),
    rejectedTotal: view.rejected.length,
  };
}

/** The batch use cases bound to this app's deps: what the console's "Painel" routes call. */
export interface DashboardBatches {
  start(input: {
    readonly csv: string | AsyncIterable<string>;
    readonly options?: FlowOptions;
  }): Promise<StartBatchResult>;
  get(id: string): BatchView;
  list(limit: number): BatchView[];
  cancel(id: string): BatchView;
  resultsCsv(id: string): string;
  subscribe(id: string, listener: (view: BatchView) => void): () => void;
}

/** Batches run on the flow runtime: without it (no store, no V8/Kentro stack) there are none. */
export function dashboardBatches(deps: Pick<AppDeps, 'flow'>): DashboardBatches | undefined {
  const flow = deps.flow;
  if (!flow) return undefined;
  return {
    start: (input) => startBatch(flow, input),
    get: (id) => getBatch(flow, id),
    list: (limit) => listBatches(flow, { limit }),
    cancel: (id) => cancelBatch(flow, id),
    resultsCsv: (id) => batchResultsCsv(flow, id),
    subscribe: (id, listener) => subscribeBatch(flow, id, listener),
  };
}
