import type { DatabaseSync } from 'node:sqlite';
import type { Migration } from '../migrate.ts';

const BEFORE = "'simulated', 'no_margin', 'failed', 'invalid'";
const AFTER = "'simulated', 'no_margin', 'needs_data', 'blocked_by_worker', 'failed', 'invalid'";

/**
 * Batch items end like their flows: the status CHECK of `cpf_batch_items` gains needs_data and
 * blocked_by_worker. As in 006-refusal-outcomes, the CHECK is widened in the stored schema text
 * (writable_schema; every existing row still satisfies it) instead of rebuilding the table, so the
 * columns later migrations added (lead) and the table's indexes stay as they are.
 */
function widenItemStatusCheck(db: DatabaseSync): void {
  const row = db
    .prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'cpf_batch_items'")
    .get() as { sql: string } | undefined;
  if (!row) throw new Error('table cpf_batch_items is missing');
  if (row.sql.includes(AFTER)) return;
  if (!row.sql.includes(BEFORE))
    throw new Error('the status CHECK of cpf_batch_items is not the expected one');
  const version = (db.prepare('PRAGMA schema_version').get() as { schema_version: number }).schema_version;
  db.enableDefensive(false);
  try {
    db.exec('PRAGMA writable_schema = ON');
    db.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'cpf_batch_items'").run(
      row.sql.replace(BEFORE, AFTER),
    );
    // A new schema cookie makes every connection re-read the schema (and the new CHECK).
    db.exec(`PRAGMA schema_version = ${version + 1}`);
    db.exec('PRAGMA writable_schema = OFF');
  } finally {
    db.enableDefensive(true);
  }
}

export const migration009: Migration = {
  version: 9,
  name: 'batch-item-refusal-outcomes',
  sql: '',
  run: widenItemStatusCheck,
};
