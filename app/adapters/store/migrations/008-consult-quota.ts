import type { Migration } from '../migrate.ts';

/**
 * V8's consult quota, per V8 login, survives restarts: one row per consult we created (or are about
 * to create: the row is taken before the call, so concurrent flows never overshoot) and, per login,
 * the time until which V8 itself refused creations with 429.
 * `flows.quota_wait_until`: the flow is parked until then because the quota is used up (the API shows
 * it as `waiting_quota`); a column rather than a new status value, so the flows table is not rebuilt.
 */
export const migration008: Migration = {
  version: 8,
  name: 'consult-quota',
  sql: `
CREATE TABLE v8_consult_quota (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  login TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX v8_consult_quota_by_login ON v8_consult_quota (login, created_at);

CREATE TABLE v8_consult_quota_blocks (
  login TEXT PRIMARY KEY,
  blocked_until INTEGER NOT NULL
);

ALTER TABLE flows ADD COLUMN quota_wait_until INTEGER;
`,
};
