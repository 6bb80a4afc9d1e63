import { num, parseJson, type Row, type Statements, str } from './sql-util.ts';

export type SimulationSource = 'flow' | 'manual';

export interface SimulationRecord {
  readonly id: number;
  readonly cpf: string;
  readonly source: SimulationSource;
  readonly flowId: string | null;
  readonly consultId: string | null;
  readonly v8SimulationId: string | null;
  readonly configId: string | null;
  readonly configSlug: string | null;
  readonly installments: number | null;
  readonly installmentValue: number | null;
  /** Released amount (valor liberado), BRL. */
  readonly disbursedAmount: number | null;
  readonly margin: number | null;
  /** V8's full answer (flow) or whatever the legacy route stored (manual). */
  readonly data: Record<string, unknown>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewSimulation {
  readonly cpf: string;
  readonly source: SimulationSource;
  readonly flowId?: string | undefined;
  readonly consultId?: string | undefined;
  readonly v8SimulationId?: string | undefined;
  readonly configId?: string | undefined;
  readonly configSlug?: string | undefined;
  readonly installments?: number | undefined;
  readonly installmentValue?: number | undefined;
  readonly disbursedAmount?: number | undefined;
  readonly margin?: number | undefined;
  readonly data?: Record<string, unknown> | undefined;
}

export interface SimulationPage {
  readonly items: SimulationRecord[];
  /** CPFs with at least one simulation. */
  readonly total: number;
}

/**
 * Simulations per CPF; the newest row of a CPF is "the" simulation of that CPF (the old simulation
 * cache). Rows are appended, never rewritten, so a flow's simulation stays as it was.
 * The legacy routes map onto: get -> latest(cpf), save/put -> put(cpf, …) (source manual),
 * delete -> deleteByCpf(cpf), list -> listLatest().
 */
export interface SimulationRepository {
  add(sim: NewSimulation, now: number): SimulationRecord;
  /** A manual entry (legacy cache routes): becomes the CPF's latest simulation. */
  put(cpf: string, entry: Omit<NewSimulation, 'cpf' | 'source'>, now: number): SimulationRecord;
  get(id: number): SimulationRecord | undefined;
  latest(cpf: string): SimulationRecord | undefined;
  /** Every simulation of the CPF, newest first. */
  history(cpf: string, limit: number): SimulationRecord[];
  /** Deletes all of the CPF's simulations; flows that used one keep their step detail. Returns how many. */
  deleteByCpf(cpf: string): number;
  /** The latest simulation of each CPF, newest first. */
  listLatest(page: { limit: number; offset: number }): SimulationPage;
}

function toSimulation(r: Row): SimulationRecord {
  return {
    id: num(r.id) ?? 0,
    cpf: String(r.cpf),
    source: String(r.source) as SimulationSource,
    flowId: str(r.flow_id),
    consultId: str(r.consult_id),
    v8SimulationId: str(r.v8_simulation_id),
    configId: str(r.config_id),
    configSlug: str(r.config_slug),
    installments: num(r.installments),
    installmentValue: num(r.installment_value),
    disbursedAmount: num(r.disbursed_amount),
    margin: num(r.margin),
    data: parseJson<Record<string, unknown>>(r.data, {}),
    createdAt: num(r.created_at) ?? 0,
    updatedAt: num(r.updated_at) ?? 0,
  };
}

export class SqliteSimulationRepository implements SimulationRepository {
  private readonly s: Statements;

  constructor(statements: Statements) {
    this.s = statements;
  }

  add(sim: NewSimulation, now: number): SimulationRecord {
    const r = this.s
      .get(
        `INSERT INTO simulations (cpf, source, flow_id, consult_id, v8_simulation_id, config_id, config_slug,
           installments, installment_value, disbursed_amount, margin, data, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        sim.cpf,
        sim.source,
        sim.flowId ?? null,
        sim.consultId ?? null,
        sim.v8SimulationId ?? null,
        sim.configId ?? null,
        sim.configSlug ?? null,
        sim.installments ?? null,
        sim.installmentValue ?? null,
        sim.disbursedAmount ?? null,
        sim.margin ?? null,
        JSON.stringify(sim.data ?? {}),
        now,
        now,
      );
    return this.get(Number(r.lastInsertRowid)) as SimulationRecord;
  }

  put(cpf: string, entry: Omit<NewSimulation, 'cpf' | 'source'>, now: number): SimulationRecord {
    return this.add({ ...entry, cpf, source: 'manual' }, now);
  }

  get(id: number): SimulationRecord | undefined {
    const r = this.s.get('SELECT * FROM simulations WHERE id = ?').get(id) as Row | undefined;
    return r ? toSimulation(r) : undefined;
  }

  latest(cpf: string): SimulationRecord | undefined {
    const r = this.s.get('SELECT * FROM simulations WHERE cpf = ? ORDER BY id DESC LIMIT 1').get(cpf) as
      | Row
      | undefined;
    return r ? toSimulation(r) : undefined;
  }

  history(cpf: string, limit: number): SimulationRecord[] {
    return (
      this.s.get('SELECT * FROM simulations WHERE cpf = ? ORDER BY id DESC LIMIT ?').all(cpf, limit) as Row[]
    ).map(toSimulation);
  }

  deleteByCpf(cpf: string): number {
    return Number(this.s.get('DELETE FROM simulations WHERE cpf = ?').run(cpf).changes);
  }

  listLatest(page: { limit: number; offset: number }): SimulationPage {
    const items = (
      this.s
        .get(
          `SELECT * FROM simulations WHERE id IN (SELECT MAX(id) FROM simulations GROUP BY cpf)
           ORDER BY id DESC LIMIT ? OFFSET ?`,
        )
        .all(page.limit, page.offset) as Row[]
    ).map(toSimulation);
    const total = num((this.s.get('SELECT COUNT(DISTINCT cpf) AS n FROM simulations').get() as Row).n) ?? 0;
    return { items, total };
  }
}
