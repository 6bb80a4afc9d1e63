import type { V8Client, V8OperationSummary } from '../adapters/v8/v8-client.ts';
import { isTerminalOperationStatus } from '../domain/v8-status.ts';
import { listFromV8, type V8List, type V8ListContext, type V8ListQuery } from './v8-list.ts';

export type ListOperationsQuery = V8ListQuery;

export type OperationList = V8List<V8OperationSummary & { readonly terminal: boolean }>;

export function listOperations(
  v8: V8Client,
  q: ListOperationsQuery,
  ctx: V8ListContext,
): Promise<OperationList> {
  return listFromV8(
    q,
    ctx,
    (w) => v8.listOperations(w),
    (o) => ({
      ...o,
      terminal: isTerminalOperationStatus(o.status),
    }),
  );
}
