import { randomUUID } from 'node:crypto';
import type { Consult } from './consults.ts';
import { addDays, isoDate } from './dates.ts';
import { problem, ReplyError } from './http-util.ts';

export interface SimulationConfig {
  id: string;
  slug: string;
  monthly_interest_rate: string;
  number_of_installments: string[];
  is_insured?: boolean;
}

/** Rate tables served by GET /simulation/configs (§1.8): rates and terms as strings. */
export const SIMULATION_CONFIGS: readonly SimulationConfig[] = [
  {
    id: 'a1b2c3d4-0000-4000-8000-00000000c001',
    slug: 'clt-padrao-qi',
    monthly_interest_rate: '1.99',
    number_of_installments: ['6', '12', '18', '24', '36', '48', '60', '72', '84', '96'],
  },
  {
    id: 'a1b2c3d4-0000-4000-8000-00000000c002',
    slug: 'clt-seguro-qi',
    monthly_interest_rate: '2.49',
    number_of_installments: ['12', '24', '36', '48'],
    is_insured: true,
  },
  {
    id: 'a1b2c3d4-0000-4000-8000-00000000c003',
    slug: 'clt-padrao-celcoin',
    monthly_interest_rate: '2.15',
    number_of_installments: ['6', '12', '18', '24', '36', '48'],
  },
];

export interface SimulationRequest {
  consultId: string;
  configId: string;
  installments: number;
  provider: string;
  installmentFaceValue?: number;
  disbursedAmount?: number;
}

export interface Simulation {
  id: string;
  account: string;
  consultId: string;
  request: SimulationRequest;
  /** The response body (§1.9): numbers, snake_case. */
  response: Record<string, unknown>;
  createdAt: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const fail = (type: string, detail: string) => new ReplyError(problem(400, type, detail));
const INSURANCE_RATE = 0.03;

/** IOF: 0.38% fixed + 0.0082%/day, days capped at 365. */
const iofRate = (installments: number) => 0.0038 + 0.000082 * Math.min(365, installments * 30);

/**
 * Price-table maths for a SUCCESS consult. Exactly one amount field, or neither (then the
 * instalment is the whole margin); the XOR (422) is checked by the route.
 */
export function simulate(
  consult: Consult,
  cfg: SimulationConfig,
  req: SimulationRequest,
  now: number,
): Record<string, unknown> {
  const result = consult.result;
  // A margin shown during the credit analysis is simulable, as integrators that use it found.
  const simulable = consult.status === 'SUCCESS' || consult.status === 'WAITING_CREDIT_ANALYSIS';
  if (!simulable || !result) {
    throw fail('simulation_not_eligible', 'Consulta não elegível para simulação.');
  }
  const margin = Number(result.availableMarginValue);
  if (!(margin > 0))
    throw fail('simulation_not_eligible', 'Trabalhador sem margem disponível para simulação.');
  const n = req.installments;
  const limit = result.simulationLimit;
  if (n > limit.installmentsMax) {
    throw fail(
      'simulation_installments_above_maximum',
      `O número de parcelas excede o máximo permitido de ${limit.installmentsMax} parcelas.`,
    );
  }
  if (n < limit.installmentsMin || !cfg.number_of_installments.includes(String(n))) {
    throw fail(
      'simulation_installments_not_allowed',
      `Prazo de ${n} parcelas não disponível na tabela ${cfg.slug}. Prazos: ${cfg.number_of_installments.join(', ')}.`,
    );
  }
  const rate = Number(cfg.monthly_interest_rate);
  const i = rate / 100;
  const factor = (1 - (1 + i) ** -n) / i;
  const iofR = iofRate(n);
  const insR = cfg.is_insured ? INSURANCE_RATE : 0;
  let installment: number;
  if (req.installmentFaceValue !== undefined) installment = req.installmentFaceValue;
  else if (req.disbursedAmount !== undefined) installment = req.disbursedAmount / (1 - iofR - insR) / factor;
  else installment = margin;
  installment = round2(installment);
  if (installment > margin + 0.005) {
    throw fail(
      'simulation_installment_value_above_margin',
      `O valor da parcela (R$ ${installment.toFixed(2)}) excede a margem disponível (R$ ${margin.toFixed(2)}).`,
    );
  }
  const issue = round2(installment * factor);
  const iof = round2(issue * iofR);
  const insurance = round2(issue * insR);
  const disbursed = round2(issue - iof - insurance);
  const firstDate = isoDate(addDays(now, 60));
  const cet = round2(rate + 0.36 + (cfg.is_insured ? 0.4 : 0));
  return {
    id_simulation: randomUUID(),
    installment_value: installment,
    number_of_installments: n,
    operation_amount: round2(installment * n),
    issue_amount: issue,
    disbursed_issue_amount: disbursed,
    disbursement_amount: disbursed,
    iof_amount: iof,
    monthly_interest_rate: rate,
    first_installment_date: firstDate,
    is_insured: cfg.is_insured === true,
    insurance_amount: insurance,
    provider: req.provider,
    simulation_config_id: cfg.id,
    simulation_config_slug: cfg.slug,
    disbursement_option: {
      iof_amount: iof,
      cet,
      first_due_date: firstDate,
      final_disbursement_amount: disbursed,
    },
  };
}

export class SimulationStore {
  private sims = new Map<string, Simulation>();

  add(sim: Simulation): void {
    this.sims.set(sim.id, sim);
  }

  /** This account's simulation, or undefined. */
  get(account: string, id: string): Simulation | undefined {
    const s = this.sims.get(id);
    return s && s.account === account ? s : undefined;
  }

  latestForConsult(account: string, consultId: string): Simulation | undefined {
    return [...this.sims.values()]
      .filter((s) => s.account === account && s.consultId === consultId)
      .sort((a, b) => b.createdAt - a.createdAt)[0];
  }

  findSame(account: string, r: SimulationRequest): Simulation | undefined {
    return [...this.sims.values()].find(
      (s) =>
        s.account === account &&
        s.request.consultId === r.consultId &&
        s.request.configId === r.configId &&
        s.request.installments === r.installments &&
        s.request.installmentFaceValue === r.installmentFaceValue &&
        s.request.disbursedAmount === r.disbursedAmount,
    );
  }

  all(): Simulation[] {
    return [...this.sims.values()];
  }

  clear(): void {
    this.sims.clear();
  }
}
