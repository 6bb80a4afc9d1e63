import type { V8Consult } from '../adapters/v8/v8-client.ts';
import { isTerminalConsultStatus } from '../domain/v8-status.ts';

/** What our API says about a consult (stable names; margin and limits only when V8 knows them). */
export interface ConsultView {
  readonly id: string;
  readonly status: string;
  readonly terminal: boolean;
  readonly description: string | null;
  readonly cpf: string | null;
  readonly name: string | null;
  readonly margin: number | null;
  readonly limits: {
    readonly installmentsMin: number | null;
    readonly installmentsMax: number | null;
    readonly valueMin: number | null;
    readonly valueMax: number | null;
  } | null;
  readonly admissionMonths: number | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

export function toConsultView(c: V8Consult): ConsultView {
  const l = c.simulationLimit;
  return {
    id: c.id,
    status: c.status,
    terminal: isTerminalConsultStatus(c.status),
    description: c.description,
    cpf: c.documentNumber ?? null,
    name: c.name ?? null,
    margin: c.availableMarginValue ?? null,
    limits: l
      ? {
          installmentsMin: l.installmentsMin ?? l.monthMin ?? null,
          installmentsMax: l.installmentsMax ?? l.monthMax ?? null,
          valueMin: l.valueMin ?? null,
          valueMax: l.valueMax ?? null,
        }
      : null,
    admissionMonths: c.admissionDateMonthsDifference ?? null,
    createdAt: c.createdAt ?? null,
    updatedAt: c.updatedAt ?? null,
  };
}
