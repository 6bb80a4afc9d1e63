import { num, parseJson, type Row, type Statements, str } from './sql-util.ts';

export type OutboxKind = 'update' | 'stage' | 'note' | 'wa_template';
export type OutboxStatus = 'pending' | 'delivered' | 'parked';

/** Payload per kind (what the Kentro client is called with). */
export interface OutboxPayloads {
  update: { value?: number; fields?: Record<string, string | number> };
  stage: { stageId: number; stage: string };
  note: { text: string };
  wa_template: { number: string; templateId?: number; params: string[] };
}

export interface OutboxRecord {
  readonly id: number;
  readonly idempotencyKey: string;
  readonly kind: OutboxKind;
  readonly opportunityId: number;
  readonly flowId: string | null;
  readonly payload: Record<string, unknown>;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly deliveredAt: number | null;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewOutboxItem<K extends OutboxKind = OutboxKind> {
  /** Unique: enqueueing the same key twice keeps the first row (a replayed state change adds nothing). */
  readonly key: string;
  readonly kind: K;
  readonly opportunityId: number;
  readonly flowId?: string | undefined;
  readonly payload: OutboxPayloads[K];
}

/**
 * CRM updates waiting for Kentro. Write them in the same transaction as the state change that causes
 * them; the relay delivers them in order per opportunity. Rows are never deleted: delivered rows are
 * the audit trail, parked rows (permanent errors) wait for a human.
 */
export interface OutboxRepository {
  /** True when a new row was written, false when the key already existed. */
  enqueue(item: NewOutboxItem, now: number): boolean;
  /**
   * The oldest pending row of each opportunity, when it is due: later rows of the same opportunity
   * wait behind it (Kentro sees updates in the order they were decided). Parked rows do not block.
   */
  due(now: number, limit: number): OutboxRecord[];
  markDelivered(id: number, now: number): void;
  /** A failed attempt that will be repeated at `nextAttemptAt`. */
  markRetry(id: number, error: string, nextAttemptAt: number, now: number): void;
  /** A permanent error: the row stops being tried and keeps the error. */
  park(id: number, error: string, now: number): void;
  /** Puts a parked row back in the queue (after a human fixed the cause). */
  unpark(id: number, now: number): boolean;
  byFlow(flowId: string): OutboxRecord[];
  byOpportunity(opportunityId: number): OutboxRecord[];
  get(id: number): OutboxRecord | undefined;
  counts(): Record<OutboxStatus, number>;
}

function toItem(r: Row): OutboxRecord {
  return {
    id: num(r.id) ?? 0,
    idempotencyKey: String(r.idempotency_key),
    kind: String(r.kind) as OutboxKind,
    opportunityId: num(r.opportunity_id) ?? 0,
    flowId: str(r.flow_id),
    payload: parseJson<Record<string, unknown>>(r.payload, {}),
    status: String(r.status) as OutboxStatus,
    attempts: num(r.attempts) ?? 0,
    nextAttemptAt: num(r.next_attempt_at) ?? 0,
    deliveredAt: num(r.delivered_at),
    lastError: str(r.last_error),
    createdAt: num(r.created_at) ?? 0,
    updatedAt: num(r.updated_at) ?? 0,
  };
}

export class SqliteOutboxRepository implements OutboxRepository {
  private readonly s: Statements;

  constructor(statements: Statements) {
    this.s = statements;
  }

  enqueue(item: NewOutboxItem, now: number): boolean {
    const r = this.s
      .get(
        `INSERT INTO outbox (idempotency_key, kind, opportunity_id, flow_id, payload, next_attempt_at,
           created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (idempotency_key) DO NOTHING`,
      )
      .run(
        item.key,
        item.kind,
        item.opportunityId,
        item.flowId ?? null,
        JSON.stringify(item.payload),
        now,
        now,
        now,
      );
    return Number(r.changes) > 0;
  }

  due(now: number, limit: number): OutboxRecord[] {
    return (
      this.s
        .get(
          `SELECT o.* FROM outbox o
           WHERE o.status = 'pending' AND o.next_attempt_at <= ?
             AND o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.status = 'pending' AND p.opportunity_id = o.opportunity_id)
           ORDER BY o.next_attempt_at, o.id LIMIT ?`,
        )
        .all(now, limit) as Row[]
    ).map(toItem);
  }

  markDelivered(id: number, now: number): void {
    this.s
      .get(
        `UPDATE outbox SET status = 'delivered', delivered_at = ?, attempts = attempts + 1, updated_at = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(now, now, id);
  }

  markRetry(id: number, error: string, nextAttemptAt: number, now: number): void {
    this.s
      .get(
        `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, updated_at = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(error, nextAttemptAt, now, id);
  }

  park(id: number, error: string, now: number): void {
    this.s
      .get(
        `UPDATE outbox SET status = 'parked', attempts = attempts + 1, last_error = ?, updated_at = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(error, now, id);
  }

  unpark(id: number, now: number): boolean {
    const r = this.s
      .get(
        `UPDATE outbox SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'parked'`,
      )
      .run(now, now, id);
    return Number(r.changes) > 0;
  }

  byFlow(flowId: string): OutboxRecord[] {
    return (this.s.get('SELECT * FROM outbox WHERE flow_id = ? ORDER BY id').all(flowId) as Row[]).map(
      toItem,
    );
  }

  byOpportunity(opportunityId: number): OutboxRecord[] {
    return (
      this.s.get('SELECT * FROM outbox WHERE opportunity_id = ? ORDER BY id').all(opportunityId) as Row[]
    ).map(toItem);
  }

  get(id: number): OutboxRecord | undefined {
    const r = this.s.get('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
    return r ? toItem(r) : undefined;
  }

  counts(): Record<OutboxStatus, number> {
    const out: Record<OutboxStatus, number> = { pending: 0, delivered: 0, parked: 0 };
    for (const r of this.s.get('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status').all() as Row[]) {
      out[String(r.status) as OutboxStatus] = num(r.n) ?? 0;
    }
    return out;
  }
}
