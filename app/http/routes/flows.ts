import { Router } from 'express';
import { z } from 'zod';
import { createProposal } from '../../use-cases/flow/create-proposal.ts';
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

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

/** Optional overrides of the borrower data the lead's Kentro form fields give. */
export const proposalBody = z
  .object({
    name: text(200).optional(),
    email: z.email({ error: 'must be an e-mail address' }).max(254).optional(),
    motherName: text(200).optional(),
    rg: text(30).optional(),
    rgIssuer: text(20).optional(),
    rgIssueDate: z.iso.date({ error: 'must be a date (YYYY-MM-DD)' }).optional(),
    maritalStatus: z.enum(['single', 'married', 'divorced', 'widowed']).optional(),
    street: text(200).optional(),
    houseNumber: text(20).optional(),
    complement: text(100).optional(),
    neighborhood: text(100).optional(),
    city: text(100).optional(),
    state: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'must be a two-letter UF')
      .toUpperCase()
      .optional(),
    postalCode: z
      .string()
      .regex(/^\d{5}-?\d{3}$/, 'must be a CEP (8 digits)')
      .optional(),
    pixKey: text(140).optional(),
    pixKeyType: z.enum(['cpf', 'email', 'phone', 'random']).optional(),
  })
  .strict();

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

  router.post('/flows/:id/proposal', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'id');
    const body = parseInput(proposalBody, req.body ?? {});
    const r = await createProposal(requireFlowDeps(deps.flow), deps.config.kentro.formFields, id, body);
    res.status(201).json(r);
  });

  router.get('/flows', (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    res.json({ items: listFlows(requireFlowDeps(deps.flow), q) });
  });

  return router;
}
