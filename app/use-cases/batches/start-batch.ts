import { randomUUID } from 'node:crypto';
import type { BatchSource } from '../../adapters/store/batch-repository.ts';
import { AppError } from '../../domain/app-error.ts';
import {
  type CpfListRow,
  MAX_BATCH_CPFS,
  planCpfList,
  type RejectedLine,
  readCpfCsv,
  rowsFromList,
} from '../../domain/cpf-list-parser.ts';
import type { FlowOptions } from '../../domain/flow-steps.ts';
import type { BatchDeps } from './batch-deps.ts';

export interface StartBatchInput {
  /** CPFs in any common format (numbers are accepted: spreadsheets turn CPFs into numbers). */
  readonly cpfs?: readonly (string | number)[] | undefined;
  /**
   * A CSV: one CPF per line, or a header with a `cpf` column among others; `;` or `,`. An upload
   * comes as its chunks of text: it is parsed while it arrives and no longer read past the limit.
   */
  readonly csv?: string | AsyncIterable<string> | undefined;
  /** Given to every flow of the batch (same as startFlow's options). */
  readonly options?: FlowOptions | undefined;
}

export interface StartBatchResult {
  readonly batchId: string;
  /** Unique valid CPFs: one flow each. */
  readonly accepted: number;
  /** Invalid values (counted as `invalid` in the batch) and repeated CPFs (processed once), by line. */
  readonly rejected: { line: number; value: string; reason: string }[];
}

function tooMany(field: string, count: number | undefined): AppError {
  const has = count === undefined ? `more than ${MAX_BATCH_CPFS}` : String(count);
  return new AppError(
    'payload_too_large',
    `a batch holds at most ${MAX_BATCH_CPFS} CPFs and this one has ${has}: split it into smaller batches`,
    { fields: [{ field, reason: `has ${has} CPFs, at most ${MAX_BATCH_CPFS} are allowed` }] },
  );
}

async function readRows(
  input: StartBatchInput,
): Promise<{ rows: CpfListRow[]; source: BatchSource; field: string }> {
  if (input.csv !== undefined && input.cpfs !== undefined) {
    throw AppError.invalid([{ field: 'body', reason: 'send either a CSV or a list of CPFs, not both' }]);
  }
  if (input.csv !== undefined) {
    const r = await readCpfCsv(input.csv, { maxRows: MAX_BATCH_CPFS });
    if (!r.ok && r.kind === 'too_many') throw tooMany('body', undefined);
    if (!r.ok) throw AppError.invalid([{ field: 'body', reason: r.reason }]);
    return { rows: r.rows, source: 'csv', field: 'body' };
  }
  if (input.cpfs !== undefined) return { rows: rowsFromList(input.cpfs), source: 'json', field: 'cpfs' };
  throw AppError.invalid([
    { field: 'body', reason: 'send a CSV (text/csv) or JSON {"cpfs": [...]} with the CPFs of the batch' },
  ]);
}

function assertReady(deps: BatchDeps, options: FlowOptions): void {
  const missing = deps.missing();
  if (options.sendWhatsapp && deps.settings.waTemplateId === undefined) missing.push('KENTRO_WA_TEMPLATE_ID');
  if (missing.length > 0) {
    throw new AppError(
      'not_configured',
      `batches run the CLT flow, which needs these settings of this client: ${missing.join(', ')}`,
      { detail: { missing } },
    );
  }
}

/**
 * Reads the CPFs, stores the batch with one item per unique valid CPF (and one per invalid line),
 * and returns at once: the batch runner feeds the items into flows in the background. Invalid lines
 * and repeated CPFs are reported, not fatal; an empty list is 400, more than MAX_BATCH_CPFS is 413.
 */
export async function startBatch(deps: BatchDeps, input: StartBatchInput): Promise<StartBatchResult> {
  const options = input.options ?? {};
  const { rows, source, field } = await readRows(input);
  if (rows.length === 0) throw AppError.invalid([{ field, reason: 'has no CPF' }]);
  if (rows.length > MAX_BATCH_CPFS) throw tooMany(field, rows.length);
  assertReady(deps, options);
  const plan = planCpfList(rows);
  const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;
  const items = [
    ...plan.accepted.map((a) => ({
      id: randomUUID(),
      line: a.line,
      cpf: a.cpf,
      status: 'pending' as const,
      ...(a.lead ? { lead: a.lead } : {}),
    })),
    ...plan.invalid.map((r: RejectedLine) => ({
      id: randomUUID(),
      line: r.line,
      cpf: r.value,
      status: 'invalid' as const,
      reason: r.reason,
    })),
  ].sort(byLine);
  const { store, clock } = deps;
  const batchId = randomUUID();
  const batch = store.tx(() =>
    store.batches.create({ id: batchId, options, source, rejected: plan.rejected, items }, clock.now()),
  );
  deps.logger.info('batch created', {
    batchId,
    source,
    accepted: plan.accepted.length,
    invalid: plan.invalid.length,
    duplicates: plan.duplicates.length,
    status: batch.status,
  });
  store.signals.emit('batch-changed', batchId);
  if (batch.status === 'queued') store.signals.emit('batch-runnable', batchId);
  return {
    batchId,
    accepted: plan.accepted.length,
    rejected: plan.rejected.map((r) => ({ line: r.line, value: r.value, reason: r.reason })),
  };
}
