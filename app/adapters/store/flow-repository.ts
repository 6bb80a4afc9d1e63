import {
  FLOW_STEPS,
  type FlowOptions,
  type FlowOutcome,
  type FlowStatus,
  type FlowStepName,
  type StepStatus,
} from '../../domain/flow-steps.ts';
import type { NormalizedLead, RawLead } from '../../domain/lead.ts';
import { jsonOrNull, num, parseJson, type Row, type Statements, str } from './sql-util.ts';

export interface FlowRecord {
  readonly id: string;
  readonly cpf: string;
  readonly status: FlowStatus;
  readonly outcome: FlowOutcome | null;
  /** pt-BR, for the broker (also written to the Kentro note). */
  readonly reason: string | null;
  /** The step to run (or being waited on). */
  readonly step: FlowStepName;
  readonly options: FlowOptions;
  readonly batchItemId: string | null;
  readonly opportunityId: number | null;
  readonly opportunityCreated: boolean;
  /** The lead as Kentro (and the caller) gave it. */
  readonly leadSource: RawLead | null;
  readonly lead: NormalizedLead | null;
  readonly consultId: string | null;
  readonly simulationId: number | null;
  /** Failed attempts of the current step (reset when a step finishes). */
  readonly attempts: number;
  readonly nextRunAt: number;
  readonly waitDeadlineAt: number | null;
  readonly nextPollAt: number | null;
  readonly pollCount: number;
  /** Technical error of the last failed attempt (English, may name upstream codes). */
  readonly lastError: string | null;
  /** Parked until then because V8's consult quota is used up (shown as waiting_quota); null otherwise. */
  readonly quotaWaitUntil: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly finishedAt: number | null;
}

export interface NewFlow {
  readonly id: string;
  readonly cpf: string;
  readonly options: FlowOptions;
  readonly batchItemId?: string | undefined;
}

/** Columns a use case may change (undefined: unchanged, null: cleared); `updatedAt` is always set. */
export type FlowPatch = Partial<
  Pick<
    FlowRecord,
    | 'status'
    | 'outcome'
    | 'reason'
    | 'step'
    | 'opportunityId'
    | 'opportunityCreated'
    | 'leadSource'
    | 'lead'
    | 'consultId'
    | 'simulationId'
    | 'attempts'
    | 'nextRunAt'
    | 'waitDeadlineAt'
    | 'nextPollAt'
    | 'pollCount'
    | 'lastError'
    | 'quotaWaitUntil'
    | 'finishedAt'
  >
>;

export interface StepRecord {
  readonly name: FlowStepName;
  readonly seq: number;
  readonly status: StepStatus;
  readonly attempts: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly detail: Record<string, unknown> | null;
  readonly error: string | null;
}

export interface FlowRepository {
  insert(flow: NewFlow, now: number): FlowRecord;
  get(id: string): FlowRecord | undefined;
  /** The CPF's flow that has not completed, if any (at most one exists). */
  activeByCpf(cpf: string): FlowRecord | undefined;
  /** Newest first. */
  list(filter: { cpf?: string | undefined; batchItemId?: string | undefined; limit: number }): FlowRecord[];
  /** queued/running flows due by `now`, oldest due first. */
  runnable(now: number, limit: number, exclude: ReadonlySet<string>): FlowRecord[];
  /** Flows waiting for a margin whose poll or deadline is due. */
  pollDue(now: number, limit: number): FlowRecord[];
  update(id: string, patch: FlowPatch, now: number): FlowRecord;
  /** Every waiting flow's poll becomes due now (after a restart: webhooks may have been missed). */
  pollAllWaitingNow(now: number): number;
  /** Waiting flows of this consult become runnable now; returns their ids. */
  wakeByConsult(consultId: string, now: number): string[];
  /**
   * The newest flow of this consult that ended failed at the margin step (the wait timed out, or
   * reading V8 kept failing) runs again from that step; not when the CPF has another active flow.
   * Returns its id (or nothing).
   */
  reopenAtMargin(consultId: string, now: number): string[];
  /** The opportunity a previous flow of this CPF used (newest first). */
  knownOpportunity(cpf: string): number | undefined;
  startStep(flowId: string, name: FlowStepName, now: number): void;
  finishStep(
    flowId: string,
    name: FlowStepName,
    status: Exclude<StepStatus, 'pending' | 'running'>,
    now: number,
    detail?: Record<string, unknown>,
  ): void;
  /** Records a failed attempt of a step that will be retried (the step stays running). */
  stepError(flowId: string, name: FlowStepName, error: string, now: number): void;
  steps(flowId: string): StepRecord[];
  counts(): Record<FlowStatus, number>;
}

const COLUMNS: Record<keyof FlowPatch, string> = {
  status: 'status',
  outcome: 'outcome',
  reason: 'reason',
  step: 'step',
  opportunityId: 'opportunity_id',
  opportunityCreated: 'opportunity_created',
  leadSource: 'lead_source',
  lead: 'lead',
  consultId: 'consult_id',
  simulationId: 'simulation_id',
  attempts: 'attempts',
  nextRunAt: 'next_run_at',
  waitDeadlineAt: 'wait_deadline_at',
  nextPollAt: 'next_poll_at',
  pollCount: 'poll_count',
  lastError: 'last_error',
  quotaWaitUntil: 'quota_wait_until',
  finishedAt: 'finished_at',
};

function toDb(key: keyof FlowPatch, value: unknown): string | number | null {
  if (value === undefined || value === null) return null;
  if (key === 'leadSource' || key === 'lead') return jsonOrNull(value);
  if (key === 'opportunityCreated') return value ? 1 : 0;
  return value as string | number;
}

function toFlow(r: Row): FlowRecord {
  return {
    id: String(r.id),
    cpf: String(r.cpf),
    status: String(r.status) as FlowStatus,
    outcome: str(r.outcome) as FlowOutcome | null,
    reason: str(r.reason),
    step: String(r.step) as FlowStepName,
    options: parseJson<FlowOptions>(r.options, {}),
    batchItemId: str(r.batch_item_id),
    opportunityId: num(r.opportunity_id),
    opportunityCreated: num(r.opportunity_created) === 1,
    leadSource: parseJson<RawLead | null>(r.lead_source, null),
    lead: parseJson<NormalizedLead | null>(r.lead, null),
    consultId: str(r.consult_id),
    simulationId: num(r.simulation_id),
    attempts: num(r.attempts) ?? 0,
    nextRunAt: num(r.next_run_at) ?? 0,
    waitDeadlineAt: num(r.wait_deadline_at),
    nextPollAt: num(r.next_poll_at),
    pollCount: num(r.poll_count) ?? 0,
    lastError: str(r.last_error),
    quotaWaitUntil: num(r.quota_wait_until),
    createdAt: num(r.created_at) ?? 0,
    updatedAt: num(r.updated_at) ?? 0,
    finishedAt: num(r.finished_at),
  };
}

function toStep(r: Row): StepRecord {
  return {
    name: String(r.name) as FlowStepName,
    seq: num(r.seq) ?? 0,
    status: String(r.status) as StepStatus,
    attempts: num(r.attempts) ?? 0,
    startedAt: num(r.started_at),
    finishedAt: num(r.finished_at),
    detail: parseJson<Record<string, unknown> | null>(r.detail, null),
    error: str(r.error),
  };
}

export class SqliteFlowRepository implements FlowRepository {
  private readonly s: Statements;

  constructor(statements: Statements) {
    this.s = statements;
  }

  insert(flow: NewFlow, now: number): FlowRecord {
    this.s
      .get(
        `INSERT INTO flows (id, cpf, status, step, options, batch_item_id, next_run_at, created_at, updated_at)
         VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        flow.id,
        flow.cpf,
        FLOW_STEPS[0],
        JSON.stringify(flow.options),
        flow.batchItemId ?? null,
        now,
        now,
        now,
      );
    return this.get(flow.id) as FlowRecord;
  }

  get(id: string): FlowRecord | undefined {
    const r = this.s.get('SELECT * FROM flows WHERE id = ?').get(id) as Row | undefined;
    return r ? toFlow(r) : undefined;
  }

  activeByCpf(cpf: string): FlowRecord | undefined {
    const r = this.s.get("SELECT * FROM flows WHERE cpf = ? AND status <> 'completed'").get(cpf) as
      | Row
      | undefined;
    return r ? toFlow(r) : undefined;
  }

  list(filter: { cpf?: string | undefined; batchItemId?: string | undefined; limit: number }): FlowRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.cpf !== undefined) {
      where.push('cpf = ?');
      args.push(filter.cpf);
    }
    if (filter.batchItemId !== undefined) {
      where.push('batch_item_id = ?');
      args.push(filter.batchItemId);
    }
    const sql = `SELECT * FROM flows ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return (this.s.get(sql).all(...args, filter.limit) as Row[]).map(toFlow);
  }

  runnable(now: number, limit: number, exclude: ReadonlySet<string>): FlowRecord[] {
    // Over-fetch by the excluded count: those are already running in this process.
    const rows = this.s
      .get(
        `SELECT * FROM flows WHERE status IN ('queued', 'running') AND next_run_at <= ?
         ORDER BY next_run_at, created_at LIMIT ?`,
      )
      .all(now, limit + exclude.size) as Row[];
    return rows
      .map(toFlow)
      .filter((f) => !exclude.has(f.id))
      .slice(0, limit);
  }

  pollDue(now: number, limit: number): FlowRecord[] {
    return (
      this.s
        .get(
          `SELECT * FROM flows WHERE status = 'waiting_margin'
           AND (next_poll_at <= ? OR wait_deadline_at <= ?) ORDER BY next_poll_at LIMIT ?`,
        )
        .all(now, now, limit) as Row[]
    ).map(toFlow);
  }

  update(id: string, patch: FlowPatch, now: number): FlowRecord {
    // undefined means "leave as is"; null clears a column.
    const keys = (Object.keys(patch) as (keyof FlowPatch)[]).filter(
      (k) => k in COLUMNS && patch[k] !== undefined,
    );
    const sets = keys.map((k) => `${COLUMNS[k]} = ?`);
    const values = keys.map((k) => toDb(k, patch[k]));
    this.s
      .get(`UPDATE flows SET ${[...sets, 'updated_at = ?'].join(', ')} WHERE id = ?`)
      .run(...values, now, id);
    const flow = this.get(id);
    if (!flow) throw new Error(`flow ${id} does not exist`);
    return flow;
  }

  pollAllWaitingNow(now: number): number {
    const r = this.s
      .get("UPDATE flows SET next_poll_at = ?, updated_at = ? WHERE status = 'waiting_margin'")
      .run(now, now);
    return Number(r.changes);
  }

  wakeByConsult(consultId: string, now: number): string[] {
    const rows = this.s
      .get(
        `UPDATE flows SET status = 'running', next_run_at = ?, updated_at = ?
         WHERE consult_id = ? AND status = 'waiting_margin' RETURNING id`,
      )
      .all(now, now, consultId) as Row[];
    return rows.map((r) => String(r.id));
  }

  reopenAtMargin(consultId: string, now: number): string[] {
    // Only the newest such flow: a CPF has at most one active flow (unique index), and two runs of
    // a CPF may have timed out on the same consult.
    const newest = this.s
      .get(
        `SELECT id FROM flows WHERE consult_id = ? AND status = 'completed' AND outcome = 'failed' AND step = 'margin'
         ORDER BY created_at DESC, rowid DESC LIMIT 1`,
      )
      .get(consultId) as Row | undefined;
    if (!newest) return [];
    const rows = this.s
      .get(
        `UPDATE flows SET status = 'running', outcome = NULL, reason = NULL, finished_at = NULL,
           wait_deadline_at = NULL, next_poll_at = NULL, attempts = 0, next_run_at = ?, updated_at = ?
         WHERE id = ? AND NOT EXISTS (
           SELECT 1 FROM flows other WHERE other.cpf = flows.cpf AND other.status <> 'completed')
         RETURNING id`,
      )
      .all(now, now, String(newest.id)) as Row[];
    return rows.map((r) => String(r.id));
  }

  knownOpportunity(cpf: string): number | undefined {
    const r = this.s
      .get(
        `SELECT opportunity_id FROM flows WHERE cpf = ? AND opportunity_id IS NOT NULL
         ORDER BY created_at DESC LIMIT 1`,
      )
      .get(cpf) as Row | undefined;
    return r ? (num(r.opportunity_id) ?? undefined) : undefined;
  }

  startStep(flowId: string, name: FlowStepName, now: number): void {
    this.s
      .get(
        `INSERT INTO flow_steps (flow_id, name, seq, status, attempts, started_at)
         VALUES (?, ?, ?, 'running', 1, ?)
         ON CONFLICT (flow_id, name) DO UPDATE SET status = 'running', attempts = attempts + 1,
           started_at = COALESCE(started_at, excluded.started_at), finished_at = NULL`,
      )
      .run(flowId, name, FLOW_STEPS.indexOf(name), now);
  }

  finishStep(
    flowId: string,
    name: FlowStepName,
    status: Exclude<StepStatus, 'pending' | 'running'>,
    now: number,
    detail?: Record<string, unknown>,
  ): void {
    this.s
      .get(
        `INSERT INTO flow_steps (flow_id, name, seq, status, attempts, started_at, finished_at, detail)
         VALUES (?, ?, ?, ?, 0, ?, ?, ?)
         ON CONFLICT (flow_id, name) DO UPDATE SET status = excluded.status,
           finished_at = excluded.finished_at, detail = COALESCE(excluded.detail, detail),
           started_at = COALESCE(started_at, excluded.started_at)`,
      )
      .run(flowId, name, FLOW_STEPS.indexOf(name), status, now, now, jsonOrNull(detail));
  }

  stepError(flowId: string, name: FlowStepName, error: string, now: number): void {
    this.s
      .get(
        `INSERT INTO flow_steps (flow_id, name, seq, status, attempts, started_at, error)
         VALUES (?, ?, ?, 'running', 1, ?, ?)
         ON CONFLICT (flow_id, name) DO UPDATE SET error = excluded.error`,
      )
      .run(flowId, name, FLOW_STEPS.indexOf(name), now, error);
  }

  steps(flowId: string): StepRecord[] {
    return (this.s.get('SELECT * FROM flow_steps WHERE flow_id = ? ORDER BY seq').all(flowId) as Row[]).map(
      toStep,
    );
  }

  counts(): Record<FlowStatus, number> {
    const out: Record<FlowStatus, number> = { queued: 0, running: 0, waiting_margin: 0, completed: 0 };
    for (const r of this.s.get('SELECT status, COUNT(*) AS n FROM flows GROUP BY status').all() as Row[]) {
      out[String(r.status) as FlowStatus] = num(r.n) ?? 0;
    }
    return out;
  }
}
