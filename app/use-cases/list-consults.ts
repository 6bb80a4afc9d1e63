import type { V8Client } from '../adapters/v8/v8-client.ts';
import { type ConsultView, toConsultView } from './consult-view.ts';
import { listFromV8, type V8List, type V8ListContext, type V8ListQuery } from './v8-list.ts';

export interface ListConsultsQuery extends V8ListQuery {
  readonly status?: string | undefined;
}

export type ConsultList = V8List<ConsultView>;

export function listConsults(v8: V8Client, q: ListConsultsQuery, ctx: V8ListContext): Promise<ConsultList> {
  return listFromV8(q, ctx, (w) => v8.listConsults({ ...w, status: q.status }), toConsultView);
}
