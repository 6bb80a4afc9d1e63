import type { Clock } from '../adapters/clock.ts';
import type { V8Client } from '../adapters/v8/v8-client.ts';
import type { V8Provider } from '../config/app-config.ts';
import { listWindow } from '../domain/v8-list-window.ts';
import { type ConsultView, toConsultView } from './consult-view.ts';

export interface ListConsultsQuery {
  readonly cpf?: string | undefined;
  readonly status?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly page: number;
  readonly limit: number;
  readonly provider?: V8Provider | undefined;
}

export interface ConsultList {
  readonly items: ConsultView[];
  readonly page: number;
  readonly limit: number;
  readonly totalPages: number | null;
  readonly window: { readonly from: string; readonly to: string };
}

export async function listConsults(
  v8: V8Client,
  q: ListConsultsQuery,
  ctx: { readonly defaultProvider: V8Provider; readonly clock: Clock },
): Promise<ConsultList> {
  const { startDate, endDate } = listWindow(q.from, q.to, ctx.clock.now());
  const page = await v8.listConsults({
    startDate,
    endDate,
    limit: q.limit,
    page: q.page,
    provider: q.provider ?? ctx.defaultProvider,
    search: q.cpf,
    status: q.status,
  });
  // V8's search is free text; a CPF filter means that CPF only.
  const items = q.cpf ? page.items.filter((c) => c.documentNumber === q.cpf) : page.items;
  return {
    items: items.map(toConsultView),
    page: q.page,
    limit: q.limit,
    totalPages: page.totalPages ?? null,
    window: { from: startDate, to: endDate },
  };
}
