import type { Migration } from '../migrate.ts';

/**
 * The outbox learns why a row is parked and what an operator did with it.
 * - `sending_at`: set (and committed) before a call whose repetition would duplicate something at
 *   Kentro (a note, a WhatsApp template); cleared with the result. A row still carrying it was being
 *   sent when the process stopped: its outcome is unknown and it is parked, never sent again blindly.
 * - `park_reason`: refused (Kentro said no; repeating cannot help), unknown_outcome (the call may have
 *   been applied: timeout, reset, 5xx), interrupted (the process stopped during the call).
 * - status `dropped`: an operator decided a parked row is not to be sent (kept as the audit trail).
 * SQLite cannot change a CHECK constraint in place, so the table is rebuilt; existing parked rows were
 * all Kentro refusals.
 */
export const migration004: Migration = {
  version: 4,
  name: 'outbox-parking',
  sql: `
CREATE TABLE outbox_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('update', 'stage', 'note', 'wa_template')),
  opportunity_id INTEGER NOT NULL,
  flow_id TEXT REFERENCES flows (id),
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'parked', 'dropped')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  sending_at INTEGER,
  delivered_at INTEGER,
  park_reason TEXT CHECK (park_reason IN ('refused', 'unknown_outcome', 'interrupted')),
  parked_at INTEGER,
  dropped_at INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK (status <> 'parked' OR park_reason IS NOT NULL)
);
INSERT INTO outbox_new (id, idempotency_key, kind, opportunity_id, flow_id, payload, status, attempts,
  next_attempt_at, delivered_at, park_reason, parked_at, last_error, created_at, updated_at)
SELECT id, idempotency_key, kind, opportunity_id, flow_id, payload, status, attempts,
  next_attempt_at, delivered_at,
  CASE WHEN status = 'parked' THEN 'refused' END,
  CASE WHEN status = 'parked' THEN updated_at END,
  last_error, created_at, updated_at
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending_by_opportunity ON outbox (status, opportunity_id, id);
CREATE INDEX outbox_by_flow ON outbox (flow_id);
CREATE INDEX outbox_by_status_time ON outbox (status, updated_at);
`,
};
