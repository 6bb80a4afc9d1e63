import { num, type Row, type Statements, str } from './sql-util.ts';

/** A console session as stored: never the id itself, only its hash. */
export interface SessionRow {
  readonly idHash: string;
  readonly csrfSecret: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
}

/** Where console sessions live: SQLite in the service, a Map for apps built without a store. */
export interface SessionRepository {
  insert(row: SessionRow): void;
  get(idHash: string): SessionRow | undefined;
  touch(idHash: string, lastSeenAt: number): void;
  delete(idHash: string): void;
  /** Removes sessions idle since `idleBefore` or created before `createdBefore`. */
  deleteExpired(idleBefore: number, createdBefore: number): void;
  count(): number;
  /** Removes the `n` sessions idle the longest (bounded table). */
  deleteOldestIdle(n: number): void;
}

const toRow = (r: Row): SessionRow => ({
  idHash: str(r.id_hash) ?? '',
  csrfSecret: str(r.csrf_secret) ?? '',
  createdAt: num(r.created_at) ?? 0,
  lastSeenAt: num(r.last_seen_at) ?? 0,
});

export class SqliteSessionRepository implements SessionRepository {
  private readonly s: Statements;

  constructor(s: Statements) {
    this.s = s;
  }

  insert(row: SessionRow): void {
    this.s
      .get(
        'INSERT INTO console_sessions (id_hash, csrf_secret, created_at, last_seen_at) VALUES (?, ?, ?, ?)',
      )
      .run(row.idHash, row.csrfSecret, row.createdAt, row.lastSeenAt);
  }

  get(idHash: string): SessionRow | undefined {
    const r = this.s.get('SELECT * FROM console_sessions WHERE id_hash = ?').get(idHash) as Row | undefined;
    return r ? toRow(r) : undefined;
  }

  touch(idHash: string, lastSeenAt: number): void {
    this.s.get('UPDATE console_sessions SET last_seen_at = ? WHERE id_hash = ?').run(lastSeenAt, idHash);
  }

  delete(idHash: string): void {
    this.s.get('DELETE FROM console_sessions WHERE id_hash = ?').run(idHash);
  }

  deleteExpired(idleBefore: number, createdBefore: number): void {
    this.s
      .get('DELETE FROM console_sessions WHERE last_seen_at <= ? OR created_at <= ?')
      .run(idleBefore, createdBefore);
  }

  count(): number {
    return num((this.s.get('SELECT COUNT(*) AS n FROM console_sessions').get() as Row).n) ?? 0;
  }

  deleteOldestIdle(n: number): void {
    this.s
      .get(
        'DELETE FROM console_sessions WHERE id_hash IN (SELECT id_hash FROM console_sessions ORDER BY last_seen_at LIMIT ?)',
      )
      .run(n);
  }
}

/** Sessions of an app built without a store (some component tests): lost at restart. */
export class MemorySessionRepository implements SessionRepository {
  private readonly rows = new Map<string, SessionRow>();

  insert(row: SessionRow): void {
    this.rows.set(row.idHash, row);
  }

  get(idHash: string): SessionRow | undefined {
    return this.rows.get(idHash);
  }

  touch(idHash: string, lastSeenAt: number): void {
    const r = this.rows.get(idHash);
    if (r) this.rows.set(idHash, { ...r, lastSeenAt });
  }

  delete(idHash: string): void {
    this.rows.delete(idHash);
  }

  deleteExpired(idleBefore: number, createdBefore: number): void {
    for (const [k, r] of this.rows)
      if (r.lastSeenAt <= idleBefore || r.createdAt <= createdBefore) this.rows.delete(k);
  }

  count(): number {
    return this.rows.size;
  }

  deleteOldestIdle(n: number): void {
    const oldest = [...this.rows.values()].sort((a, b) => a.lastSeenAt - b.lastSeenAt).slice(0, n);
    for (const r of oldest) this.rows.delete(r.idHash);
  }
}
