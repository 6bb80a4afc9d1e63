import type { Migration } from '../migrate.ts';

/**
 * Flows and their steps, the consults and operations we know, simulations per CPF (also the legacy
 * "simulation cache"), the raw V8 webhook log and the outbox of CRM updates.
 * Times are milliseconds since the epoch (UTC); JSON columns hold objects.
 */
export const migration001: Migration = {
  version: 1,
  name: 'core',
  sql: `
CREATE TABLE simulations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  cpf TEXT NOT NULL,
  -- flow: chosen by a flow; manual: written through the legacy cache routes
  source TEXT NOT NULL CHECK (source IN ('flow', 'manual')),
  flow_id TEXT,
  consult_id TEXT,
  v8_simulation_id TEXT,
  config_id TEXT,
  config_slug TEXT,
  installments INTEGER,
  installment_value REAL,
  disbursed_amount REAL,
  margin REAL,
  data TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX simulations_by_cpf ON simulations (cpf, id DESC);

CREATE TABLE flows (
  id TEXT PRIMARY KEY,
  cpf TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'waiting_margin', 'completed')),
  outcome TEXT CHECK (outcome IN ('simulated', 'no_margin', 'failed')),
  reason TEXT,
  step TEXT NOT NULL,
  options TEXT NOT NULL DEFAULT '{}',
  batch_item_id TEXT,
  opportunity_id INTEGER,
  opportunity_created INTEGER NOT NULL DEFAULT 0,
  lead_source TEXT,
  lead TEXT,
  consult_id TEXT,
  simulation_id INTEGER REFERENCES simulations (id) ON DELETE SET NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_run_at INTEGER NOT NULL,
  wait_deadline_at INTEGER,
  next_poll_at INTEGER,
  poll_count INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX flows_by_cpf ON flows (cpf, created_at DESC);
CREATE INDEX flows_runnable ON flows (status, next_run_at);
CREATE INDEX flows_by_consult ON flows (consult_id);
CREATE INDEX flows_by_batch_item ON flows (batch_item_id);
-- At most one active flow per CPF: a second start returns the active one.
CREATE UNIQUE INDEX flows_one_active_per_cpf ON flows (cpf) WHERE status <> 'completed';

CREATE TABLE flow_steps (
  flow_id TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  seq INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'skipped')),
  attempts INTEGER NOT NULL DEFAULT 0,
  started_at INTEGER,
  finished_at INTEGER,
  detail TEXT,
  error TEXT,
  PRIMARY KEY (flow_id, name)
);

CREATE TABLE consults (
  id TEXT PRIMARY KEY,
  cpf TEXT,
  status TEXT NOT NULL,
  description TEXT,
  margin REAL,
  simulation_limit TEXT,
  provider TEXT,
  -- last time the row was refreshed from V8's GET (the truth; webhooks are only hints)
  verified_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX consults_by_cpf ON consults (cpf, created_at DESC);

CREATE TABLE operations (
  id TEXT PRIMARY KEY,
  cpf TEXT,
  status TEXT NOT NULL,
  opportunity_id INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE webhook_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe_key TEXT NOT NULL UNIQUE,
  type TEXT,
  subject_id TEXT,
  body TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  processed_at INTEGER,
  result TEXT,
  error TEXT
);
CREATE INDEX webhook_events_unprocessed ON webhook_events (processed_at, id);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('update', 'stage', 'note', 'wa_template')),
  opportunity_id INTEGER NOT NULL,
  flow_id TEXT REFERENCES flows (id),
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'parked')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  delivered_at INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX outbox_pending_by_opportunity ON outbox (status, opportunity_id, id);
CREATE INDEX outbox_by_flow ON outbox (flow_id);
`,
};
