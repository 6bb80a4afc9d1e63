import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import { checkMigrationList, type Migration, runMigrations } from '../../app/adapters/store/migrate.ts';
import { MIGRATIONS } from '../../app/adapters/store/migrations/index.ts';
import { openStore, STORE_FILE } from '../../app/adapters/store/store.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'cltv8-store-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('store migrations', () => {
  test('a new store gets every migration, recorded once, in WAL mode with foreign keys', () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const store = openStore({ dataDir: dir, clock });
    assert.deepEqual(
      store.migrations().map((m) => [m.version, m.name]),
      MIGRATIONS.map((m) => [m.version, m.name]),
    );
    store.close();
    const db = new DatabaseSync(path.join(dir, STORE_FILE));
    assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    for (const t of [
      'consent_evidence',
      'consults',
      'flow_steps',
      'flows',
      'operations',
      'outbox',
      'schema_migrations',
      'simulations',
      'v8_consult_quota',
      'v8_consult_quota_blocks',
      'webhook_events',
    ]) {
      assert.ok(tables.includes(t), `table ${t}`);
    }
    db.close();
    // Reopening applies nothing again.
    clock.advance(60_000);
    const again = openStore({ dataDir: dir, clock });
    assert.equal(again.migrations().length, MIGRATIONS.length);
    assert.equal(again.migrations()[0]?.appliedAt, Date.parse('2026-01-01T12:00:00Z'));
    again.close();
  });

  test('a later migration (e.g. 002-batches) is applied on the next open, in order', () => {
    const dir = tempDir();
    const clock = new ManualClock();
    openStore({ dataDir: dir, clock }).close();
    const next: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'batches',
      sql: 'CREATE TABLE batches (id TEXT PRIMARY KEY); ALTER TABLE flows ADD COLUMN note TEXT;',
    };
    const store = openStore({ dataDir: dir, clock, migrations: [...MIGRATIONS, next] });
    assert.deepEqual(
      store.migrations().map((m) => m.name),
      [...MIGRATIONS.map((m) => m.name), 'batches'],
    );
    store.close();
  });

  test('a failing migration leaves nothing behind and names itself', () => {
    const db = new DatabaseSync(':memory:');
    const broken: Migration[] = [
      { version: 1, name: 'ok', sql: 'CREATE TABLE a (x INTEGER);' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE b (y INTEGER); INSERT INTO nope VALUES (1);' },
    ];
    assert.throws(() => runMigrations(db, broken, () => 1), /store migration 2 \(broken\) failed/);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((t) => t.name);
    assert.ok(tables.includes('a'));
    assert.ok(!tables.includes('b'), 'the half-applied migration was rolled back');
    assert.deepEqual(
      (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
        (r) => r.version,
      ),
      [1],
    );
    db.close();
  });

  test('numbering gaps and a store from a newer build are refused', () => {
    assert.throws(
      () =>
        checkMigrationList([
          { version: 1, name: 'a', sql: '' },
          { version: 3, name: 'c', sql: '' },
        ]),
      /position 2 holds version 3/,
    );
    const dir = tempDir();
    const clock = new ManualClock();
    const future: Migration = { version: MIGRATIONS.length + 1, name: 'future', sql: 'SELECT 1;' };
    openStore({ dataDir: dir, clock, migrations: [...MIGRATIONS, future] }).close();
    assert.throws(() => openStore({ dataDir: dir, clock }), /written by a newer build/);
  });

  test('004-outbox-parking keeps every outbox row; rows parked before it read as refused', () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const v2 = MIGRATIONS.filter((m) => m.version <= 2);
    openStore({ dataDir: dir, clock, migrations: v2 }).close();
    const db = new DatabaseSync(path.join(dir, STORE_FILE));
    const insert = db.prepare(
      `INSERT INTO outbox (idempotency_key, kind, opportunity_id, payload, status, attempts, next_attempt_at,
         delivered_at, last_error, created_at, updated_at) VALUES (?, ?, 1, '{}', ?, 1, 0, ?, ?, 10, ?)`,
    );
    insert.run('a', 'note', 'delivered', 20, null, 20);
    insert.run('b', 'stage', 'parked', null, 'Kentro refused the data', 30);
    insert.run('c', 'wa_template', 'pending', null, 'timeout', 40);
    db.close();

    const store = openStore({ dataDir: dir, clock });
    assert.deepEqual(
      store.migrations().map((m) => m.version),
      MIGRATIONS.map((m) => m.version),
    );
    const rows = [1, 2, 3].map((id) => store.outbox.get(id));
    assert.deepEqual(
      rows.map((r) => [r?.idempotencyKey, r?.status, r?.parkReason, r?.parkedAt, r?.lastError]),
      [
        ['a', 'delivered', null, null, null],
        ['b', 'parked', 'refused', 30, 'Kentro refused the data'],
        ['c', 'pending', null, null, 'timeout'],
      ],
    );
    // Ids keep counting from where the old table stopped.
    store.outbox.enqueue({ key: 'd', kind: 'note', opportunityId: 1, payload: { text: 'x' } }, 50);
    assert.equal(store.outbox.list(undefined, 10)[0]?.id, 4);
    store.close();
  });

  test('refusal-outcomes widens the flow outcomes on a store with flows and steps, which survive', () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const old = openStore({ dataDir: dir, clock, migrations: MIGRATIONS.slice(0, 3) });
    old.flows.insert({ id: 'f1', cpf: '12345678909', options: {} }, clock.now());
    old.flows.finishStep('f1', 'opportunity', 'done', clock.now(), { kept: true });
    assert.throws(() => old.flows.update('f1', { outcome: 'needs_data' }, clock.now()), /CHECK/);
    old.close();
    const store = openStore({ dataDir: dir, clock });
    assert.equal(store.flows.update('f1', { outcome: 'needs_data' }, clock.now()).outcome, 'needs_data');
    assert.equal(
      store.flows.update('f1', { outcome: 'blocked_by_worker' }, clock.now()).outcome,
      'blocked_by_worker',
    );
    assert.deepEqual(store.flows.steps('f1')[0]?.detail, { kept: true }, 'the steps were not touched');
    assert.throws(
      () => store.flows.update('f1', { outcome: 'bogus' as 'failed' }, clock.now()),
      /CHECK constraint failed/,
    );
    store.close();
    const db = new DatabaseSync(path.join(dir, STORE_FILE));
    assert.equal(
      (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check,
      'ok',
    );
    // 009: batch items take the same endings.
    const items = db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'cpf_batch_items'").get() as {
      sql: string;
    };
    assert.match(items.sql, /'no_margin', 'needs_data', 'blocked_by_worker', 'failed'/);
    db.close();
  });
});
