import type { DatabaseSync } from 'node:sqlite';
import type { Migration } from '../migrate.ts';

const OLD_OUTCOMES = "outcome IN ('simulated', 'no_margin', 'failed'";
const NEW_OUTCOMES = "outcome IN ('simulated', 'no_margin', 'failed', 'needs_data', 'blocked_by_worker'";

/**
 * Widens the CHECK of `flows.outcome` with needs_data and blocked_by_worker. SQLite cannot alter a
 * CHECK, and rebuilding `flows` would cascade-delete its steps (foreign key) and copy a table
 * definition other migrations may also change. Widening a CHECK in the stored schema text is the
 * change SQLite documents as safe through writable_schema (every existing row still satisfies it);
 * only the outcome list is touched, whatever else the table holds.
 */
function widenOutcomeCheck(db: DatabaseSync): void {
  const row = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'flows'").get() as
    | { sql: string }
    | undefined;
  if (!row) throw new Error('table flows is missing');
  if (row.sql.includes(NEW_OUTCOMES)) return;
  if (!row.sql.includes(OLD_OUTCOMES)) throw new Error('the outcome CHECK of flows is not the expected one');
  const version = (db.prepare('PRAGMA schema_version').get() as { schema_version: number }).schema_version;
  db.enableDefensive(false);
  try {
    db.exec('PRAGMA writable_schema = ON');
    db.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'flows'").run(
      row.sql.replace(OLD_OUTCOMES, NEW_OUTCOMES),
    );
    // A new schema cookie makes every connection re-read the schema (and the new CHECK).
    db.exec(`PRAGMA schema_version = ${version + 1}`);
    db.exec('PRAGMA writable_schema = OFF');
  } finally {
    db.enableDefensive(true);
  }
}

/** Flow outcomes that say what to do: needs_data (fix the lead's data) and blocked_by_worker. */
export const migration006: Migration = {
  version: 6,
  name: 'refusal-outcomes',
  sql: '',
  run: widenOutcomeCheck,
};
