import type { Migration } from '../migrate.ts';

/**
 * An operation created from a flow (POST /flows/:id/proposal) is recorded against that flow, with
 * what the broker follows: the signing link, the contract number and every status it went through.
 */
export const migration010: Migration = {
  version: 10,
  name: 'flow-proposal',
  sql: `
    ALTER TABLE operations ADD COLUMN flow_id TEXT;
    ALTER TABLE operations ADD COLUMN formalization_url TEXT;
    ALTER TABLE operations ADD COLUMN contract_number TEXT;
    CREATE INDEX IF NOT EXISTS operations_flow ON operations (flow_id);
    CREATE TABLE IF NOT EXISTS operation_status_history (
      operation_id TEXT NOT NULL,
      status TEXT NOT NULL,
      at INTEGER NOT NULL,
      PRIMARY KEY (operation_id, status)
    );
  `,
};
