import type { Clock } from '../adapters/clock.ts';
import type { V8Client, V8OperationSummary } from '../adapters/v8/v8-client.ts';
import type { V8Provider } from '../config/app-config.ts';
import { listWindow } from '../domain/v8-list-window.ts';
import { isTerminalOperationStatus } from '../domain/v8-status.ts';

export interface ListOperationsQuery {
  readonly cpf?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly page: number;
  readonly limit: number;
  readonly provider?: V8Provider | undefined;
}

export interface OperationList {
  readonly items: (V8OperationSummary & { readonly terminal: boolean })[];
  readonly page: number;
  readonly limit: number;
  readonly totalPages: number | null;
  readonly window: { readonly from: string; readonly to: string };
}

export async function listOperations(
  v8: V8Client,
  q: ListOperationsQuery,
  ctx: { readonly defaultProvider: V8Provider; readonly clock: Clock },
): Promise<OperationList> {
  const { startDate, endDate } = listWindow(q.from, q.to, ctx.clock.now());
  const page = await v8.listOperations({
    startDate,
    endDate,
    limit: q.limit,
    page: q.page,
    provider: q.provider ?? ctx.defaultProvider,
    search: q.cpf,
  });
  const items = q.cpf ? page.items.filter((o) => o.documentNumber === q.cpf) : page.items;
  return {
    items: items.map((o) => ({ ...o, terminal: isTerminalOperationStatus(o.status) })),
    page: q.page,
    limit: q.limit,
    totalPages: page.totalPages ?? null,
    window: { from: startDate, to: endDate },
  };
}
