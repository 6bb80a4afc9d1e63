import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../clock.ts';
import { type BatchRepository, SqliteBatchRepository } from './batch-repository.ts';
import { type ConsultQuotaRepository, SqliteConsultQuotaRepository } from './consult-quota-repository.ts';
import { type ConsultRepository, SqliteConsultRepository } from './consult-repository.ts';
import { type FlowRepository, SqliteFlowRepository } from './flow-repository.ts';
import { type AppliedMigration, appliedMigrations, type Migration, runMigrations } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { type OperationRepository, SqliteOperationRepository } from './operation-repository.ts';
import { type OutboxRepository, SqliteOutboxRepository } from './outbox-repository.ts';
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
  /** V8's consult quota per login. */
  readonly consultQuota: ConsultQuotaRepository;
  readonly signals: StoreSignals;
  /**
   * Runs `fn` in one transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK on throw). Synchronous on purpose:
   * nothing else runs on this thread until it commits, so `fn` must not await. Nested calls join the
   * outer transaction.
   */
  tx<T>(fn: () => T): T;
  migrations(): AppliedMigration[];
  close(): void;
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
  readonly consultQuota: ConsultQuotaRepository;
  readonly signals = new StoreSignals();
  private readonly db: DatabaseSync;
  private depth = 0;

  constructor(db: DatabaseSync, file: string) {
    this.db = db;
    this.file = file;
    const s = new Statements(db);
    this.flows = new SqliteFlowRepository(s);
    this.consults = new SqliteConsultRepository(s);
    this.operations = new SqliteOperationRepository(s);
    this.simulations = new SqliteSimulationRepository(s);
    this.webhookEvents = new SqliteWebhookEventRepository(s);
    this.outbox = new SqliteOutboxRepository(s);
    this.batches = new SqliteBatchRepository(s);
    this.consultQuota = new SqliteConsultQuotaRepository(s);
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
