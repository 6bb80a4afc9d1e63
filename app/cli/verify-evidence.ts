// Runs INSIDE a client's container (`docker exec <container> node dist/app/cli/verify-evidence.js`),
// or in a helper container on its data volume when the client is stopped: checks the whole consent
// evidence chain of the store. Prints "OK <n> entries" (exit 0) or the first broken entry (exit 1).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteEvidenceRepository } from '../adapters/store/evidence-repository.ts';
import { Statements } from '../adapters/store/sql-util.ts';
import { STORE_FILE } from '../adapters/store/store.ts';
import { ConfigError, readProcessSettings } from '../config/load-config.ts';

function main(argv: readonly string[]): number {
  const file = path.join(readProcessSettings().dataDir, STORE_FILE);
  if (!existsSync(file)) {
    process.stderr.write(`error: no store at ${file} (the client never started)\n`);
    return 2;
  }
  // Read-only: the check must not change what it checks (and never runs migrations).
  const db = new DatabaseSync(file, { readOnly: true, timeout: 5000 });
  try {
    const known = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'consent_evidence'")
      .get();
    if (!known) {
      process.stderr.write('error: this store has no consent evidence table yet (start the client once)\n');
      return 2;
    }
    const check = new SqliteEvidenceRepository(new Statements(db)).verify();
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(check)}\n`);
    else if (check.ok) process.stdout.write(`OK: consent evidence chain intact, ${check.entries} entries\n`);
    else {
      const b = check.broken;
      process.stdout.write(
        `BROKEN: entry ${b?.id} (${b?.kind}): ${b?.reason}; ${check.entries} entries before it verified\n`,
      );
    }
    return check.ok ? 0 : 1;
  } finally {
    db.close();
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(
    `error: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exitCode = 2;
}
