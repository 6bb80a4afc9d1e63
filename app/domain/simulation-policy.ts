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
}

/** What the caller of the flow asked for (all optional). */
export interface SimulationWish {
  readonly installments?: number | undefined;
  readonly installmentValue?: number | undefined;
  readonly disbursedAmount?: number | undefined;
}

export interface SimulationCandidate {
  readonly configId: string;
  readonly configSlug: string | undefined;
  readonly installments: number;
  /** Exactly one of installmentValue / disbursedAmount is set (V8 answers 422 to both). */
  readonly installmentValue?: number | undefined;
  readonly disbursedAmount?: number | undefined;
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
  | { readonly ok: true; readonly candidates: readonly SimulationCandidate[] }
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

export function simulationCandidates(input: CandidateInput): CandidateResult {
  const { min, max } = termBounds(input.limit);
  const wish = input.wish ?? {};
  if (!(input.margin > 0)) return { ok: false, reason: 'sem margem disponível' };
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
  const amount =
    wish.disbursedAmount !== undefined
      ? { disbursedAmount: wish.disbursedAmount }
      : { installmentValue: floorCents(Math.min(wish.installmentValue ?? input.margin, input.margin)) };
  const candidates = options.slice(0, Math.max(1, input.maxCandidates)).map(({ c, n }) => ({
    configId: c.id,
    configSlug: c.slug,
    installments: n,
    ...amount,
  }));
  return { ok: true, candidates };
}

/** What V8's refusal of one candidate means for the rest. */
export type SimulationRefusal =
  /** Try the next candidate (only terms up to `maxInstallments` when V8 named its maximum). */
  | { readonly action: 'next'; readonly maxInstallments?: number | undefined }
  /** No candidate can work: the consult is not eligible / has no margin. */
  | { readonly action: 'stop' };

const MAX_IN_TEXT = /m[áa]ximo\D{0,40}?(\d{1,3})\s*(?:parcelas|meses)/i;

/** The maximum term V8 names in "...excede o máximo permitido de 24 parcelas" (LJ reads it the same way). */
export function maxInstallmentsFromText(text: string): number | undefined {
  const m = MAX_IN_TEXT.exec(text);
  return m?.[1] ? Number(m[1]) : undefined;
}

/**
 * `v8Type` is V8's error type when it sent one; `text` its message. Not eligible -> stop; a term or an
 * amount V8 does not accept, a duplicate, or any other data refusal -> next candidate.
 */
export function classifySimulationRefusal(v8Type: string | undefined, text: string): SimulationRefusal {
  const t = `${v8Type ?? ''} ${text}`;
  if (/not_eligible|n[ãa]o eleg[íi]vel|sem margem/i.test(t)) return { action: 'stop' };
  if (/above_maximum/i.test(t) || MAX_IN_TEXT.test(text)) {
    return { action: 'next', maxInstallments: maxInstallmentsFromText(text) };
  }
  return { action: 'next' };
}

/** The candidates still worth trying after a refusal. */
export function remainingCandidates(
  rest: readonly SimulationCandidate[],
  refusal: SimulationRefusal,
): SimulationCandidate[] {
  if (refusal.action === 'stop') return [];
  const max = refusal.maxInstallments;
  return rest.filter((c) => max === undefined || c.installments <= max);
}
