/**
 * The results spreadsheet of a batch, for a broker opening it in Excel (pt-BR): `;` between cells,
 * decimal comma, CRLF line ends and a UTF-8 BOM (so accents survive), CPFs formatted (a number
 * column would lose leading zeros). Cells that a spreadsheet would run as a formula (=, +, -, @) get
 * a leading apostrophe: reasons and invalid values come from outside.
 */

export const RESULTS_CSV_HEADER = [
  'linha',
  'cpf',
  'status',
  'resultado',
  'motivo',
  'valor_liberado',
  'parcela',
  'prazo',
  'flow_id',
] as const;

export type ResultStatus =
  | 'pending'
  | 'running'
  | 'simulated'
  | 'no_margin'
  | 'needs_data'
  | 'blocked_by_worker'
  | 'failed'
  | 'invalid'
  | 'cancelled'
  | 'duplicate';

export const RESULT_LABEL: Record<ResultStatus, string> = {
  pending: 'aguardando',
  running: 'em andamento',
  simulated: 'simulado',
  no_margin: 'sem margem',
  needs_data: 'corrigir dados',
  blocked_by_worker: 'bloqueado pelo trabalhador',
  failed: 'falhou',
  invalid: 'CPF inválido',
  cancelled: 'cancelado',
  duplicate: 'CPF repetido',
};

export interface ResultRow {
  readonly line: number;
  /** Digits for a CPF; the value as received for an invalid line. */
  readonly cpf: string;
  readonly status: ResultStatus;
  readonly reason: string | null;
  readonly disbursedAmount: number | null;
  readonly installmentValue: number | null;
  readonly installments: number | null;
  readonly flowId: string | null;
}

export function formatCpf(digits: string): string {
  return /^\d{11}$/.test(digits)
    ? `${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6, 9)}-${digits.slice(9)}`
    : digits;
}

/** "5412,80": no thousands separator, so a pt-BR spreadsheet reads a number. */
export function decimalComma(value: number | null): string {
  return value === null ? '' : value.toFixed(2).replace('.', ',');
}

export function csvCell(value: string): string {
  let v = value.replace(/\r\n|\r|\n/g, ' ');
  if (/^[=+\-@\t]/.test(v)) v = `'${v}`;
  return /[;",]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export function resultsCsv(rows: readonly ResultRow[]): string {
  const lines = [RESULTS_CSV_HEADER.join(';')];
  for (const r of rows) {
    lines.push(
      [
        String(r.line),
        csvCell(formatCpf(r.cpf)),
        r.status,
        RESULT_LABEL[r.status],
        csvCell(r.reason ?? ''),
        decimalComma(r.disbursedAmount),
        decimalComma(r.installmentValue),
        r.installments === null ? '' : String(r.installments),
        r.flowId ?? '',
      ].join(';'),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
