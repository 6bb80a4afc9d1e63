import { parse } from 'csv-parse';
import { type CpfProblem, cpfProblem, stripCpf } from './cpf.ts';
import { presentText, type RawLead } from './lead.ts';

/**
 * Lists of CPFs as brokers send them: a spreadsheet saved as CSV (pt-BR Excel writes `;`, others `,`),
 * with or without a header row, a UTF-8 BOM, CRLF line ends, quoted cells, formatted CPFs
 * ("123.456.789-09") and blank lines; or a JSON array. Pure: text in, numbered rows out, and the plan
 * of a batch (unique valid CPFs, invalid lines, repeated CPFs). Per-line reasons are pt-BR: they end
 * up in the results spreadsheet a broker reads.
 */

/** Most CPFs one batch accepts (lines with a value, valid or not). */
export const MAX_BATCH_CPFS = 10_000;

export interface CpfListRow {
  /** Line of the CSV (the header counts as line 1) or 1-based position in a JSON array. */
  readonly line: number;
  readonly value: string;
  /** The row's lead columns (nome, nascimento, telefone, email, sexo) as written; absent when all blank. */
  readonly lead?: RawLead | undefined;
}

export interface RejectedLine {
  readonly line: number;
  readonly value: string;
  readonly reason: string;
}

export type CsvReadResult =
  | { readonly ok: true; readonly rows: CpfListRow[]; readonly column: string | null }
  | { readonly ok: false; readonly kind: 'invalid'; readonly reason: string }
  /** More than `maxRows` data rows: the reading stopped at the first one too many. */
  | { readonly ok: false; readonly kind: 'too_many'; readonly maxRows: number };

/** Why a value is not a CPF, in pt-BR (for brokers: results spreadsheet, old routes). */
export const CPF_PROBLEM_PT: Record<CpfProblem, string> = {
  invalid_characters: 'CPF com caracteres inválidos (use só dígitos, pontos e traço)',
  not_11_digits: 'CPF deve ter 11 dígitos',
  repeated_digits: 'CPF inválido (todos os dígitos iguais)',
  wrong_check_digits: 'CPF inválido (dígitos verificadores não conferem)',
};

export const EMPTY_CPF_REASON = 'CPF vazio';

/**
 * The CPF of one listed value, or why it is not one. Digits-only values of 8 to 10 digits get their
 * leading zeros back: spreadsheets store CPFs as numbers and drop them ("3581264951").
 */
export function listedCpf(value: string): { readonly cpf: string } | { readonly reason: string } {
  const v = value.trim();
  if (v === '') return { reason: EMPTY_CPF_REASON };
  const candidate = /^\d{8,10}$/.test(v) ? v.padStart(11, '0') : v;
  const problem = cpfProblem(candidate);
  return problem ? { reason: CPF_PROBLEM_PT[problem] } : { cpf: stripCpf(candidate) };
}

interface CsvRecord {
  readonly line: number;
  readonly cells: string[];
}

/** Longest record (bytes) a CPF list may hold: a row of a broker's spreadsheet is a few hundred. */
export const MAX_CSV_RECORD_BYTES = 64 * 1024;
/** How much text is read, at most, to find the delimiter of the first line. */
const DELIMITER_PROBE_CHARS = 64 * 1024;

/**
 * The delimiter of the first line that has content: `;` first (pt-BR Excel; commas are decimals
 * there). `complete` says whether that line was seen to its end (else more text is needed).
 */
function detectDelimiter(text: string): { delimiter: string | undefined; complete: boolean } {
  let inQuotes = false;
  const seen = { ';': 0, '\t': 0, ',': 0 };
  let content = false;
  let complete = false;
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) {
      if (content) {
        complete = true;
        break;
      }
    } else if (!inQuotes && (ch === ';' || ch === '\t' || ch === ',')) {
      seen[ch]++;
      content = true;
    } else if (ch.trim() !== '') content = true;
  }
  const delimiter = seen[';'] > 0 ? ';' : seen['\t'] > 0 ? '\t' : seen[','] > 0 ? ',' : undefined;
  return { delimiter, complete };
}

/** csv-parse counts each CR and LF inside a quoted cell as a line; a CRLF there is one line of the file. */
function breaksInCells(cells: readonly string[]): { counted: number; real: number } {
  let counted = 0;
  let real = 0;
  for (const c of cells) {
    counted += c.match(/[\r\n]/g)?.length ?? 0;
    real += c.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return { counted, real };
}

const isBlank = (cells: readonly string[]) => cells.every((c) => c.trim() === '');

function headerName(cell: string): string {
  return cell
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[_.\-/]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export type LeadColumn = keyof RawLead;

/**
 * Header names of the lead columns, after headerName (no accents, lower case, `_-./` as spaces):
 * the Portuguese a broker's spreadsheet uses and the English of exports. Matched whole, in any order.
 */
export const LEAD_HEADERS: Readonly<Record<LeadColumn, readonly string[]>> = {
  name: ['nome', 'nome completo', 'nome do cliente', 'cliente', 'name', 'full name', 'client name'],
  birthDate: [
    'nascimento',
    'data de nascimento',
    'data nascimento',
    'dt nascimento',
    'dt nasc',
    'data nasc',
    'birthdate',
    'birth date',
    'date of birth',
    'dob',
  ],
  phone: ['telefone', 'celular', 'fone', 'whatsapp', 'tel', 'phone', 'mobile', 'cellphone', 'phone number'],
  email: ['email', 'e mail', 'mail'],
  gender: ['sexo', 'genero', 'sex', 'gender'],
};

/** Which cell holds each lead column, from the header's names (first match wins). */
function leadColumns(names: readonly string[]): Partial<Record<LeadColumn, number>> {
  const out: Partial<Record<LeadColumn, number>> = {};
  for (const [column, aliases] of Object.entries(LEAD_HEADERS) as [LeadColumn, readonly string[]][]) {
    const at = names.findIndex((n) => aliases.includes(n));
    if (at >= 0) out[column] = at;
  }
  return out;
}

function leadOf(cells: readonly string[], columns: Partial<Record<LeadColumn, number>>): RawLead | undefined {
  const lead: Record<string, string> = {};
  for (const [column, at] of Object.entries(columns) as [LeadColumn, number][]) {
    const value = presentText(cells[at]);
    if (value !== undefined) lead[column] = value;
  }
  return Object.keys(lead).length > 0 ? lead : undefined;
}

/** The CPF column when the first record is a header; undefined when it is data. */
function headerColumn(first: CsvRecord): { index: number } | { error: string } | undefined {
  const names = first.cells.map(headerName);
  const exact = names.indexOf('cpf');
  if (exact >= 0) return { index: exact };
  const partial = names.findIndex((n) => n.includes('cpf'));
  if (partial >= 0) return { index: partial };
  const english = names.findIndex((n) => n === 'tax id' || n === 'document');
  if (english >= 0 && Object.keys(leadColumns(names)).length > 0) return { index: english };
  // A first line without a single digit is a header (a one-column list may call its column anything).
  if (first.cells.some((c) => /\d/.test(c))) return undefined;
  if (first.cells.length === 1) return { index: 0 };
  return {
    error: `o cabeçalho não tem uma coluna "cpf" (colunas: ${first.cells.map((c) => c.trim()).join(', ')})`,
  };
}

/** Records looked at to find the CPF column of a list without a header. */
const GUESS_RECORDS = 50;

/** Without a header: the column holding the most CPFs among the first records. */
function guessColumn(records: readonly CsvRecord[]): number {
  let width = 0;
  for (const r of records) width = Math.max(width, r.cells.length);
  if (width <= 1) return 0;
  let best = 0;
  let bestHits = 0;
  for (let col = 0; col < width; col++) {
    let hits = 0;
    for (const r of records) {
      if ('cpf' in listedCpf(r.cells[col] ?? '')) hits++;
    }
    if (hits > bestHits) {
      best = col;
      bestHits = hits;
    }
  }
  return best;
}

export interface CsvReadOptions {
  /** Data rows (non-blank lines after the header) accepted; one more ends the reading. */
  readonly maxRows?: number;
}

async function* chunksOf(input: string | AsyncIterable<string>): AsyncGenerator<string> {
  if (typeof input === 'string') yield input;
  else yield* input;
}

/**
 * The CPF cell of every non-blank line of a CSV (values as written; see planCpfList). The text is
 * parsed as it arrives (csv-parse) and the reading stops at the first row past `maxRows`: a huge
 * upload costs at most one chunk and maxRows small rows of memory, never the whole list as objects.
 */
export async function readCpfCsv(
  input: string | AsyncIterable<string>,
  options: CsvReadOptions = {},
): Promise<CsvReadResult> {
  const maxRows = options.maxRows ?? MAX_BATCH_CPFS;
  const chunks = chunksOf(input)[Symbol.asyncIterator]();
  let head = '';
  let probe = detectDelimiter(head);
  while (!probe.complete && head.length < DELIMITER_PROBE_CHARS) {
    const next = await chunks.next();
    if (next.done) break;
    head += next.value;
    probe = detectDelimiter(head);
  }

  let header: CsvRecord | undefined;
  let index: number | undefined;
  let leadCols: Partial<Record<LeadColumn, number>> = {};
  const pending: CsvRecord[] = [];
  const rows: CpfListRow[] = [];
  let tooMany = false;
  let invalid: string | undefined;
  let drift = 0;

  const take = (r: CsvRecord) => {
    if (rows.length >= maxRows) {
      tooMany = true;
      return;
    }
    const lead = leadOf(r.cells, leadCols);
    rows.push({ line: r.line, value: (r.cells[index ?? 0] ?? '').trim(), ...(lead ? { lead } : {}) });
  };
  const onRecord = (cells: string[], lines: number) => {
    if (tooMany || invalid !== undefined) return;
    const breaks = breaksInCells(cells);
    const line = lines - drift - breaks.counted;
    drift += breaks.counted - breaks.real;
    if (isBlank(cells)) return;
    const r = { line, cells };
    if (header === undefined && index === undefined && pending.length === 0) {
      const h = headerColumn(r);
      if (h && 'error' in h) {
        invalid = h.error;
        return;
      }
      if (h) {
        header = r;
        index = h.index;
        leadCols = leadColumns(r.cells.map(headerName));
        return;
      }
    }
    if (index !== undefined) return take(r);
    pending.push(r);
    if (pending.length >= GUESS_RECORDS) flushPending();
  };
  const flushPending = () => {
    index = guessColumn(pending);
    for (const r of pending.splice(0)) take(r);
  };

  const parser = parse({
    bom: true,
    // No delimiter on the first line: a one-column list, whose cells are taken whole.
    delimiter: probe.delimiter ?? '\u0000',
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    trim: true,
    max_record_size: MAX_CSV_RECORD_BYTES,
    on_record: (record: string[], context: { lines: number }) => {
      onRecord(record, context.lines);
      return null; // nothing is kept on the stream's side
    },
  });
  let parseError: Error | undefined;
  parser.on('error', (err) => {
    parseError ??= err;
  });
  const write = (text: string) =>
    new Promise<void>((resolve) => {
      parser.write(text, () => resolve());
    });
  try {
    if (head !== '') await write(head);
    while (!tooMany && invalid === undefined && parseError === undefined) {
      const next = await chunks.next();
      if (next.done) break;
      await write(next.value);
    }
    if (!tooMany && invalid === undefined && parseError === undefined) {
      await new Promise<void>((resolve) => {
        parser.once('error', () => resolve());
        parser.end(() => resolve());
      });
    }
  } finally {
    // Stops the source (an upload stops being read) and drops what the parser still holds.
    await chunks.return?.(undefined);
    parser.destroy();
  }
  if (tooMany) return { ok: false, kind: 'too_many', maxRows };
  if (invalid !== undefined) return { ok: false, kind: 'invalid', reason: invalid };
  if (parseError !== undefined) return { ok: false, kind: 'invalid', reason: csvErrorReason(parseError) };
  if (index === undefined) flushPending();
  return {
    ok: true,
    rows,
    column: header ? (header.cells[index ?? 0] ?? '').trim() : null,
  };
}

/** pt-BR reason for a file csv-parse cannot read (it names the line). */
function csvErrorReason(err: Error): string {
  const code = (err as { code?: string }).code;
  const line = /line (\d+)/.exec(err.message)?.[1];
  const at = line ? ` (linha ${line})` : '';
  if (code === 'CSV_QUOTE_NOT_CLOSED') return `aspas abertas e não fechadas no arquivo${at}`;
  if (code === 'CSV_MAX_RECORD_SIZE')
    return `linha longa demais (mais de ${MAX_CSV_RECORD_BYTES} bytes)${at}`;
  return `arquivo CSV ilegível${at}: ${err.message}`;
}

/** Rows of a JSON list; numbers are accepted (a spreadsheet export may turn CPFs into numbers). */
export function rowsFromList(values: readonly unknown[]): CpfListRow[] {
  return values.map((v, i) => ({
    line: i + 1,
    value:
      typeof v === 'string'
        ? v
        : typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
          ? String(v)
          : JSON.stringify(v ?? null),
  }));
}

export interface CpfListPlan {
  /** Unique valid CPFs (digits only), in input order: each becomes one flow (with its row's lead data). */
  readonly accepted: readonly {
    readonly line: number;
    readonly cpf: string;
    readonly lead?: RawLead | undefined;
  }[];
  /** Values that are not CPFs: reported, and counted as `invalid` items. */
  readonly invalid: readonly RejectedLine[];
  /** Later occurrences of a CPF already listed: reported, processed once. */
  readonly duplicates: readonly RejectedLine[];
  /** invalid + duplicates, in line order (what the caller is told). */
  readonly rejected: readonly RejectedLine[];
}

export function planCpfList(rows: readonly CpfListRow[]): CpfListPlan {
  const firstLine = new Map<string, number>();
  const accepted: { line: number; cpf: string; lead?: RawLead }[] = [];
  const invalid: RejectedLine[] = [];
  const duplicates: RejectedLine[] = [];
  for (const row of rows) {
    const r = listedCpf(row.value);
    if ('reason' in r) {
      invalid.push({ line: row.line, value: row.value, reason: r.reason });
      continue;
    }
    const seen = firstLine.get(r.cpf);
    if (seen !== undefined) {
      duplicates.push({
        line: row.line,
        value: row.value,
        reason: `CPF repetido (já está na linha ${seen})`,
      });
      continue;
    }
    firstLine.set(r.cpf, row.line);
    accepted.push({ line: row.line, cpf: r.cpf, ...(row.lead ? { lead: row.lead } : {}) });
  }
  const rejected = [...invalid, ...duplicates].sort((a, b) => a.line - b.line);
  return { accepted, invalid, duplicates, rejected };
}
