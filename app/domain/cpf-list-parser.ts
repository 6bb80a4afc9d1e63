import { type CpfProblem, cpfProblem, stripCpf } from './cpf.ts';

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
}

export interface RejectedLine {
  readonly line: number;
  readonly value: string;
  readonly reason: string;
}

export type CsvReadResult =
  | { readonly ok: true; readonly rows: CpfListRow[]; readonly column: string | null }
  | { readonly ok: false; readonly reason: string };

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

/** The delimiter of the first line that has content: `;` first (pt-BR Excel; commas are decimals there). */
function detectDelimiter(text: string): string | undefined {
  let inQuotes = false;
  const seen = { ';': 0, '\t': 0, ',': 0 };
  let content = false;
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) {
      if (content) break;
    } else if (!inQuotes && (ch === ';' || ch === '\t' || ch === ',')) {
      seen[ch]++;
      content = true;
    } else if (ch.trim() !== '') content = true;
  }
  if (seen[';'] > 0) return ';';
  if (seen['\t'] > 0) return '\t';
  if (seen[','] > 0) return ',';
  return undefined;
}

/** RFC 4180 records, tolerant: quotes only open at the start of a cell, "" is a quote inside quotes. */
function parseRecords(text: string, delimiter: string | undefined): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let inQuotes = false;
  let line = 1;
  let startLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (inQuotes) {
      if (ch === '"') {
        if (text.charAt(i + 1) === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n' || (ch === '\r' && text.charAt(i + 1) !== '\n')) line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell.trim() === '') {
      inQuotes = true;
      cell = '';
    } else if (delimiter !== undefined && ch === delimiter) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text.charAt(i + 1) === '\n') i++;
      cells.push(cell);
      records.push({ line: startLine, cells });
      cells = [];
      cell = '';
      line++;
      startLine = line;
    } else cell += ch;
  }
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    records.push({ line: startLine, cells });
  }
  return records;
}

const isBlank = (r: CsvRecord) => r.cells.every((c) => c.trim() === '');

function headerName(cell: string): string {
  return cell
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .trim()
    .toLowerCase();
}

/** The CPF column when the first record is a header; undefined when it is data. */
function headerColumn(first: CsvRecord): { index: number } | { error: string } | undefined {
  const names = first.cells.map(headerName);
  const exact = names.indexOf('cpf');
  if (exact >= 0) return { index: exact };
  const partial = names.findIndex((n) => n.includes('cpf'));
  if (partial >= 0) return { index: partial };
  // A first line without a single digit is a header (a one-column list may call its column anything).
  if (first.cells.some((c) => /\d/.test(c))) return undefined;
  if (first.cells.length === 1) return { index: 0 };
  return {
    error: `o cabeçalho não tem uma coluna "cpf" (colunas: ${first.cells.map((c) => c.trim()).join(', ')})`,
  };
}

/** Without a header: the column holding the most CPFs among the first records. */
function guessColumn(records: readonly CsvRecord[]): number {
  const width = Math.max(...records.map((r) => r.cells.length));
  if (width <= 1) return 0;
  let best = 0;
  let bestHits = 0;
  for (let col = 0; col < width; col++) {
    let hits = 0;
    for (const r of records.slice(0, 50)) {
      if ('cpf' in listedCpf(r.cells[col] ?? '')) hits++;
    }
    if (hits > bestHits) {
      best = col;
      bestHits = hits;
    }
  }
  return best;
}

/** The CPF cell of every non-blank line of a CSV (values as written; see planCpfList). */
export function readCpfCsv(input: string): CsvReadResult {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records = parseRecords(text, detectDelimiter(text)).filter((r) => !isBlank(r));
  const first = records[0];
  if (!first) return { ok: true, rows: [], column: null };
  const header = headerColumn(first);
  if (header && 'error' in header) return { ok: false, reason: header.error };
  const data = header ? records.slice(1) : records;
  const index = header ? header.index : guessColumn(data);
  return {
    ok: true,
    rows: data.map((r) => ({ line: r.line, value: (r.cells[index] ?? '').trim() })),
    column: header ? (first.cells[index] ?? '').trim() : null,
  };
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
  /** Unique valid CPFs (digits only), in input order: each becomes one flow. */
  readonly accepted: readonly { readonly line: number; readonly cpf: string }[];
  /** Values that are not CPFs: reported, and counted as `invalid` items. */
  readonly invalid: readonly RejectedLine[];
  /** Later occurrences of a CPF already listed: reported, processed once. */
  readonly duplicates: readonly RejectedLine[];
  /** invalid + duplicates, in line order (what the caller is told). */
  readonly rejected: readonly RejectedLine[];
}

export function planCpfList(rows: readonly CpfListRow[]): CpfListPlan {
  const firstLine = new Map<string, number>();
  const accepted: { line: number; cpf: string }[] = [];
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
    accepted.push({ line: row.line, cpf: r.cpf });
  }
  const rejected = [...invalid, ...duplicates].sort((a, b) => a.line - b.line);
  return { accepted, invalid, duplicates, rejected };
}
