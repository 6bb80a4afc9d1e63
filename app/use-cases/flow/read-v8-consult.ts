import type { V8Consult } from '../../adapters/v8/v8-client.ts';
import { AppError, isAppError } from '../../domain/app-error.ts';
import type { FlowDeps } from './flow-deps.ts';

const DAY_MS = 86_400_000;
/** After the detail route proved missing, the list is read directly for this long. */
export const DETAIL_ROUTE_RETRY_MS = 3_600_000;

/** Remembers that V8's detail route answered "no such route", so reads go to the list first. */
export interface ConsultReadState {
  detailUnavailableUntil: number;
}

export type ConsultReadDeps = Pick<FlowDeps, 'v8' | 'clock' | 'provider' | 'store'> & {
  readonly consultReads?: ConsultReadState | undefined;
};

/** What locates a consult in V8's list: its CPF and (roughly) when it was created. */
export interface ConsultWhereabouts {
  readonly cpf?: string | null | undefined;
  /** Epoch ms. */
  readonly createdAt?: number | undefined;
}

/**
 * 404 and 405 on `GET /consult/{id}`: the route itself may not exist at V8 (only two public
 * integrations use it; four read the list). Either way the list is asked before giving up.
 */
function detailRouteFailed(err: unknown): boolean {
  if (!isAppError(err)) return false;
  if (err.code === 'not_found') return true;
  const status = (err.detail as { v8Status?: unknown } | undefined)?.v8Status;
  return status === 404 || status === 405;
}

/** SUCCESS without its margin is an incomplete answer: the list may carry what the detail lacks. */
function lacksMargin(c: V8Consult): boolean {
  return c.status.toUpperCase() === 'SUCCESS' && c.availableMarginValue === undefined;
}

/** The consult in V8's list, searched by CPF in a window of a day either side of its creation. */
async function fromList(
  deps: ConsultReadDeps,
  consultId: string,
  where: ConsultWhereabouts,
): Promise<V8Consult | undefined> {
  if (!where.cpf) return undefined;
  const at = where.createdAt ?? deps.clock.now();
  const r = await deps.v8.listConsults({
    startDate: new Date(at - DAY_MS).toISOString(),
    endDate: new Date(at + DAY_MS).toISOString(),
    limit: 50,
    page: 1,
    provider: deps.provider(),
    search: where.cpf,
  });
  return r.items.find((c) => c.id === consultId);
}

/**
 * Reads a consult from V8, in order of trust: the detail route; when that route is missing
 * (404/405) or its SUCCESS lacks the margin, the list filtered by CPF around the consult's creation.
 * Throws not_found when neither knows it.
 */
export async function readV8Consult(
  deps: ConsultReadDeps,
  consultId: string,
  whereabouts: ConsultWhereabouts = {},
): Promise<V8Consult> {
  const row = deps.store.consults.get(consultId);
  let where: ConsultWhereabouts = {
    cpf: whereabouts.cpf ?? row?.cpf,
    createdAt: whereabouts.createdAt ?? row?.createdAt,
  };
  const state = deps.consultReads;
  const skipDetail = state !== undefined && deps.clock.now() < state.detailUnavailableUntil;
  let detail: V8Consult | undefined;
  let detailError: unknown;
  if (!skipDetail) {
    try {
      detail = await deps.v8.getConsult(consultId);
    } catch (err) {
      if (!detailRouteFailed(err)) throw err;
      detailError = err;
    }
    if (detail && !lacksMargin(detail)) return detail;
    if (detail) {
      const createdAt = detail.createdAt ? Date.parse(detail.createdAt) : Number.NaN;
      where = {
        cpf: where.cpf ?? detail.documentNumber,
        createdAt: where.createdAt ?? (Number.isNaN(createdAt) ? undefined : createdAt),
      };
    }
  }
  const listed = await fromList(deps, consultId, where);
  if (listed && detailError !== undefined && state) {
    // The list knows a consult the detail route denied: the route is what is missing.
    state.detailUnavailableUntil = deps.clock.now() + DETAIL_ROUTE_RETRY_MS;
  }
  if (listed) return listed;
  if (detail) return detail;
  if (skipDetail) return deps.v8.getConsult(consultId);
  throw detailError instanceof Error
    ? detailError
    : new AppError('not_found', `V8 does not know consult ${consultId}`);
}
