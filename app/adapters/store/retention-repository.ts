import { num, type Row, type Statements } from './sql-util.ts';

/**
 * Deletes rows that outlived the retention period, a chunk at a time (each call is one short
 * statement, so flows and webhooks keep writing in between). Only finished things go: a running
 * flow or batch, a CRM update still pending or parked for an operator, stays whatever its age.
 * Consults, operations and simulations (and any consent evidence) are not touched here.
 */
export interface RetentionRepository {
  /** Completed/cancelled batches finished before `cutoff`, with their items. Returns rows deleted. */
  pruneBatches(cutoff: number, limit: number): number;
  /** Delivered or dropped CRM updates last touched before `cutoff`. */
  pruneOutbox(cutoff: number, limit: number): number;
  /**
   * Completed flows finished before `cutoff` (their steps go with them), unless a CRM update or a
   * batch item still points at them: those go first, or the flow stays.
   */
  pruneFlows(cutoff: number, limit: number): number;
  /** Raw V8 webhook events received before `cutoff`, processed or not. */
  pruneWebhookEvents(cutoff: number, limit: number): number;
}

/** Every item status (the CHECK of cpf_batch_items): lets the lookup by flow use (status, flow_id). */
const ITEM_STATUSES = "'pending', 'running', 'simulated', 'no_margin', 'failed', 'invalid', 'cancelled'";

export class SqliteRetentionRepository implements RetentionRepository {
  private readonly s: Statements;

  constructor(statements: Statements) {
    this.s = statements;
  }

  private changes(sql: string, ...params: number[]): number {
    return num(this.s.get(sql).run(...params).changes) ?? 0;
  }

  pruneBatches(cutoff: number, limit: number): number {
    const ids = this.s
      .get(
        `SELECT id FROM cpf_batches
         WHERE status IN ('completed', 'cancelled') AND finished_at IS NOT NULL AND finished_at < ?
         ORDER BY finished_at LIMIT ?`,
      )
      .all(cutoff, limit) as Row[];
    let n = 0;
    // Items go by ON DELETE CASCADE.
    for (const r of ids)
      n += num(this.s.get('DELETE FROM cpf_batches WHERE id = ?').run(String(r.id)).changes) ?? 0;
    return n;
  }

  pruneOutbox(cutoff: number, limit: number): number {
    return this.changes(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE status IN ('delivered', 'dropped') AND updated_at < ? LIMIT ?)`,
      cutoff,
      limit,
    );
  }

  pruneFlows(cutoff: number, limit: number): number {
    return this.changes(
      `DELETE FROM flows WHERE id IN (
         SELECT f.id FROM flows f
         WHERE f.status = 'completed' AND f.finished_at IS NOT NULL AND f.finished_at < ?
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.flow_id = f.id)
           AND NOT EXISTS (SELECT 1 FROM cpf_batch_items i WHERE i.status IN (${ITEM_STATUSES}) AND i.flow_id = f.id)
         LIMIT ?)`,
      cutoff,
      limit,
    );
  }

  pruneWebhookEvents(cutoff: number, limit: number): number {
    // Ids grow with arrival: walking them in order meets the old events first and stops early.
    return this.changes(
      `DELETE FROM webhook_events WHERE id IN (
         SELECT id FROM webhook_events WHERE received_at < ? ORDER BY id LIMIT ?)`,
      cutoff,
      limit,
    );
  }
}
