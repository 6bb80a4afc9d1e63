import { AppError } from '../../domain/app-error.ts';
import { type ResultRow, resultsCsv } from '../../domain/results-csv.ts';
import type { BatchReadDeps } from './batch-deps.ts';

/**
 * The batch's results as a pt-BR spreadsheet: one row per line of the input (repeated CPFs too,
 * pointing at the line that was processed), `;`-separated, header
 * linha;cpf;status;resultado;motivo;valor_liberado;parcela;prazo;flow_id. Rows of items still running
 * say so: the file can be downloaded at any time.
 */
export function batchResultsCsv(deps: BatchReadDeps, id: string): string {
  const batch = deps.store.batches.get(id);
  if (!batch) throw new AppError('not_found', `no batch with id ${id}`);
  const rows: ResultRow[] = deps.store.batches.results(id).map((r) => ({ ...r }));
  for (const d of batch.rejected) {
    if (!d.reason.startsWith('CPF repetido')) continue;
    rows.push({
      line: d.line,
      cpf: d.value,
      status: 'duplicate',
      reason: d.reason,
      disbursedAmount: null,
      installmentValue: null,
      installments: null,
      flowId: null,
    });
  }
  rows.sort((a, b) => a.line - b.line);
  return resultsCsv(rows);
}
