import type { FlowDeps } from '../flow/flow-deps.ts';

/**
 * The old GET /clt/buscar-oportunidade/:cpf (server-clt-5000.js:172-209): the CPF's open Kentro
 * opportunity in Kentro's own names (as the old code passed Kentro's object through), or null.
 */
export async function findLegacyOpportunity(
  deps: Pick<FlowDeps, 'kentro'>,
  cpf: string,
): Promise<Record<string, unknown> | null> {
  const o = await deps.kentro.findOpportunityByCpf(cpf);
  if (!o) return null;
  return {
    id: o.id,
    title: o.title ?? null,
    mainmail: o.mainmail ?? null,
    mainphone: o.mainphone ?? null,
    fkPipeline: o.pipelineId ?? null,
    fkStage: o.stageId ?? null,
    status: o.status ?? null,
    // Kentro keeps the value in cents; the old page showed it as Kentro sent it.
    value: o.valueCents ?? null,
    description: o.description ?? null,
    tags: o.tags,
    formsdata: o.rawFormsdata,
  };
}
