import type { Migration } from '../migrate.ts';

/**
 * Batches of CPFs ("lotes") and their items. An item is one line of the upload: a unique valid CPF
 * (pending -> running -> simulated | no_margin | failed, or cancelled) or an invalid value (invalid,
 * final at once). Repeated CPFs are not items: they are listed in `cpf_batches.rejected` with their line.
 * `cpf_batch_items.flow_id` is written in the same transaction as the item's move to running, which is
 * what makes a CPF run exactly once across a crash (see workers/batch-runner.ts).
 * Tables are prefixed `cpf_` so the plain names stay free (the migration tests add a `batches` table).
 */
export const migration002: Migration = {
  version: 2,
  name: 'batches',
  sql: `
CREATE TABLE cpf_batches (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'cancelled')),
  options TEXT NOT NULL DEFAULT '{}',
  -- where the CPFs came from: csv or json
  source TEXT NOT NULL,
  -- [{line, value, reason}]: invalid values and repeated CPFs, in line order
  rejected TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  cancelled_at INTEGER,
  finished_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX cpf_batches_by_status ON cpf_batches (status, created_at);

CREATE TABLE cpf_batch_items (
  id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL REFERENCES cpf_batches (id) ON DELETE CASCADE,
  -- order of feeding (input order)
  seq INTEGER NOT NULL,
  -- line (CSV) or position (JSON, 1-based) in the input
  line INTEGER NOT NULL,
  -- digits only for a valid CPF; the value as received for an invalid one
  cpf TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'simulated', 'no_margin', 'failed', 'invalid', 'cancelled')),
  flow_id TEXT,
  -- 1 when the CPF already had an active flow from elsewhere and the item follows that one
  attached INTEGER NOT NULL DEFAULT 0,
  reason TEXT,
  started_at INTEGER,
  finished_at INTEGER,
  updated_at INTEGER NOT NULL,
  UNIQUE (batch_id, seq),
  CHECK (status <> 'running' OR flow_id IS NOT NULL)
);
CREATE INDEX cpf_batch_items_by_batch_status ON cpf_batch_items (batch_id, status, seq);
CREATE INDEX cpf_batch_items_running ON cpf_batch_items (status, flow_id);
CREATE INDEX cpf_batch_items_finished ON cpf_batch_items (batch_id, finished_at);
-- A CPF is processed once per batch.
CREATE UNIQUE INDEX cpf_batch_items_one_per_cpf ON cpf_batch_items (batch_id, cpf) WHERE status <> 'invalid';
`,
};
