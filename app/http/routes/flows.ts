import { Router } from 'express';
import { z } from 'zod';
import { requireFlowDeps } from '../../use-cases/flow/flow-deps.ts';
import { getFlow, listFlows, startFlow } from '../../use-cases/flow/start-flow.ts';
import type { AppDeps } from '../app-deps.ts';
import { consentField, requestEvidenceContext } from '../evidence-context.ts';
import { amountField, cpfField, parseInput } from '../validation.ts';

const leadSchema = z
  .object({
    name: z.string().max(200).optional(),
    birthDate: z.string().max(40).optional(),
    email: z.string().max(254).optional(),
    phone: z.string().max(40).optional(),
    gender: z.string().max(20).optional(),
  })
  .strict();

const simulationSchema = z
  .object({
    installments: z.number().int('must be a whole number').min(1).max(420).optional(),
    installmentValue: amountField.optional(),
    disbursedAmount: amountField.optional(),
  })
  .strict()
  .refine((s) => s.installmentValue === undefined || s.disbursedAmount === undefined, {
    message: 'give installmentValue or disbursedAmount, not both (V8 refuses both)',
  });

export const startFlowBody = z.object({
  cpf: cpfField,
  options: z
    .object({
      sendWhatsapp: z.boolean({ error: 'must be true or false' }).optional(),
      createOpportunity: z.boolean({ error: 'must be true or false' }).optional(),
      simulation: simulationSchema.optional(),
      lead: leadSchema.optional(),
    })
    .strict()
    .optional(),
  consent: consentField.optional(),
});

const listQuery = z.object({
  cpf: cpfField.optional(),
  limit: z.coerce.number().int('must be a whole number').min(1).max(500).optional(),
});

const idParams = z.object({ id: z.uuid({ error: 'must be a flow id' }) });

/** The CLT flow ("fluxo completo"): start one, follow it. */
export function flowRoutes(deps: AppDeps): Router {
  const router = Router();

  router.post('/flows', (req, res) => {
    const body = parseInput(startFlowBody, req.body);
    const r = startFlow(requireFlowDeps(deps.flow), {
      cpf: body.cpf,
      options: body.options,
      evidence: requestEvidenceContext(req, res, body.consent),
    });
    res.status(202).json({ id: r.flowId, status: r.flow.status, created: r.created });
  });

  router.get('/flows/:id', (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    res.json(getFlow(requireFlowDeps(deps.flow), id));
  });

  router.get('/flows', (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    res.json({ items: listFlows(requireFlowDeps(deps.flow), q) });
  });

  return router;
}
