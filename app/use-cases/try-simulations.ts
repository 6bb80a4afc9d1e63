import type { V8Client, V8Simulation } from '../adapters/v8/v8-client.ts';
import type { V8Provider } from '../config/app-config.ts';
import { isAppError } from '../domain/app-error.ts';
import {
  type CandidatePricing,
  classifySimulationRefusal,
  remainingCandidates,
  type SimulationCandidate,
} from '../domain/simulation-policy.ts';
import type { V8ErrorDetail } from '../domain/v8-error-classification.ts';

/** V8 refusals that concern this candidate (the next one may work); anything else is thrown to the caller. */
const REFUSAL_CODES = new Set(['rejected', 'invalid_data', 'already_exists']);

export interface SimulationAttempt {
  readonly configId: string;
  readonly configSlug: string | undefined;
  readonly installments: number;
  readonly installmentValue?: number | undefined;
  readonly disbursedAmount?: number | undefined;
  readonly error?: string;
  readonly v8Type?: string | undefined;
  /** V8 said it already had this simulation; the caller's stored one was used. */
  readonly reused?: boolean;
}

export interface TrySimulationsInput {
  readonly consultId: string;
  readonly provider: V8Provider;
  readonly candidates: readonly SimulationCandidate[];
  readonly pricing: CandidatePricing;
  /** V8 simulate calls at most. */
  readonly maxAttempts: number;
  /** The caller's earlier simulation with these parameters, used when V8 says it already exists. */
  readonly earlier?: ((c: SimulationCandidate) => V8Simulation | undefined) | undefined;
}

export type TrySimulationsResult =
  | {
      readonly ok: true;
      readonly candidate: SimulationCandidate;
      readonly simulation: V8Simulation;
      readonly attempts: readonly SimulationAttempt[];
    }
  | {
      readonly ok: false;
      /** V8 said no candidate can work (not eligible / no margin). */
      readonly stopped: boolean;
      readonly reason: string;
      readonly attempts: readonly SimulationAttempt[];
    };

const described = (c: SimulationCandidate) => ({
  configId: c.configId,
  configSlug: c.configSlug,
  installments: c.installments,
  ...(c.installmentValue !== undefined ? { installmentValue: c.installmentValue } : {}),
  ...(c.disbursedAmount !== undefined ? { disbursedAmount: c.disbursedAmount } : {}),
});

/**
 * The one candidate loop of the flow and of the custom simulation: simulates the candidates in order
 * until V8 accepts one. A refusal narrows or re-prices what is left (simulation-policy); V8
 * unavailability is thrown (the flow retries the step, a route answers it).
 */
export async function trySimulations(
  v8: V8Client,
  input: TrySimulationsInput,
): Promise<TrySimulationsResult> {
  const attempts: SimulationAttempt[] = [];
  let queue: SimulationCandidate[] = [...input.candidates];
  let stopped = false;
  let lastText = '';
  while (queue.length > 0 && attempts.length < input.maxAttempts) {
    const c = queue.shift() as SimulationCandidate;
    let sim: V8Simulation;
    try {
      sim = await v8.simulate({
        consultId: input.consultId,
        configId: c.configId,
        installments: c.installments,
        provider: input.provider,
        ...(c.installmentValue !== undefined ? { installmentValue: c.installmentValue } : {}),
        ...(c.disbursedAmount !== undefined ? { disbursedAmount: c.disbursedAmount } : {}),
      });
    } catch (err) {
      if (!isAppError(err) || !REFUSAL_CODES.has(err.code)) throw err;
      // V8 may refuse a simulation identical to an earlier one (a re-run on the same consult).
      const earlier = err.code === 'already_exists' ? input.earlier?.(c) : undefined;
      if (earlier) {
        attempts.push({ ...described(c), reused: true });
        return { ok: true, candidate: c, simulation: earlier, attempts };
      }
      const detail = err.detail as V8ErrorDetail | undefined;
      lastText = detail?.detail ?? err.message;
      attempts.push({ ...described(c), error: lastText, v8Type: detail?.type });
      const refusal = classifySimulationRefusal(detail?.type, lastText);
      if (refusal.action === 'stop') stopped = true;
      queue = remainingCandidates(queue, refusal, c, input.pricing);
      continue;
    }
    attempts.push(described(c));
    return { ok: true, candidate: c, simulation: sim, attempts };
  }
  return {
    ok: false,
    stopped,
    reason: stopped
      ? `a V8 recusou a simulação: ${lastText}`
      : `nenhuma simulação aceita pela V8 após ${attempts.length} tentativa(s): ${lastText}`,
    attempts,
  };
}
