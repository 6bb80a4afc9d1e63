import type { DatabaseSync } from 'node:sqlite';

/** One schema change. `version` is its number (001 -> 1); files are `migrations/NNN-<name>.ts`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** One or more SQL statements; run inside the migration's transaction. */
  readonly sql: string;
  /** Code run after `sql`, in the same transaction (for changes plain SQL cannot express). */
  readonly run?: (db: DatabaseSync) => void;
}

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly appliedAt: number;
}

/** Versions must be 1, 2, 3… with no gap or repeat: a missing file must not be skipped silently. */
export function checkMigrationList(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(
        `store migrations out of order: position ${i + 1} holds version ${m.version} (${m.name})`,
      );
    }
  });
}

/**
 * Applies the migrations not recorded in `schema_migrations`, each in its own transaction together
 * with its record, so a crash leaves the schema at a known version. A database newer than this build
 * (a version we do not know) is refused rather than used.
 */
export function runMigrations(
  db: DatabaseSync,
  list: readonly Migration[],
  now: () => number,
): AppliedMigration[] {
  checkMigrationList(list);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const done = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  const newest = Math.max(0, ...done);
  if (newest > list.length) {
    throw new Error(
      `the store was written by a newer build (schema version ${newest}, this build knows ${list.length}); refusing to open it`,
    );
  }
  const applied: AppliedMigration[] = [];
  for (const m of list) {
    if (done.has(m.version)) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(m.sql);
      m.run?.(db);
      const appliedAt = now();
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        appliedAt,
      );
      db.exec('COMMIT');
      applied.push({ version: m.version, name: m.name, appliedAt });
    } catch (err) {
      db.exec('ROLLBACK');
      throw new Error(`store migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  return applied;
}

export function appliedMigrations(db: DatabaseSync): AppliedMigration[] {
  return (
    db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as {
      version: number;
      name: string;
      applied_at: number;
    }[]
  ).map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at }));
}
