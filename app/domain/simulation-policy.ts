/**
 * Which simulations the flow asks V8 for, in which order, and what a V8 refusal means for the next
 * try. Pure: V8's configs and the consult's limits come in, an ordered list of requests goes out.
 *
 * max_amount (default): the longest term the consult's simulationLimit and the table allow, the
 *   lowest rate among tables offering it, instalment = the whole available margin. With the
 *   instalment fixed at the margin, a longer term and a lower rate both mean more money released.
 * lowest_rate: the cheapest table first, then its longest term (the borrower pays less interest).
 *
 * Insured tables ("seguro") are used only when no uninsured table offers an allowed term: insurance
 * reduces the released amount and is a product decision, not a default.
 *
 * The amount lent stays within simulationLimit.valueMin..valueMax (estimated with the table's rate): the
 * instalment is capped so it never lends more than valueMax, and a term that cannot reach valueMin is
 * not proposed. "Above the margin" lowers the instalment (MARGIN_SHARES), keeping table and term.
 */

export type SimulationPolicyName = 'max_amount' | 'lowest_rate';

export const SIMULATION_POLICIES: readonly SimulationPolicyName[] = ['max_amount', 'lowest_rate'];

export interface PolicyConfig {
  readonly id: string;
  readonly slug: string | undefined;
  /** Percent per month; unknown rates sort last. */
  readonly monthlyInterestRate: number | undefined;
  readonly installments: readonly number[];
  readonly insured: boolean;
}

export interface PolicyLimit {
  readonly installmentsMin?: number | undefined;
  readonly installmentsMax?: number | undefined;
  readonly monthMin?: number | undefined;
  readonly monthMax?: number | undefined;
  /** Bounds of the amount V8 lends this worker (simulationLimit.valueMin/valueMax). */
  readonly valueMin?: number | undefined;
  readonly valueMax?: number | undefined;
}

/** What the caller of the flow asked for (all optional). */
export interface SimulationWish {
  readonly installments?: number | undefined;
  readonly installmentValue?: number | undefined;
  readonly disbursedAmount?: number | undefined;
}

/**
 * Shares of the margin the instalment is priced at, in order. V8 sometimes refuses the whole
 * advertised margin as "above the margin" (lordcred steps down the same way); each such refusal moves
 * every remaining candidate to the next share, keeping its table and term.
 */
export const MARGIN_SHARES: readonly number[] = [1, 0.95, 0.85];

export interface SimulationCandidate {
  readonly configId: string;
  readonly configSlug: string | undefined;
  readonly installments: number;
  /** Exactly one of installmentValue / disbursedAmount is set (V8 answers 422 to both). */
  readonly installmentValue?: number | undefined;
  readonly disbursedAmount?: number | undefined;
  /** Index in MARGIN_SHARES the instalment was priced at; absent when the caller fixed the released amount. */
  readonly shareStep?: number | undefined;
  /** The table's rate (percent per month), to estimate the amount lent; absent when V8 did not say. */
  readonly monthlyInterestRate?: number | undefined;
}

/** What prices a candidate: the margin, V8's value bounds and the instalment the caller asked for. */
export interface CandidatePricing {
  readonly margin: number;
  readonly valueMin?: number | undefined;
  readonly valueMax?: number | undefined;
  readonly wishedInstallmentValue?: number | undefined;
}

export interface CandidateInput {
  readonly policy: SimulationPolicyName;
  readonly configs: readonly PolicyConfig[];
  /** availableMarginValue of the SUCCESS consult (BRL per month). */
  readonly margin: number;
  readonly limit: PolicyLimit | undefined;
  readonly wish?: SimulationWish | undefined;
  /** Bound on V8 calls for one flow. */
  readonly maxCandidates: number;
}

export type CandidateResult =
  | {
      readonly ok: true;
      readonly candidates: readonly SimulationCandidate[];
      readonly pricing: CandidatePricing;
    }
  | { readonly ok: false; readonly reason: string };

/** Cents, rounded down: an instalment one cent above the margin is refused by V8. */
export function floorCents(value: number): number {
  return Math.floor(value * 100 + 1e-6) / 100;
}

function termBounds(limit: PolicyLimit | undefined): { min: number; max: number } {
  const min = limit?.installmentsMin ?? limit?.monthMin ?? 1;
  const max = limit?.installmentsMax ?? limit?.monthMax ?? Number.POSITIVE_INFINITY;
  return { min, max };
}

const rateOf = (c: PolicyConfig) => c.monthlyInterestRate ?? Number.POSITIVE_INFINITY;

/** Present value of one BRL a month over n months at the table's rate (price table). */
function annuityFactor(ratePercent: number, n: number): number {
  const i = ratePercent / 100;
  return i > 0 ? (1 - (1 + i) ** -n) / i : n;
}

/**
 * The amount lent for an instalment, estimated with the table's rate (V8's issue amount before IOF;
 * the released amount is a little lower). Undefined when the rate is unknown.
 */
export function estimatedAmount(installmentValue: number, ratePercent: number | undefined, n: number) {
  return ratePercent === undefined ? undefined : installmentValue * annuityFactor(ratePercent, n);
}

const brl = (v: number) => `R$ ${v.toFixed(2).replace('.', ',')}`;

/**
 * The candidate priced at a share of the margin, capped so the estimated amount stays within valueMax
 * (never proposed above it); undefined when even that falls below valueMin or to nothing.
 */
export function priceCandidate(
  c: SimulationCandidate,
  shareStep: number,
  pricing: CandidatePricing,
): SimulationCandidate | undefined {
  const share = MARGIN_SHARES[shareStep];
  if (share === undefined) return undefined;
  const rate = c.monthlyInterestRate;
  let value = Math.min(pricing.margin * share, pricing.wishedInstallmentValue ?? Number.POSITIVE_INFINITY);
  if (pricing.valueMax !== undefined && rate !== undefined) {
    value = Math.min(value, pricing.valueMax / annuityFactor(rate, c.installments));
  }
  value = floorCents(value);
  if (!(value > 0)) return undefined;
  const amount = estimatedAmount(value, rate, c.installments);
  if (pricing.valueMin !== undefined && amount !== undefined && amount < pricing.valueMin) return undefined;
  return {
    configId: c.configId,
    configSlug: c.configSlug,
    installments: c.installments,
    installmentValue: value,
    shareStep,
    monthlyInterestRate: rate,
  };
}

export function simulationCandidates(input: CandidateInput): CandidateResult {
  const { min, max } = termBounds(input.limit);
  const wish = input.wish ?? {};
  if (!(input.margin > 0)) return { ok: false, reason: 'sem margem disponível' };
  const pricing: CandidatePricing = {
    margin: input.margin,
    valueMin: input.limit?.valueMin,
    valueMax: input.limit?.valueMax,
    wishedInstallmentValue: wish.installmentValue,
  };
  const wanted = wish.disbursedAmount;
  if (
    wanted !== undefined &&
    ((pricing.valueMin !== undefined && wanted < pricing.valueMin) ||
      (pricing.valueMax !== undefined && wanted > pricing.valueMax))
  ) {
    return {
      ok: false,
      reason: `valor pedido de ${brl(wanted)} fora dos limites da V8 para este cliente (${brl(pricing.valueMin ?? 0)} a ${pricing.valueMax === undefined ? 'sem máximo' : brl(pricing.valueMax)})`,
    };
  }
  const allowed = (n: number) =>
    Number.isInteger(n) &&
    n >= min &&
    n <= max &&
    (wish.installments === undefined || n === wish.installments);
  const pairs = (configs: readonly PolicyConfig[]) =>
    configs.flatMap((c) => [...new Set(c.installments)].filter(allowed).map((n) => ({ c, n })));
  let options = pairs(input.configs.filter((c) => !c.insured));
  if (options.length === 0) options = pairs(input.configs.filter((c) => c.insured));
  if (options.length === 0) {
    return {
      ok: false,
      reason:
        wish.installments === undefined
          ? `nenhuma tabela da V8 oferece prazo entre ${min} e ${Number.isFinite(max) ? max : 'o máximo'} parcelas`
          : `prazo de ${wish.installments} parcelas não disponível para este cliente (permitido: ${min} a ${Number.isFinite(max) ? max : 'máximo da tabela'})`,
    };
  }
  options.sort((a, b) =>
    input.policy === 'lowest_rate'
      ? rateOf(a.c) - rateOf(b.c) || b.n - a.n || a.c.id.localeCompare(b.c.id)
      : b.n - a.n || rateOf(a.c) - rateOf(b.c) || a.c.id.localeCompare(b.c.id),
  );
  const bare = options.map(({ c, n }) => ({
    configId: c.id,
    configSlug: c.slug,
    installments: n,
    monthlyInterestRate: c.monthlyInterestRate,
  }));
  const priced =
    wanted !== undefined
      ? bare.map((c) => ({ ...c, disbursedAmount: wanted }))
      : bare.flatMap((c) => priceCandidate(c, 0, pricing) ?? []);
  if (priced.length === 0) {
    return {
      ok: false,
      reason: `a margem de ${brl(input.margin)} não alcança o valor mínimo da V8 para este cliente (${brl(pricing.valueMin ?? 0)}) em nenhum prazo`,
    };
  }
  return { ok: true, candidates: priced.slice(0, Math.max(1, input.maxCandidates)), pricing };
}

/** What V8's refusal of one candidate means for the rest. */
export type SimulationRefusal =
  /** Try the next candidate (only terms up to `maxInstallments` when V8 named its maximum). */
  | { readonly action: 'next'; readonly maxInstallments?: number | undefined }
  /** The instalment is above what V8 lends: the same table and term with a lower instalment. */
  | { readonly action: 'lower' }
  /** No candidate can work: the consult is not eligible / has no margin. */
  | { readonly action: 'stop' };

const MAX_IN_TEXT = /m[áa]ximo\D{0,40}?(\d{1,3})\s*(?:parcelas|meses)/i;
const ABOVE_MARGIN = /above_margin|(?:excede|acima d)a margem/i;

/** The maximum term V8 names in "...excede o máximo permitido de 24 parcelas" (LJ reads it the same way). */
export function maxInstallmentsFromText(text: string): number | undefined {
  const m = MAX_IN_TEXT.exec(text);
  return m?.[1] ? Number(m[1]) : undefined;
}

/**
 * `v8Type` is V8's error type when it sent one; `text` its message. Not eligible -> stop; an
 * instalment above the margin -> lower it; a term or any other data refusal, or a duplicate -> next.
 */
export function classifySimulationRefusal(v8Type: string | undefined, text: string): SimulationRefusal {
  const t = `${v8Type ?? ''} ${text}`;
  if (/not_eligible|n[ãa]o eleg[íi]vel|sem margem/i.test(t)) return { action: 'stop' };
  if (ABOVE_MARGIN.test(t)) return { action: 'lower' };
  if (/above_maximum/i.test(t) || MAX_IN_TEXT.test(text)) {
    return { action: 'next', maxInstallments: maxInstallmentsFromText(text) };
  }
  return { action: 'next' };
}

/**
 * The candidates still worth trying after V8 refused `refused`. "Above the margin" re-prices the refused
 * candidate and the rest at the next share of the margin that gives a lower instalment than the refused
 * one (an instalment at or above it would be refused the same way); a fixed released amount cannot be
 * lowered, so the next candidate is tried.
 */
export function remainingCandidates(
  rest: readonly SimulationCandidate[],
  refusal: SimulationRefusal,
  refused?: SimulationCandidate,
  pricing?: CandidatePricing,
): SimulationCandidate[] {
  if (refusal.action === 'stop') return [];
  if (refusal.action === 'lower') {
    const from = refused?.shareStep;
    const ceiling = refused?.installmentValue;
    if (!refused || !pricing || from === undefined || ceiling === undefined) return [...rest];
    for (let step = from + 1; step < MARGIN_SHARES.length; step++) {
      const lower = [refused, ...rest].flatMap((c) => {
        const p = priceCandidate(c, step, pricing);
        return p && (p.installmentValue ?? 0) < ceiling ? [p] : [];
      });
      if (lower.length > 0) return lower;
    }
    return [];
  }
  const max = refusal.maxInstallments;
  return rest.filter((c) => max === undefined || c.installments <= max);
}
