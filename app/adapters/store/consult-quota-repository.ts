import { num, type Row, type Statements } from './sql-util.ts';

/** The consult quota's counters per V8 login (see migration 005). */
export interface ConsultQuotaRepository {
  /** Creation times of the login's consults after `since`, oldest first. */
  used(login: string, since: number): number[];
  /** Counts one consult of the login at `at`; returns the row id (to release it if V8 created nothing). */
  take(login: string, at: number): number;
  release(id: number): void;
  /** Moves a count to `at` (V8 answered then: it counted the consult no later). */
  confirm(id: number, at: number): void;
  blockedUntil(login: string): number | null;
  /** V8 refused a creation with 429: no creation for this login before `until` (a later time wins). */
  block(login: string, until: number): void;
  /** Forgets counts older than `before` (outside every window). */
  prune(before: number): number;
}

export class SqliteConsultQuotaRepository implements ConsultQuotaRepository {
  private readonly s: Statements;

  constructor(statements: Statements) {
    this.s = statements;
  }

  used(login: string, since: number): number[] {
    const rows = this.s
      .get('SELECT created_at FROM v8_consult_quota WHERE login = ? AND created_at > ? ORDER BY created_at')
      .all(login, since) as Row[];
    return rows.map((r) => num(r.created_at) ?? 0);
  }

  take(login: string, at: number): number {
    const r = this.s.get('INSERT INTO v8_consult_quota (login, created_at) VALUES (?, ?)').run(login, at);
    return Number(r.lastInsertRowid);
  }

  release(id: number): void {
    this.s.get('DELETE FROM v8_consult_quota WHERE id = ?').run(id);
  }

  confirm(id: number, at: number): void {
    this.s.get('UPDATE v8_consult_quota SET created_at = MAX(created_at, ?) WHERE id = ?').run(at, id);
  }

  blockedUntil(login: string): number | null {
    const r = this.s.get('SELECT blocked_until FROM v8_consult_quota_blocks WHERE login = ?').get(login) as
      | Row
      | undefined;
    return r ? num(r.blocked_until) : null;
  }

  block(login: string, until: number): void {
    this.s
      .get(
        `INSERT INTO v8_consult_quota_blocks (login, blocked_until) VALUES (?, ?)
         ON CONFLICT (login) DO UPDATE SET blocked_until = MAX(blocked_until, excluded.blocked_until)`,
      )
      .run(login, until);
  }

  prune(before: number): number {
    const r = this.s.get('DELETE FROM v8_consult_quota WHERE created_at <= ?').run(before);
    return Number(r.changes);
  }
}
