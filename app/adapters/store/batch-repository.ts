import type { RejectedLine } from '../../domain/cpf-list-parser.ts';
import type { FlowOptions, FlowOutcome } from '../../domain/flow-steps.ts';
import type { RawLead } from '../../domain/lead.ts';
import { num, parseJson, type Row, type Statements, str } from './sql-util.ts';

export type BatchStatus = 'queued' | 'running' | 'completed' | 'cancelled';
export type BatchItemStatus =
  | 'pending'
  | 'running'
  | 'simulated'
  | 'no_margin'
  | 'needs_data'
  | 'blocked_by_worker'
  | 'failed'
  | 'invalid'
  | 'cancelled';
/** The endings an item takes from its flow. */
export type BatchItemOutcome = 'simulated' | 'no_margin' | 'needs_data' | 'blocked_by_worker' | 'failed';
export const BATCH_ITEM_STATUSES: readonly BatchItemStatus[] = [
  'pending',
  'running',
  'simulated',
  'no_margin',
  'needs_data',
  'blocked_by_worker',
  'failed',
  'invalid',
  'cancelled',
];
export type BatchSource = 'csv' | 'json';

export interface BatchRecord {
  readonly id: string;
  readonly status: BatchStatus;
  /** Given to every flow the batch starts. */
  readonly options: FlowOptions;
  readonly source: BatchSource;
  /** Invalid values and repeated CPFs, in line order. */
  readonly rejected: readonly RejectedLine[];
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly cancelledAt: number | null;
  readonly finishedAt: number | null;
  readonly updatedAt: number;
}

export interface BatchItemRecord {
  readonly id: string;
  readonly batchId: string;
  readonly seq: number;
  readonly line: number;
  readonly cpf: string;
  readonly status: BatchItemStatus;
  readonly flowId: string | null;
  /** The CPF already had an active flow from elsewhere: the item follows that one. */
  readonly attached: boolean;
  readonly reason: string | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  /** The row's lead columns (CSV); null when it had none. */
  readonly lead: RawLead | null;
}

export interface NewBatch {
  readonly id: string;
  readonly options: FlowOptions;
  readonly source: BatchSource;
  readonly rejected: readonly RejectedLine[];
  /** In feeding order; ids are the caller's (uuid). */
  readonly items: readonly {
    readonly id: string;
    readonly line: number;
    readonly cpf: string;
    readonly status: 'pending' | 'invalid';
    readonly reason?: string | undefined;
    readonly lead?: RawLead | undefined;
  }[];
}

/** A running item whose flow completed (or vanished): ready to take the flow's outcome. */
export interface SettleableItem {
  readonly item: BatchItemRecord;
  readonly flowOutcome: FlowOutcome | null;
  readonly flowReason: string | null;
  readonly flowExists: boolean;
}

export interface BatchResultRecord {
  readonly line: number;
  readonly cpf: string;
  readonly status: BatchItemStatus;
  readonly reason: string | null;
  readonly flowId: string | null;
  readonly disbursedAmount: number | null;
  readonly installmentValue: number | null;
  readonly installments: number | null;
}

/**
 * Batches and their items. Every state change of an item goes through one guarded UPDATE
 * (`WHERE status = <expected>`), so a repeated or late call changes nothing; callers combine the
 * calls that must commit together in `store.tx`.
 */
export interface BatchRepository {
  /** The batch and all its items; a batch with nothing to run (only invalid lines) is completed at once. */
  create(batch: NewBatch, now: number): BatchRecord;
  get(id: string): BatchRecord | undefined;
  /** Newest first. */
  list(limit: number): BatchRecord[];
  item(id: string): BatchItemRecord | undefined;
  counts(batchId: string): Record<BatchItemStatus, number>;
  /** How many items a flow finished, and the newest finish times (newest first, at most `limit`). */
  finishes(batchId: string, limit: number): { finished: number; recent: number[] };
  /** Pending items of queued/running batches: oldest batch first, then input order. */
  nextPending(limit: number): BatchItemRecord[];
  /**
   * Items whose flow waits for V8's consult quota, and the earliest resume time; `needConsult`: items
   * that have yet to get a consult (pending, or running without one).
   */
  quotaView(batchId: string): { waiting: number; resumeAt: number | null; needConsult: number };
  /** Consults the batch's flows created at V8 and the ones they reused (ours or found in V8's list). */
  consultUse(batchId: string): { created: number; reused: number };
  /** Running items of every batch; `active`: those whose flow is queued or running (not waiting for V8). */
  inFlight(): { total: number; active: number };
  /** pending -> running with its flow; false when the item was not pending. */
  markRunning(itemId: string, flowId: string, attached: boolean, now: number): boolean;
  /** A pending item that cannot start (e.g. its flow was refused) ends as failed. */
  failPending(itemId: string, reason: string, now: number): boolean;
  settleable(limit: number): SettleableItem[];
  /** running -> its outcome; false when the item was not running. */
  settle(itemId: string, status: BatchItemOutcome, reason: string | null, now: number): boolean;
  /** queued -> running, with startedAt. */
  markStarted(batchId: string, now: number): void;
  /** The batch becomes cancelled and its pending items cancelled; returns how many items. */
  cancel(batchId: string, now: number): number;
  /**
   * Closes the batch when nothing is pending or running: queued/running -> completed, and a cancelled
   * one gets its finishedAt. True when it changed.
   */
  finishIfDone(batchId: string, now: number): boolean;
  /**
   * The items of a flow that reopened (a late V8 result) run again: failed -> running, and their
   * finished batch is open again until the flow ends. Returns the batch ids touched.
   */
  reopenItemsOfFlow(flowId: string, now: number): string[];
  /** Batches that are queued or running (or cancelled with items still running). */
  openIds(): string[];
  /** One row per item, in line order, with the chosen simulation's values. */
  results(batchId: string): BatchResultRecord[];
}

function toBatch(r: Row): BatchRecord {
  return {
    id: String(r.id),
    status: String(r.status) as BatchStatus,
    options: parseJson<FlowOptions>(r.options, {}),
    source: String(r.source) as BatchSource,
    rejected: parseJson<RejectedLine[]>(r.rejected, []),
    createdAt: num(r.created_at) ?? 0,
    startedAt: num(r.started_at),
    cancelledAt: num(r.cancelled_at),
    finishedAt: num(r.finished_at),
    updatedAt: num(r.updated_at) ?? 0,
  };
}

function toItem(r: Row): BatchItemRecord {
  return {
    id: String(r.id),
    batchId: String(r.batch_id),
    seq: num(r.seq) ?? 0,
    line: num(r.line) ?? 0,
    cpf: String(r.cpf),
    status: String(r.status) as BatchItemStatus,
    flowId: str(r.flow_id),
    attached: num(r.attached) === 1,
    reason: str(r.reason),
    startedAt: num(r.started_at),
    finishedAt: num(r.finished_at),
    lead: parseJson<RawLead | null>(r.lead, null),
  };
}

const FLOW_DONE = "('simulated', 'no_margin', 'needs_data', 'blocked_by_worker', 'failed')";

export class SqliteBatchRepository implements BatchRepository {
  private readonly s: Statements;

  constructor(statements: Statements) {
    this.s = statements;
  }

  create(batch: NewBatch, now: number): BatchRecord {
    const runnable = batch.items.some((i) => i.status === 'pending');
    this.s
      .get(
        `INSERT INTO cpf_batches (id, status, options, source, rejected, created_at, started_at, finished_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        batch.id,
        runnable ? 'queued' : 'completed',
        JSON.stringify(batch.options),
        batch.source,
        JSON.stringify(batch.rejected),
        now,
        runnable ? null : now,
        runnable ? null : now,
        now,
      );
    const insert = this.s.get(
      `INSERT INTO cpf_batch_items (id, batch_id, seq, line, cpf, status, reason, lead, finished_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    batch.items.forEach((item, seq) => {
      insert.run(
        item.id,
        batch.id,
        seq,
        item.line,
        item.cpf,
        item.status,
        item.reason ?? null,
        item.lead ? JSON.stringify(item.lead) : null,
        item.status === 'invalid' ? now : null,
        now,
      );
    });
    return this.get(batch.id) as BatchRecord;
  }

  get(id: string): BatchRecord | undefined {
    const r = this.s.get('SELECT * FROM cpf_batches WHERE id = ?').get(id) as Row | undefined;
    return r ? toBatch(r) : undefined;
  }

  list(limit: number): BatchRecord[] {
    return (
      this.s.get('SELECT * FROM cpf_batches ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit) as Row[]
    ).map(toBatch);
  }

  item(id: string): BatchItemRecord | undefined {
    const r = this.s.get('SELECT * FROM cpf_batch_items WHERE id = ?').get(id) as Row | undefined;
    return r ? toItem(r) : undefined;
  }

  counts(batchId: string): Record<BatchItemStatus, number> {
    const out: Record<BatchItemStatus, number> = {
      pending: 0,
      running: 0,
      simulated: 0,
      no_margin: 0,
      needs_data: 0,
      blocked_by_worker: 0,
      failed: 0,
      invalid: 0,
      cancelled: 0,
    };
    const rows = this.s
      .get('SELECT status, COUNT(*) AS n FROM cpf_batch_items WHERE batch_id = ? GROUP BY status')
      .all(batchId) as Row[];
    for (const r of rows) out[String(r.status) as BatchItemStatus] = num(r.n) ?? 0;
    return out;
  }

  finishes(batchId: string, limit: number): { finished: number; recent: number[] } {
    const finished =
      num(
        (
          this.s
            .get(
              `SELECT COUNT(*) AS n FROM cpf_batch_items WHERE batch_id = ? AND status IN ${FLOW_DONE}
               AND flow_id IS NOT NULL`,
            )
            .get(batchId) as Row
        ).n,
      ) ?? 0;
    const recent = (
      this.s
        .get(
          `SELECT finished_at FROM cpf_batch_items WHERE batch_id = ? AND status IN ${FLOW_DONE}
           AND flow_id IS NOT NULL AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT ?`,
        )
        .all(batchId, limit) as Row[]
    ).map((r) => num(r.finished_at) ?? 0);
    return { finished, recent };
  }

  nextPending(limit: number): BatchItemRecord[] {
    return (
      this.s
        .get(
          `SELECT i.* FROM cpf_batches b JOIN cpf_batch_items i ON i.batch_id = b.id
           WHERE b.status IN ('queued', 'running') AND i.status = 'pending'
           ORDER BY b.created_at, b.rowid, i.seq LIMIT ?`,
        )
        .all(limit) as Row[]
    ).map(toItem);
  }

  quotaView(batchId: string): { waiting: number; resumeAt: number | null; needConsult: number } {
    const r = this.s
      .get(
        `SELECT
           COALESCE(SUM(CASE WHEN i.status = 'running' AND f.status = 'running' AND f.quota_wait_until IS NOT NULL
             THEN 1 ELSE 0 END), 0) AS waiting,
           MIN(CASE WHEN i.status = 'running' AND f.status = 'running' THEN f.quota_wait_until END) AS resume_at,
           COALESCE(SUM(CASE WHEN i.status = 'pending'
             OR (i.status = 'running' AND f.status <> 'completed' AND f.consult_id IS NULL) THEN 1 ELSE 0 END), 0)
             AS need_consult
         FROM cpf_batch_items i LEFT JOIN flows f ON f.id = i.flow_id
         WHERE i.batch_id = ? AND i.status IN ('pending', 'running')`,
      )
      .get(batchId) as Row;
    return {
      waiting: num(r.waiting) ?? 0,
      resumeAt: num(r.resume_at),
      needConsult: num(r.need_consult) ?? 0,
    };
  }

  consultUse(batchId: string): { created: number; reused: number } {
    const r = this.s
      .get(
        `SELECT
           COALESCE(SUM(CASE WHEN json_extract(s.detail, '$.created') = 1 THEN 1 ELSE 0 END), 0) AS created,
           COALESCE(SUM(CASE WHEN json_extract(s.detail, '$.reused') = 1
             OR json_extract(s.detail, '$.existingAtV8') = 1 THEN 1 ELSE 0 END), 0) AS reused
         FROM cpf_batch_items i JOIN flow_steps s ON s.flow_id = i.flow_id AND s.name = 'consult'
         WHERE i.batch_id = ? AND s.status = 'done'`,
      )
      .get(batchId) as Row;
    return { created: num(r.created) ?? 0, reused: num(r.reused) ?? 0 };
  }

  inFlight(): { total: number; active: number } {
    const r = this.s
      .get(
        `SELECT COUNT(*) AS total,
           COALESCE(SUM(CASE WHEN f.status IN ('queued', 'running') THEN 1 ELSE 0 END), 0) AS active
         FROM cpf_batch_items i LEFT JOIN flows f ON f.id = i.flow_id WHERE i.status = 'running'`,
      )
      .get() as Row;
    return { total: num(r.total) ?? 0, active: num(r.active) ?? 0 };
  }

  markRunning(itemId: string, flowId: string, attached: boolean, now: number): boolean {
    const r = this.s
      .get(
        `UPDATE cpf_batch_items SET status = 'running', flow_id = ?, attached = ?, started_at = ?, updated_at = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(flowId, attached ? 1 : 0, now, now, itemId);
    return Number(r.changes) === 1;
  }

  failPending(itemId: string, reason: string, now: number): boolean {
    const r = this.s
      .get(
        `UPDATE cpf_batch_items SET status = 'failed', reason = ?, finished_at = ?, updated_at = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(reason, now, now, itemId);
    return Number(r.changes) === 1;
  }

  settleable(limit: number): SettleableItem[] {
    const rows = this.s
      .get(
        `SELECT i.*, f.id AS f_id, f.outcome AS f_outcome, f.reason AS f_reason
         FROM cpf_batch_items i LEFT JOIN flows f ON f.id = i.flow_id
         WHERE i.status = 'running' AND (f.id IS NULL OR f.status = 'completed') LIMIT ?`,
      )
      .all(limit) as Row[];
    return rows.map((r) => ({
      item: toItem(r),
      flowOutcome: str(r.f_outcome) as FlowOutcome | null,
      flowReason: str(r.f_reason),
      flowExists: r.f_id !== null && r.f_id !== undefined,
    }));
  }

  settle(itemId: string, status: BatchItemOutcome, reason: string | null, now: number): boolean {
    const r = this.s
      .get(
        `UPDATE cpf_batch_items SET status = ?, reason = ?, finished_at = ?, updated_at = ?
         WHERE id = ? AND status = 'running'`,
      )
      .run(status, reason, now, now, itemId);
    return Number(r.changes) === 1;
  }

  markStarted(batchId: string, now: number): void {
    this.s
      .get(
        `UPDATE cpf_batches SET status = 'running', started_at = COALESCE(started_at, ?), updated_at = ?
         WHERE id = ? AND status = 'queued'`,
      )
      .run(now, now, batchId);
  }

  cancel(batchId: string, now: number): number {
    this.s
      .get(
        `UPDATE cpf_batches SET status = 'cancelled', cancelled_at = ?, updated_at = ?
         WHERE id = ? AND status IN ('queued', 'running')`,
      )
      .run(now, now, batchId);
    const r = this.s
      .get(
        `UPDATE cpf_batch_items SET status = 'cancelled', reason = 'lote cancelado antes do início', finished_at = ?,
           updated_at = ? WHERE batch_id = ? AND status = 'pending'`,
      )
      .run(now, now, batchId);
    return Number(r.changes);
  }

  finishIfDone(batchId: string, now: number): boolean {
    const open = num(
      (
        this.s
          .get(
            `SELECT COUNT(*) AS n FROM cpf_batch_items WHERE batch_id = ? AND status IN ('pending', 'running')`,
          )
          .get(batchId) as Row
      ).n,
    );
    if ((open ?? 0) > 0) return false;
    const r = this.s
      .get(
        `UPDATE cpf_batches SET
           status = CASE WHEN status = 'cancelled' THEN 'cancelled' ELSE 'completed' END,
           started_at = COALESCE(started_at, ?), finished_at = ?, updated_at = ?
         WHERE id = ? AND finished_at IS NULL`,
      )
      .run(now, now, now, batchId);
    return Number(r.changes) === 1;
  }

  reopenItemsOfFlow(flowId: string, now: number): string[] {
    const rows = this.s
      .get(
        `UPDATE cpf_batch_items SET status = 'running', reason = NULL, finished_at = NULL, updated_at = ?
         WHERE flow_id = ? AND status = 'failed' RETURNING batch_id`,
      )
      .all(now, flowId) as Row[];
    const ids = [...new Set(rows.map((r) => String(r.batch_id)))];
    for (const id of ids) {
      this.s
        .get(
          `UPDATE cpf_batches SET status = CASE WHEN status = 'completed' THEN 'running' ELSE status END,
             finished_at = NULL, updated_at = ? WHERE id = ?`,
        )
        .run(now, id);
    }
    return ids;
  }

  openIds(): string[] {
    return (
      this.s.get('SELECT id FROM cpf_batches WHERE finished_at IS NULL ORDER BY created_at').all() as Row[]
    ).map((r) => String(r.id));
  }

  results(batchId: string): BatchResultRecord[] {
    const rows = this.s
      .get(
        `SELECT i.line, i.cpf, i.status, i.reason, i.flow_id, s.disbursed_amount, s.installment_value, s.installments
         FROM cpf_batch_items i LEFT JOIN flows f ON f.id = i.flow_id LEFT JOIN simulations s ON s.id = f.simulation_id
         WHERE i.batch_id = ? ORDER BY i.line, i.seq`,
      )
      .all(batchId) as Row[];
    return rows.map((r) => {
      const simulated = r.status === 'simulated';
      return {
        line: num(r.line) ?? 0,
        cpf: String(r.cpf),
        status: String(r.status) as BatchItemStatus,
        reason: str(r.reason),
        flowId: str(r.flow_id),
        disbursedAmount: simulated ? num(r.disbursed_amount) : null,
        installmentValue: simulated ? num(r.installment_value) : null,
        installments: simulated ? num(r.installments) : null,
      };
    });
  }
}
