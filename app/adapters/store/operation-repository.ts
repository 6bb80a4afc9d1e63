import { operationStatusAdvances } from '../../domain/consult-progress.ts';
import { num, type Row, type Statements, str } from './sql-util.ts';

export interface OperationRecord {
  readonly id: string;
  readonly cpf: string | null;
  readonly status: string;
  readonly opportunityId: number | null;
  /** The flow whose proposal this is (POST /flows/:id/proposal); null for others. */
  readonly flowId: string | null;
  readonly formalizationUrl: string | null;
  readonly contractNumber: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface OperationObservation {
  readonly id: string;
  readonly status: string;
  readonly cpf?: string | undefined;
  readonly opportunityId?: number | undefined;
  readonly flowId?: string | undefined;
  readonly formalizationUrl?: string | undefined;
  readonly contractNumber?: string | undefined;
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
  /** The operations created from this flow, newest first. */
  byFlow(flowId: string): OperationRecord[];
  /** Operations not yet in a final status (paid, canceled, rejected, refunded), oldest update first. */
  open(limit: number): OperationRecord[];
  /** Each status the operation reached, in the order we saw them. */
  history(id: string): { status: string; at: number }[];
}

function toOperation(r: Row): OperationRecord {
  return {
    id: String(r.id),
    cpf: str(r.cpf),
    status: String(r.status),
    opportunityId: num(r.opportunity_id),
    flowId: str(r.flow_id),
    formalizationUrl: str(r.formalization_url),
    contractNumber: str(r.contract_number),
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
          `INSERT INTO operations (id, cpf, status, opportunity_id, flow_id, formalization_url, contract_number,
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          o.id,
          o.cpf ?? null,
          status,
          o.opportunityId ?? null,
          o.flowId ?? null,
          o.formalizationUrl ?? null,
          o.contractNumber ?? null,
          now,
          now,
        );
      this.noteStatus(o.id, status, now);
      return { record: this.get(o.id) as OperationRecord, inserted: true, statusChanged: true };
    }
    const advances = operationStatusAdvances(current.status, status);
    this.s
      .get(
        `UPDATE operations SET status = CASE WHEN ? THEN ? ELSE status END, cpf = COALESCE(cpf, ?),
           opportunity_id = COALESCE(opportunity_id, ?), flow_id = COALESCE(flow_id, ?),
           formalization_url = COALESCE(?, formalization_url), contract_number = COALESCE(?, contract_number),
           updated_at = ? WHERE id = ?`,
      )
      .run(
        advances ? 1 : 0,
        status,
        o.cpf ?? null,
        o.opportunityId ?? null,
        o.flowId ?? null,
        o.formalizationUrl ?? null,
        o.contractNumber ?? null,
        now,
        o.id,
      );
    if (advances) this.noteStatus(o.id, status, now);
    return { record: this.get(o.id) as OperationRecord, inserted: false, statusChanged: advances };
  }

  history(id: string): { status: string; at: number }[] {
    const rows = this.s
      .get('SELECT status, at FROM operation_status_history WHERE operation_id = ? ORDER BY at, rowid')
      .all(id) as Row[];
    return rows.map((r) => ({ status: String(r.status), at: num(r.at) ?? 0 }));
  }

  open(limit: number): OperationRecord[] {
    const rows = this.s
      .get(
        `SELECT * FROM operations WHERE status NOT IN ('paid', 'canceled', 'rejected', 'refunded')
         ORDER BY updated_at, id LIMIT ?`,
      )
      .all(limit) as Row[];
    return rows.map(toOperation);
  }

  private noteStatus(id: string, status: string, now: number): void {
    this.s
      .get('INSERT OR IGNORE INTO operation_status_history (operation_id, status, at) VALUES (?, ?, ?)')
      .run(id, status, now);
  }

  byFlow(flowId: string): OperationRecord[] {
    const rows = this.s
      .get('SELECT * FROM operations WHERE flow_id = ? ORDER BY created_at DESC, id')
      .all(flowId) as Row[];
    return rows.map(toOperation);
  }
}
