import { consultStatusAdvances } from '../../domain/consult-progress.ts';
import { isTerminalConsultStatus } from '../../domain/v8-status.ts';
import { jsonOrNull, num, parseJson, type Row, type Statements, str } from './sql-util.ts';

export interface ConsultLimit {
  readonly monthMin?: number | undefined;
  readonly monthMax?: number | undefined;
  readonly installmentsMin?: number | undefined;
  readonly installmentsMax?: number | undefined;
  readonly valueMin?: number | undefined;
  readonly valueMax?: number | undefined;
}

export interface ConsultRecord {
  readonly id: string;
  readonly cpf: string | null;
  readonly status: string;
  readonly description: string | null;
  readonly margin: number | null;
  readonly simulationLimit: ConsultLimit | null;
  readonly provider: string | null;
  /** Last refresh from V8's GET; null when all we know came from webhooks or our own calls. */
  readonly verifiedAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What we learnt about a consult (from V8's answer, a webhook or our own call). */
export interface ConsultObservation {
  readonly id: string;
  readonly cpf?: string | undefined;
  readonly status: string;
  readonly description?: string | null | undefined;
  readonly margin?: number | undefined;
  readonly simulationLimit?: ConsultLimit | undefined;
  readonly provider?: string | undefined;
  /** True when it comes from V8's GET (authoritative for money). */
  readonly verified: boolean;
}

export interface ConsultRecordResult {
  readonly record: ConsultRecord;
  /** The status changed (a new consult counts as a change). */
  readonly statusChanged: boolean;
}

export interface ConsultRepository {
  get(id: string): ConsultRecord | undefined;
  /** The newest consult of this CPF created since `since` that is not rejected/failed (reusable). */
  reusableForCpf(cpf: string, since: number): ConsultRecord | undefined;
  /** Applies an observation; the status never goes backwards (see consult-progress.ts). */
  record(o: ConsultObservation, now: number): ConsultRecordResult;
}

const DEAD = "('REJECTED', 'FAILED', 'ERROR', 'CANCELED')";

function toConsult(r: Row): ConsultRecord {
  return {
    id: String(r.id),
    cpf: str(r.cpf),
    status: String(r.status),
    description: str(r.description),
    margin: num(r.margin),
    simulationLimit: parseJson<ConsultLimit | null>(r.simulation_limit, null),
    provider: str(r.provider),
    verifiedAt: num(r.verified_at),
    createdAt: num(r.created_at) ?? 0,
    updatedAt: num(r.updated_at) ?? 0,
  };
}

export class SqliteConsultRepository implements ConsultRepository {
  private readonly s: Statements;

  constructor(statements: Statements) {
    this.s = statements;
  }

  get(id: string): ConsultRecord | undefined {
    const r = this.s.get('SELECT * FROM consults WHERE id = ?').get(id) as Row | undefined;
    return r ? toConsult(r) : undefined;
  }

  reusableForCpf(cpf: string, since: number): ConsultRecord | undefined {
    const r = this.s
      .get(
        `SELECT * FROM consults WHERE cpf = ? AND created_at >= ? AND upper(status) NOT IN ${DEAD}
         ORDER BY created_at DESC LIMIT 1`,
      )
      .get(cpf, since) as Row | undefined;
    return r ? toConsult(r) : undefined;
  }

  record(o: ConsultObservation, now: number): ConsultRecordResult {
    const current = this.get(o.id);
    const status = o.status.toUpperCase();
    if (!current) {
      this.s
        .get(
          `INSERT INTO consults (id, cpf, status, description, margin, simulation_limit, provider, verified_at,
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          o.id,
          o.cpf ?? null,
          status,
          o.description ?? null,
          o.margin ?? null,
          jsonOrNull(o.simulationLimit),
          o.provider ?? null,
          o.verified ? now : null,
          now,
          now,
        );
      return { record: this.get(o.id) as ConsultRecord, statusChanged: true };
    }
    // V8's own answer corrects a waiting status we assumed (CONSENT_APPROVED after our authorize
    // while V8 still says WAITING_CONSENT); a final status never changes.
    const advances =
      consultStatusAdvances(current.status, status) ||
      (o.verified && current.status !== status && !isTerminalConsultStatus(current.status));
    const same = current.status === status;
    if (!advances && !same) {
      // Stale news (an older status): only fill in a CPF we did not know.
      if (current.cpf === null && o.cpf) {
        this.s.get('UPDATE consults SET cpf = ? WHERE id = ?').run(o.cpf, o.id);
      }
      return { record: this.get(o.id) as ConsultRecord, statusChanged: false };
    }
    this.s
      .get(
        `UPDATE consults SET status = ?, cpf = COALESCE(?, cpf),
           description = CASE WHEN ? THEN ? ELSE COALESCE(?, description) END,
           margin = COALESCE(?, margin), simulation_limit = COALESCE(?, simulation_limit),
           provider = COALESCE(?, provider), verified_at = CASE WHEN ? THEN ? ELSE verified_at END,
           updated_at = ? WHERE id = ?`,
      )
      .run(
        status,
        o.cpf ?? null,
        advances ? 1 : 0,
        o.description ?? null,
        o.description ?? null,
        o.margin ?? null,
        jsonOrNull(o.simulationLimit),
        o.provider ?? null,
        o.verified ? 1 : 0,
        now,
        now,
        o.id,
      );
    return { record: this.get(o.id) as ConsultRecord, statusChanged: advances };
  }
}
