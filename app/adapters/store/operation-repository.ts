import { operationStatusAdvances } from '../../domain/consult-progress.ts';
import { num, type Row, type Statements, str } from './sql-util.ts';

export interface OperationRecord {
  readonly id: string;
  readonly cpf: string | null;
  readonly status: string;
  readonly opportunityId: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface OperationObservation {
  readonly id: string;
  readonly status: string;
  readonly cpf?: string | undefined;
  readonly opportunityId?: number | undefined;
}

export interface OperationRecordResult {
  readonly record: OperationRecord;
  /** First time we hear of this operation. */
  readonly inserted: boolean;
  readonly statusChanged: boolean;
}

/** Operations (proposals) we know, so their webhooks find the CPF and the Kentro opportunity. */
export interface OperationRepository {
  get(id: string): OperationRecord | undefined;
  /** Applies an observation; the status never goes backwards. Whoever creates an operation may record it. */
  record(o: OperationObservation, now: number): OperationRecordResult;
}

function toOperation(r: Row): OperationRecord {
  return {
    id: String(r.id),
    cpf: str(r.cpf),
    status: String(r.status),
    opportunityId: num(r.opportunity_id),
    createdAt: num(r.created_at) ?? 0,
    updatedAt: num(r.updated_at) ?? 0,
  };
}

export class SqliteOperationRepository implements OperationRepository {
  private readonly s: Statements;

  constructor(statements: Statements) {
    this.s = statements;
  }

  get(id: string): OperationRecord | undefined {
    const r = this.s.get('SELECT * FROM operations WHERE id = ?').get(id) as Row | undefined;
    return r ? toOperation(r) : undefined;
  }

  record(o: OperationObservation, now: number): OperationRecordResult {
    const status = o.status.toLowerCase();
    const current = this.get(o.id);
    if (!current) {
      this.s
        .get(
          `INSERT INTO operations (id, cpf, status, opportunity_id, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(o.id, o.cpf ?? null, status, o.opportunityId ?? null, now, now);
      return { record: this.get(o.id) as OperationRecord, inserted: true, statusChanged: true };
    }
    const advances = operationStatusAdvances(current.status, status);
    this.s
      .get(
        `UPDATE operations SET status = CASE WHEN ? THEN ? ELSE status END, cpf = COALESCE(cpf, ?),
           opportunity_id = COALESCE(opportunity_id, ?), updated_at = ? WHERE id = ?`,
      )
      .run(advances ? 1 : 0, status, o.cpf ?? null, o.opportunityId ?? null, now, o.id);
    return { record: this.get(o.id) as OperationRecord, inserted: false, statusChanged: advances };
  }
}
