import { PROVIDERS } from './consult-routes.ts';
import type { FakeContext } from './context.ts';
import { asRecord, type FakeRequest, json, problem, type Reply, validation } from './http-util.ts';
import type { Router } from './router.ts';
import { ANALYSIS_PENDING } from './scenarios.ts';
import { SIMULATION_CONFIGS, type SimulationRequest, simulate } from './simulations.ts';

function configs(ctx: FakeContext): Reply {
  const list = structuredClone(SIMULATION_CONFIGS);
  return json(200, ctx.config.configsShape === 'array' ? list : { configs: list });
}

const isAmount = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;

function create(req: FakeRequest, ctx: FakeContext): Reply {
  const b = asRecord(req.body);
  const errors: string[] = [];
  if (typeof b.consult_id !== 'string' || !b.consult_id) errors.push('consult_id must be a UUID');
  if (typeof b.config_id !== 'string' || !b.config_id) errors.push('config_id must be a UUID');
  if (!Number.isInteger(b.number_of_installments))
    errors.push('number_of_installments must be an integer number');
  if (b.provider !== undefined && !(PROVIDERS as readonly unknown[]).includes(b.provider)) {
    errors.push('provider must be one of the following values: QI, CELCOIN');
  }
  for (const key of ['installment_face_value', 'disbursed_amount']) {
    if (b[key] !== undefined && b[key] !== null && !isAmount(b[key]))
      errors.push(`${key} must be a positive number`);
  }
  if (errors.length > 0) return validation(errors);
  const hasFace = b.installment_face_value !== undefined && b.installment_face_value !== null;
  const hasDisbursed = b.disbursed_amount !== undefined && b.disbursed_amount !== null;
  if (hasFace && hasDisbursed) {
    return validation(['Only one of installment_face_value or disbursed_amount must be provided'], 422);
  }
  const account = req.account ?? '';
  const consult = ctx.consults.get(account, String(b.consult_id));
  const cfg = SIMULATION_CONFIGS.find((c) => c.id === b.config_id);
  if (!cfg) return problem(400, 'simulation_config_not_found', 'Tabela de simulação não encontrada.');
  const request: SimulationRequest = {
    consultId: consult.id,
    configId: cfg.id,
    installments: b.number_of_installments as number,
    provider: typeof b.provider === 'string' ? b.provider : consult.provider,
    ...(hasFace ? { installmentFaceValue: b.installment_face_value as number } : {}),
    ...(hasDisbursed ? { disbursedAmount: b.disbursed_amount as number } : {}),
  };
  if (ctx.config.rejectDuplicateSimulations && ctx.simulations.findSame(account, request)) {
    return problem(400, 'simulation_already_exists', 'Já existe uma simulação com estes parâmetros.');
  }
  if (consult.analysisRefusals < (consult.scenario.analysisPendingSimulations ?? 0)) {
    consult.analysisRefusals++;
    return problem(400, 'consult_in_analysis', ANALYSIS_PENDING);
  }
  const response = simulate(consult, cfg, request, ctx.clock.now());
  ctx.simulations.add({
    id: String(response.id_simulation),
    account,
    consultId: consult.id,
    request,
    response,
    createdAt: ctx.clock.now(),
  });
  return json(201, response);
}

export function simulationRoutes(router: Router, ctx: FakeContext): void {
  router
    .add('GET', '/private-consignment/simulation/configs', () => configs(ctx))
    .add('POST', '/private-consignment/simulation', (r) => create(r, ctx));
}
