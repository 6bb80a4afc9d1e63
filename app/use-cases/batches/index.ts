/**
 * Batches of CPFs ("lotes"): the use cases the HTTP routes and the console call.
 * A batch is a queue of CLT flows fed by the batch runner (workers/batch-runner.ts).
 */
export { type BatchDeps, type BatchReadDeps, requireBatchDeps } from './batch-deps.ts';
export { batchResultsCsv } from './batch-results.ts';
export { type BatchCounts, type BatchView, isBatchDone } from './batch-view.ts';
export { cancelBatch } from './cancel-batch.ts';
export { getBatch, listBatches } from './query-batches.ts';
export { type StartBatchInput, type StartBatchResult, startBatch } from './start-batch.ts';
export { subscribeBatch } from './subscribe-batch.ts';
