import type { DatabaseSync } from 'node:sqlite';
import type { Migration } from '../migrate.ts';

/** [table, list as created, list widened]: only these bytes of each table's stored SQL change. */
const WIDEN: readonly (readonly [string, string, string])[] = [
  [
    'flows',
    "outcome IN ('simulated', 'no_margin', 'failed'",
    "outcome IN ('simulated', 'no_margin', 'failed', 'needs_data', 'blocked_by_worker'",
  ],
  [
    'cpf_batch_items',
    "'simulated', 'no_margin', 'failed', 'invalid'",
    "'simulated', 'no_margin', 'needs_data', 'blocked_by_worker', 'failed', 'invalid'",
  ],
];

/**
 * Widens the CHECKs of `flows.outcome` and `cpf_batch_items.status` with needs_data and
 * blocked_by_worker. SQLite cannot alter a CHECK, and rebuilding `flows` would cascade-delete its
 * steps (foreign key) and copy table definitions other migrations may also change. Widening a CHECK
 * in the stored schema text is the change SQLite documents as safe through writable_schema (every
 * existing row still satisfies it); only the listed values are touched, whatever else a table holds.
 */
function widenOutcomeChecks(db: DatabaseSync): void {
  const changes: [string, string][] = [];
  for (const [table, before, after] of WIDEN) {
    const row = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) as
      | { sql: string }
      | undefined;
    if (!row) throw new Error(`table ${table} is missing`);
    if (row.sql.includes(after)) continue;
    if (!row.sql.includes(before)) throw new Error(`the status CHECK of ${table} is not the expected one`);
    changes.push([table, row.sql.replace(before, after)]);
  }
  if (changes.length === 0) return;
  const version = (db.prepare('PRAGMA schema_version').get() as { schema_version: number }).schema_version;
  db.enableDefensive(false);
  try {
    db.exec('PRAGMA writable_schema = ON');
    const update = db.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?");
    for (const [table, sql] of changes) update.run(sql, table);
    // A new schema cookie makes every connection re-read the schema (and the new CHECKs).
    db.exec(`PRAGMA schema_version = ${version + 1}`);
    db.exec('PRAGMA writable_schema = OFF');
  } finally {
    db.enableDefensive(true);
  }
}

/** Flow outcomes that say what to do: needs_data (fix the lead's data) and blocked_by_worker. */
export const migration004: Migration = {
  version: 4,
  name: 'refusal-outcomes',
  sql: '',
  run: widenOutcomeChecks,
};
