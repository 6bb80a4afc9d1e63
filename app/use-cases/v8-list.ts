import type { Clock } from '../adapters/clock.ts';
import type { V8Page } from '../adapters/v8/v8-client.ts';
import type { V8Provider } from '../config/app-config.ts';
import { listWindow } from '../domain/v8-list-window.ts';

export interface V8ListQuery {
  readonly cpf?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly page: number;
  readonly limit: number;
  readonly provider?: V8Provider | undefined;
}

export interface V8List<V> {
  readonly items: V[];
  readonly page: number;
  readonly limit: number;
  readonly totalPages: number | null;
  readonly window: { readonly from: string; readonly to: string };
}

export interface V8ListContext {
  readonly defaultProvider: V8Provider;
  readonly clock: Clock;
}

interface WindowedQuery {
  readonly startDate: string;
  readonly endDate: string;
  readonly limit: number;
  readonly page: number;
  readonly provider: V8Provider;
  readonly search?: string | undefined;
}

/** V8's list endpoints (consults, operations): a date window, paging, and free-text search by CPF. */
export async function listFromV8<T extends { readonly documentNumber?: string | undefined }, V>(
  q: V8ListQuery,
  ctx: V8ListContext,
  fetchPage: (query: WindowedQuery) => Promise<V8Page<T>>,
  view: (item: T) => V,
): Promise<V8List<V>> {
  const { startDate, endDate } = listWindow(q.from, q.to, ctx.clock.now());
  const page = await fetchPage({
    startDate,
    endDate,
    limit: q.limit,
    page: q.page,
    provider: q.provider ?? ctx.defaultProvider,
    search: q.cpf,
  });
  // V8's search is free text; a CPF filter means that CPF only.
  const items = q.cpf ? page.items.filter((i) => i.documentNumber === q.cpf) : page.items;
  return {
    items: items.map(view),
    page: q.page,
    limit: q.limit,
    totalPages: page.totalPages ?? null,
    window: { from: startDate, to: endDate },
  };
}
