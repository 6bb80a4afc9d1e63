import { num, parseJson, type Row, type Statements, str } from './sql-util.ts';

export type OutboxKind = 'update' | 'stage' | 'note' | 'wa_template';
export type OutboxStatus = 'pending' | 'delivered' | 'parked' | 'dropped';
export const OUTBOX_STATUSES = ['pending', 'delivered', 'parked', 'dropped'] as const;
/**
 * Why a row stopped being tried. refused: Kentro answered no (repeating cannot help). unknown_outcome:
 * the call may have been applied (timeout, reset, 5xx) and repeating it could duplicate a note or a
 * WhatsApp message. interrupted: the process stopped while such a call was in flight.
 */
export type ParkReason = 'refused' | 'unknown_outcome' | 'interrupted';

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
  /** Set while a non-repeatable call is in flight; still set on a later read = the outcome was lost. */
  readonly sendingAt: number | null;
  readonly deliveredAt: number | null;
  readonly parkReason: ParkReason | null;
  readonly parkedAt: number | null;
  readonly droppedAt: number | null;
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
 * them; the relay delivers them in order per opportunity. Delivered and dropped rows are the audit
 * trail; parked rows (refused, or an outcome that is unknown) wait for a human to retry or drop them.
 */
export interface OutboxRepository {
  /** True when a new row was written, false when the key already existed. */
  enqueue(item: NewOutboxItem, now: number): boolean;
  /**
   * The oldest pending row of each opportunity, when it is due: later rows of the same opportunity
   * wait behind it (Kentro sees updates in the order they were decided). Parked rows do not block.
   */
  due(now: number, limit: number): OutboxRecord[];
  /**
   * Records (committed at once, outside any transaction) that a call is about to leave; the result
   * clears it. False when the row is not pending any more.
   */
  markSending(id: number, now: number): boolean;
  markDelivered(id: number, now: number): void;
  /** A failed attempt that will be repeated at `nextAttemptAt`. */
  markRetry(id: number, error: string, nextAttemptAt: number, now: number): void;
  /** The row stops being tried and keeps the reason and the error, for an operator. */
  park(id: number, reason: ParkReason, error: string, now: number): void;
  /** Puts a parked row back in the queue (an operator checked Kentro, or fixed the cause). */
  unpark(id: number, now: number): boolean;
  /** An operator decided a parked row is not to be sent; the row stays as the record. */
  drop(id: number, now: number): boolean;
  /** Rows in one status (all when undefined), newest first. */
  list(status: OutboxStatus | undefined, limit: number): OutboxRecord[];
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
    sendingAt: num(r.sending_at),
    deliveredAt: num(r.delivered_at),
    parkReason: str(r.park_reason) as ParkReason | null,
    parkedAt: num(r.parked_at),
    droppedAt: num(r.dropped_at),
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

  markSending(id: number, now: number): boolean {
    const r = this.s
      .get(`UPDATE outbox SET sending_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'`)
      .run(now, now, id);
    return Number(r.changes) > 0;
  }

  markDelivered(id: number, now: number): void {
    this.s
      .get(
        `UPDATE outbox SET status = 'delivered', delivered_at = ?, attempts = attempts + 1, sending_at = NULL,
           updated_at = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(now, now, id);
  }

  markRetry(id: number, error: string, nextAttemptAt: number, now: number): void {
    this.s
      .get(
        `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, sending_at = NULL,
           updated_at = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(error, nextAttemptAt, now, id);
  }

  park(id: number, reason: ParkReason, error: string, now: number): void {
    // An interrupted row made no new attempt here: the lost one was counted when it started.
    this.s
      .get(
        `UPDATE outbox SET status = 'parked', park_reason = ?, parked_at = ?,
           attempts = attempts + CASE WHEN ? = 'interrupted' THEN 0 ELSE 1 END,
           last_error = ?, sending_at = NULL, updated_at = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(reason, now, reason, error, now, id);
  }

  unpark(id: number, now: number): boolean {
    const r = this.s
      .get(
        `UPDATE outbox SET status = 'pending', park_reason = NULL, parked_at = NULL, sending_at = NULL,
           next_attempt_at = ?, updated_at = ?
         WHERE id = ? AND status = 'parked'`,
      )
      .run(now, now, id);
    return Number(r.changes) > 0;
  }

  drop(id: number, now: number): boolean {
    const r = this.s
      .get(
        `UPDATE outbox SET status = 'dropped', dropped_at = ?, updated_at = ? WHERE id = ? AND status = 'parked'`,
      )
      .run(now, now, id);
    return Number(r.changes) > 0;
  }

  list(status: OutboxStatus | undefined, limit: number): OutboxRecord[] {
    const rows =
      status === undefined
        ? this.s.get('SELECT * FROM outbox ORDER BY updated_at DESC, id DESC LIMIT ?').all(limit)
        : this.s
            .get('SELECT * FROM outbox WHERE status = ? ORDER BY updated_at DESC, id DESC LIMIT ?')
            .all(status, limit);
    return (rows as Row[]).map(toItem);
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
    const out: Record<OutboxStatus, number> = { pending: 0, delivered: 0, parked: 0, dropped: 0 };
    for (const r of this.s.get('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status').all() as Row[]) {
      out[String(r.status) as OutboxStatus] = num(r.n) ?? 0;
    }
    return out;
  }
}
