import type { Clock } from '../../adapters/clock.ts';
import type { V8Access } from '../../adapters/v8/create-v8.ts';
import { notConfiguredError } from '../../adapters/v8/v8-auth.ts';
import { missingV8Keys } from '../../adapters/v8/v8-credentials.ts';
import type { V8Provider } from '../../config/app-config.ts';
import { listOperations } from '../list-operations.ts';

/**
 * The old GET /v8/operacoes (server-5000.js:439-501): V8's operations of a window (default the last
 * 30 days) in the old item shape, newest first.
 */

export interface LegacyOperationsQuery {
  readonly startDate?: string | undefined;
  readonly endDate?: string | undefined;
  readonly cpf?: string | undefined;
  readonly limit: number;
  readonly page: number;
  readonly provider?: V8Provider | undefined;
}

export interface LegacyOperation {
  readonly operationId: string;
  readonly contractNumber: string | null;
  readonly nome: string | null;
  readonly cpf: string | null;
  readonly empresa: string;
  /** Released amount, BRL (old: disbursedIssueAmount, else issueAmount, else 0). */
  readonly valor_liberado: number;
  readonly status: string;
  readonly partnerId: string | null;
  readonly finalizada: boolean;
  readonly createdAt: string | null;
  readonly history: readonly unknown[];
}

export interface LegacyOperations {
  readonly provider: V8Provider;
  readonly operacoes: LegacyOperation[];
  readonly window: { readonly from: string; readonly to: string };
  readonly page: number;
}

const time = (iso: string | null) => {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
};

export async function listLegacyOperations(
  v8: V8Access,
  q: LegacyOperationsQuery,
  clock: Clock,
): Promise<LegacyOperations> {
  const missing = missingV8Keys(v8.credentials());
  if (missing.length > 0) throw notConfiguredError(missing);
  const provider = q.provider ?? v8.credentials().provider;
  const list = await listOperations(
    v8.client,
    { cpf: q.cpf, from: q.startDate, to: q.endDate, page: q.page, limit: q.limit, provider },
    { defaultProvider: provider, clock },
  );
  const operacoes = list.items
    .map(
      (op): LegacyOperation => ({
        operationId: op.id,
        contractNumber: op.contractNumber ?? null,
        nome: op.name ?? null,
        cpf: op.documentNumber ?? null,
        empresa: provider,
        valor_liberado: op.disbursedAmount ?? 0,
        status: op.status,
        partnerId: null,
        finalizada: op.terminal,
        createdAt: op.createdAt ?? null,
        history: [],
      }),
    )
    .sort((a, b) => time(b.createdAt) - time(a.createdAt));
  return { provider, operacoes, window: list.window, page: list.page };
}
