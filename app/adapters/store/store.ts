import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../clock.ts';
import { type BatchRepository, SqliteBatchRepository } from './batch-repository.ts';
import { type ConsultRepository, SqliteConsultRepository } from './consult-repository.ts';
import { type EvidenceRepository, SqliteEvidenceRepository } from './evidence-repository.ts';
import { type FlowRepository, SqliteFlowRepository } from './flow-repository.ts';
import { type AppliedMigration, appliedMigrations, type Migration, runMigrations } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { type OperationRepository, SqliteOperationRepository } from './operation-repository.ts';
import { type OutboxRepository, SqliteOutboxRepository } from './outbox-repository.ts';
import { type SessionRepository, SqliteSessionRepository } from './session-repository.ts';
import { type SimulationRepository, SqliteSimulationRepository } from './simulation-repository.ts';
import { Statements } from './sql-util.ts';
import { SqliteWebhookEventRepository, type WebhookEventRepository } from './webhook-event-repository.ts';

export const STORE_FILE = 'store.sqlite';

/**
 * In-process hints that something became ready, so workers react at once instead of at their next
 * tick. Only hints: the rows are the truth and every worker also ticks on its own.
 */
export type StoreSignal =
  | 'flow-runnable'
  | 'flow-completed'
  | 'outbox-enqueued'
  | 'consult-updated'
  /** A batch has items to feed (created); wakes the batch runner. */
  | 'batch-runnable'
  /** Anything of a batch changed (id = batch id); its subscribers re-read it. */
  | 'batch-changed';

export class StoreSignals {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every waitForFlow call listens for a moment; many concurrent legacy calls are normal.
    this.emitter.setMaxListeners(0);
  }

  on(signal: StoreSignal, listener: (id?: string) => void): () => void {
    this.emitter.on(signal, listener);
    return () => this.emitter.off(signal, listener);
  }

  emit(signal: StoreSignal, id?: string): void {
    this.emitter.emit(signal, id);
  }
}

/** This client's durable state (one SQLite file in the data volume). */
export interface Store {
  readonly file: string;
  readonly flows: FlowRepository;
  readonly consults: ConsultRepository;
  readonly operations: OperationRepository;
  readonly simulations: SimulationRepository;
  readonly webhookEvents: WebhookEventRepository;
  readonly outbox: OutboxRepository;
  /** Batches of CPFs and their items. */
  readonly batches: BatchRepository;
  /** Console sign-in sessions (hashed ids). */
  readonly sessions: SessionRepository;
  /** Consent evidence: append-only, hash-chained (domain/evidence-chain.ts). */
  readonly evidence: EvidenceRepository;
  readonly signals: StoreSignals;
  /**
   * Runs `fn` in one transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK on throw). Synchronous on purpose:
   * nothing else runs on this thread until it commits, so `fn` must not await. Nested calls join the
   * outer transaction.
   */
  tx<T>(fn: () => T): T;
  /** Counts for /metrics, read at scrape time. */
  stats(): StoreStats;
  migrations(): AppliedMigration[];
  close(): void;
}

export interface StoreStats {
  readonly outbox: Record<string, number>;
  /** Per outcome; flows not finished yet count as "running". */
  readonly flows: Record<string, number>;
  readonly batchItemsPending: number;
  readonly webhookEvents: { readonly received: number; readonly processed: number };
}

export interface OpenStoreOptions {
  readonly dataDir: string;
  readonly clock: Clock;
  /** Default STORE_FILE; `:memory:` for throw-away unit tests. */
  readonly fileName?: string;
  /** Default MIGRATIONS (tests may pass their own list). */
  readonly migrations?: readonly Migration[];
  /** How long a write waits for a lock held by another connection (ms). */
  readonly busyTimeoutMs?: number;
}

class SqliteStore implements Store {
  readonly file: string;
  readonly flows: FlowRepository;
  readonly consults: ConsultRepository;
  readonly operations: OperationRepository;
  readonly simulations: SimulationRepository;
  readonly webhookEvents: WebhookEventRepository;
  readonly outbox: OutboxRepository;
  readonly batches: BatchRepository;
  readonly sessions: SessionRepository;
  readonly evidence: EvidenceRepository;
  readonly signals = new StoreSignals();
  private readonly db: DatabaseSync;
  private readonly statements: Statements;
  private depth = 0;

  constructor(db: DatabaseSync, file: string) {
    this.db = db;
    this.file = file;
    const s = new Statements(db);
    this.statements = s;
    this.flows = new SqliteFlowRepository(s);
    this.consults = new SqliteConsultRepository(s);
    this.operations = new SqliteOperationRepository(s);
    this.simulations = new SqliteSimulationRepository(s);
    this.webhookEvents = new SqliteWebhookEventRepository(s);
    this.outbox = new SqliteOutboxRepository(s);
    this.batches = new SqliteBatchRepository(s);
    this.evidence = new SqliteEvidenceRepository(s);
    this.sessions = new SqliteSessionRepository(s);
  }

  tx<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    this.depth++;
    try {
      const result = fn();
      if (result instanceof Promise) throw new Error('store.tx callbacks must be synchronous');
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.depth--;
    }
  }

  migrations(): AppliedMigration[] {
    return appliedMigrations(this.db);
  }

  stats(): StoreStats {
    const groups = (sql: string) =>
      Object.fromEntries(
        (this.statements.get(sql).all() as { k: string; n: number }[]).map((r) => [r.k, Number(r.n)]),
      );
    const one = (sql: string) => Number((this.statements.get(sql).get() as { n: number }).n);
    return {
      outbox: groups('SELECT status AS k, COUNT(*) AS n FROM outbox GROUP BY status'),
      flows: groups("SELECT COALESCE(outcome, 'running') AS k, COUNT(*) AS n FROM flows GROUP BY k"),
      batchItemsPending: one(
        "SELECT COUNT(*) AS n FROM cpf_batch_items WHERE status IN ('pending', 'running')",
      ),
      webhookEvents: {
        received: one('SELECT COUNT(*) AS n FROM webhook_events'),
        processed: one('SELECT COUNT(*) AS n FROM webhook_events WHERE processed_at IS NOT NULL'),
      },
    };
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

/** Opens (creating if needed) `<dataDir>/store.sqlite`: WAL, busy timeout, foreign keys, migrations. */
export function openStore(o: OpenStoreOptions): Store {
  const fileName = o.fileName ?? STORE_FILE;
  const file = fileName === ':memory:' ? fileName : path.join(o.dataDir, fileName);
  if (file !== ':memory:') mkdirSync(o.dataDir, { recursive: true });
  const timeout = o.busyTimeoutMs ?? 5000;
  const db = new DatabaseSync(file, { timeout, enableForeignKeyConstraints: true });
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(timeout)}`);
    if (file !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
    // WAL + NORMAL: a committed transaction survives a process crash; only an OS crash may lose the last one.
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    runMigrations(db, o.migrations ?? MIGRATIONS, () => o.clock.now());
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteStore(db, file);
}
