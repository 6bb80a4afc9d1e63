import type { Migration } from '../migrate.ts';

/**
 * Console sign-in sessions, so a restart or an upgrade keeps operators signed in. Only the SHA-256
 * of the session id is stored (the id itself lives in the browser's cookie): a copy of this file
 * cannot be turned into a valid cookie. `csrf_secret` keeps the session's CSRF tokens valid across
 * a restart as well. A restore empties the table (scripts/commands/restore.ts).
 */
export const migration003: Migration = {
  version: 3,
  name: 'console-sessions',
  sql: `
CREATE TABLE console_sessions (
  id_hash TEXT PRIMARY KEY,
  csrf_secret TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX console_sessions_by_last_seen ON console_sessions (last_seen_at);
`,
};
