/**
 * V8's simulation answer in V8's own names (reference §1.9), rebuilt from what our V8 client keeps
 * (V8Simulation). The old service answered V8's body as is (`simulacao_resultado`, the cache's
 * `dadosSimulacao`); its callers read `installment_face_value`, `disbursement_amount`,
 * `number_of_installments`, `operation_amount`.
 */

type Json = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** `sim`: a stored V8Simulation (camelCase) or an old body already in V8's names (kept as is). */
export function toV8WireSimulation(sim: Json | null | undefined): Json | null {
  if (!sim) return null;
  // Already V8's names (an old caller's dadosSimulacao): nothing to rebuild.
  if (!('installmentValue' in sim || 'disbursedAmount' in sim || 'installments' in sim)) {
    return { ...sim };
  }
  const { pedido: _request, ...rest } = sim;
  const installment = num(rest.installmentValue);
  const disbursed = num(rest.disbursedAmount);
  return {
    id_simulation: text(rest.id),
    installment_value: installment,
    installment_face_value: installment,
    number_of_installments: num(rest.installments),
    operation_amount: num(rest.operationAmount),
    issue_amount: num(rest.issueAmount),
    disbursed_issue_amount: disbursed,
    disbursement_amount: disbursed,
    iof_amount: num(rest.iofAmount),
    monthly_interest_rate: num(rest.monthlyInterestRate),
    first_installment_date: text(rest.firstInstallmentDate),
    is_insured: typeof rest.insured === 'boolean' ? rest.insured : null,
    provider: text(rest.provider),
    simulation_config_id: text(rest.configId),
    disbursement_option: {
      cet: num(rest.cet),
      iof_amount: num(rest.iofAmount),
      first_due_date: text(rest.firstInstallmentDate),
      final_disbursement_amount: disbursed,
    },
  };
}
