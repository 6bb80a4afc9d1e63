import { num, type Row, type Statements, str } from './sql-util.ts';

export interface WebhookEventRecord {
  readonly id: number;
  readonly dedupeKey: string;
  readonly type: string | null;
  /** consultId / operationId when the payload names one. */
  readonly subjectId: string | null;
  /** The body exactly as received. */
  readonly body: string;
  readonly receivedAt: number;
  readonly attempts: number;
  readonly processedAt: number | null;
  /** What processing did (e.g. "consult SUCCESS applied", "handshake"). */
  readonly result: string | null;
  readonly error: string | null;
}

export interface NewWebhookEvent {
  readonly dedupeKey: string;
  readonly type: string | undefined;
  readonly subjectId: string | undefined;
  readonly body: string;
}

export type WebhookEventState = 'unprocessed' | 'failed' | 'processed';

export interface WebhookEventRepository {
  /** Stores the event unless one with the same dedupe key exists. */
  insert(e: NewWebhookEvent, now: number): { id: number; duplicate: boolean };
  get(id: number): WebhookEventRecord | undefined;
  markProcessed(id: number, result: string, now: number): void;
  /** One more failed attempt; the event stays unprocessed (replay picks it up). */
  markFailed(id: number, error: string): void;
  /** Ids of events not processed yet (never tried, or failed), oldest first. */
  unprocessedIds(limit: number): number[];
  list(filter: { state?: WebhookEventState | undefined; limit: number }): WebhookEventRecord[];
  counts(): Record<WebhookEventState, number>;
}

function toEvent(r: Row): WebhookEventRecord {
  return {
    id: num(r.id) ?? 0,
    dedupeKey: String(r.dedupe_key),
    type: str(r.type),
    subjectId: str(r.subject_id),
    body: String(r.body),
    receivedAt: num(r.received_at) ?? 0,
    attempts: num(r.attempts) ?? 0,
    processedAt: num(r.processed_at),
    result: str(r.result),
    error: str(r.error),
  };
}

const STATE_WHERE: Record<WebhookEventState, string> = {
  unprocessed: 'processed_at IS NULL',
  failed: 'processed_at IS NULL AND error IS NOT NULL',
  processed: 'processed_at IS NOT NULL',
};

export class SqliteWebhookEventRepository implements WebhookEventRepository {
  private readonly s: Statements;

  constructor(statements: Statements) {
    this.s = statements;
  }

  insert(e: NewWebhookEvent, now: number): { id: number; duplicate: boolean } {
    const r = this.s
      .get(
        `INSERT INTO webhook_events (dedupe_key, type, subject_id, body, received_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      )
      .get(e.dedupeKey, e.type ?? null, e.subjectId ?? null, e.body, now) as Row | undefined;
    if (r) return { id: num(r.id) ?? 0, duplicate: false };
    const existing = this.s.get('SELECT id FROM webhook_events WHERE dedupe_key = ?').get(e.dedupeKey) as Row;
    return { id: num(existing.id) ?? 0, duplicate: true };
  }

  get(id: number): WebhookEventRecord | undefined {
    const r = this.s.get('SELECT * FROM webhook_events WHERE id = ?').get(id) as Row | undefined;
    return r ? toEvent(r) : undefined;
  }

  markProcessed(id: number, result: string, now: number): void {
    this.s
      .get(
        'UPDATE webhook_events SET processed_at = ?, result = ?, error = NULL, attempts = attempts + 1 WHERE id = ?',
      )
      .run(now, result, id);
  }

  markFailed(id: number, error: string): void {
    this.s
      .get(
        'UPDATE webhook_events SET error = ?, attempts = attempts + 1 WHERE id = ? AND processed_at IS NULL',
      )
      .run(error, id);
  }

  unprocessedIds(limit: number): number[] {
    return (
      this.s
        .get('SELECT id FROM webhook_events WHERE processed_at IS NULL ORDER BY id LIMIT ?')
        .all(limit) as Row[]
    ).map((r) => num(r.id) ?? 0);
  }

  list(filter: { state?: WebhookEventState | undefined; limit: number }): WebhookEventRecord[] {
    const where = filter.state ? `WHERE ${STATE_WHERE[filter.state]}` : '';
    return (
      this.s.get(`SELECT * FROM webhook_events ${where} ORDER BY id DESC LIMIT ?`).all(filter.limit) as Row[]
    ).map(toEvent);
  }

  counts(): Record<WebhookEventState, number> {
    const r = this.s
      .get(
        `SELECT SUM(processed_at IS NULL) AS unprocessed,
           SUM(processed_at IS NULL AND error IS NOT NULL) AS failed,
           SUM(processed_at IS NOT NULL) AS processed FROM webhook_events`,
      )
      .get() as Row;
    return {
      unprocessed: num(r.unprocessed) ?? 0,
      failed: num(r.failed) ?? 0,
      processed: num(r.processed) ?? 0,
    };
  }
}
