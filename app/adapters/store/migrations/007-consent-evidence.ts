import type { Migration } from '../migrate.ts';

/**
 * Consent evidence (domain/evidence-chain.ts): an append-only, hash-chained log per client.
 * Triggers refuse edits and any delete but of the oldest entry (retention prunes from the start);
 * they stop mistakes, not someone with the file, which is what the hash chain is for.
 * `consent_evidence_anchor` keeps the last pruned entry's id and hash so the chain still verifies
 * after retention. `flow_evidence_context` is who started a flow, for the entries its steps write.
 * Planned as 006 (issue 12 item 5); `version` follows the list of this branch (the list must be
 * contiguous) and is renumbered when merged after 004 and 005.
 */
export const migration007: Migration = {
  version: 7,
  name: 'consent-evidence',
  sql: `
CREATE TABLE consent_evidence (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  event TEXT NOT NULL,
  consult_id TEXT NOT NULL,
  cpf TEXT,
  actor_kind TEXT NOT NULL,
  actor_label TEXT NOT NULL,
  ip TEXT,
  user_agent TEXT,
  -- {channel, messageId, acceptedAt} as the caller sent it, or NULL
  consent TEXT,
  flow_id TEXT,
  -- what V8 answered (ids, statuses), JSON
  v8 TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX consent_evidence_by_consult ON consent_evidence (consult_id, id);
CREATE INDEX consent_evidence_by_at ON consent_evidence (at);
CREATE TRIGGER consent_evidence_no_update BEFORE UPDATE ON consent_evidence
BEGIN
  SELECT RAISE(ABORT, 'consent_evidence is append-only');
END;
CREATE TRIGGER consent_evidence_prune_oldest_only BEFORE DELETE ON consent_evidence
WHEN OLD.id <> (SELECT min(id) FROM consent_evidence)
BEGIN
  SELECT RAISE(ABORT, 'consent_evidence is append-only (only the oldest entry may be pruned)');
END;

CREATE TABLE consent_evidence_anchor (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  last_pruned_id INTEGER NOT NULL,
  last_pruned_hash TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE flow_evidence_context (
  flow_id TEXT PRIMARY KEY,
  context TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
`,
};
