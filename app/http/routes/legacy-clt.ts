import express, { type ErrorRequestHandler, type Request, Router } from 'express';
import { z } from 'zod';
import { notConfiguredError } from '../../adapters/v8/v8-auth.ts';
import { missingV8Keys } from '../../adapters/v8/v8-credentials.ts';
import type { AppDeps } from '../../app.ts';
import { AppError, type FieldIssue } from '../../domain/app-error.ts';
import { listedCpf } from '../../domain/cpf-list-parser.ts';
import type { FlowOptions } from '../../domain/flow-steps.ts';
import { requireFlowDeps } from '../../use-cases/flow/flow-deps.ts';
import type { FlowView } from '../../use-cases/flow/flow-view.ts';
import { runFlowAndWait } from '../../use-cases/legacy/flow-and-wait.ts';
import {
  hasSimulationData,
  toCacheEntry,
  toLegacySimulation,
} from '../../use-cases/legacy/legacy-simulation.ts';
import { sendSimulationWhatsapp } from '../../use-cases/legacy/send-simulation-whatsapp.ts';
import { simulateCustom } from '../../use-cases/legacy/simulate-custom.ts';
import {
  deleteCachedSimulation,
  getCachedSimulation,
  listCachedSimulations,
  saveCachedSimulation,
  updateCachedSimulation,
} from '../../use-cases/legacy/simulation-cache.ts';
import { listOperations } from '../../use-cases/list-operations.ts';
import { requestEvidenceContext } from '../evidence-context.ts';
import { bearerAuth } from '../middleware/bearer-auth.ts';
import { toAppError } from '../middleware/error-handler.ts';
import { dateOrInstantField, providerField } from '../validation.ts';
import { v8Access } from './v8-guard.ts';

/*
 * The routes of the old PM2 service (reference: AF "clt-v8-service", server-5000.js and
 * server-clt-5000.js, utils/cache-simulacoes.js; the envelope as in legacy-config.ts), same
 * paths, same bearer token as /api/v1, mapped onto this service's use cases. Every answer is the old
 * envelope {success, message, resultado, ...}; the old per-route keys are kept next to it (`dados`,
 * `erro`, `total`, `simulacoes`, `operacoes`, `origem`, `etapa`, `motivo_falha`, `timestamp`).
 * Errors: the same HTTP status and `error.code` as /api/v1, `success: false`, `message`/`erro` in
 * pt-BR, and for bad input `campo`/`motivo` (first bad field) plus `error.fields` (all of them).
 *
 * POST /clt/fluxo-completo {cpf, valor?, prazo?, criarOportunidade?, enviarWhatsapp?, aguardar_s?}
 *   (also GET with the same query): startFlow + waitForFlow (default 25 s, aguardar_s 0–55).
 *   valor -> options.simulation.disbursedAmount, prazo -> options.simulation.installments.
 *   Finished simulated -> 200 {success:true, message:"Fluxo CLT executado com sucesso", origem:"V8",
 *   resultado:{sucesso, cpf, flow_id, status:"concluido", resultado, etapa, mensagem, oportunidade_id,
 *   consult_id, status_termo, margem_disponivel, simulacao, simulacao_resultado}, timestamp}.
 *   Finished no_margin/failed -> 400 (as the old one) {success:false, error, etapa, motivo_falha,
 *   status_termo, resultado} (`error` is the old pt-BR string here, as the old service sent it; request
 *   errors carry `error: {code}`). Still running -> 202 {success:true, resultado:{flow_id, status:
 *   "em andamento", etapa}}: follow it on GET /api/v1/flows/:id or call again (joins the same flow).
 * POST /clt/simular-personalizada {cpf, valor | installment_face_value, prazo | number_of_installments}:
 *   simulates on the CPF's newest SUCCESS consult (ours, else V8's list), valor = released amount,
 *   installment_face_value = instalment, prazo = instalments; stored as the CPF's newest simulation.
 *   -> {success, message, resultado: simulacao (below) + dadosSimulacao (V8's answer)}.
 * POST /clt/simular-cache {cpf}: the CPF's newest simulation, no V8 call (the old one re-ran the flow)
 *   -> {resultado: simulacao, dados: cache entry} or 404 "Simulação não encontrada no cache".
 * POST /cache/simulacao/salvar {cpf, consultId?, dadosSimulacao?, dadosCliente?, ...}: stored as the
 *   CPF's newest simulation (amounts read from the body or dadosSimulacao: valor_liberado /
 *   disbursement_amount, valor_parcela / installment_face_value, prazo / number_of_installments)
 *   -> {dados:{cpf, consultId}, resultado: simulacao}.
 * GET /cache/simulacao/:cpf -> {dados: entry, resultado: entry} | 404.
 * PUT /cache/simulacao/:cpf {...}: top-level keys replace the entry's (old merge), stored as a new row
 *   -> {dados:{cpf}, resultado: entry} | 404.
 * DELETE /cache/simulacao/:cpf: every simulation of the CPF | 404.
 * GET /cache/simulacoes?limit&offset -> {total, simulacoes: [entry], resultado:{total, simulacoes}}.
 *   Cache entry (old file format): {cpf, consultId, dadosSimulacao, dadosCliente, timestamp,
 *   status:"APROVADA", simulacao}; simulacao = {id, cpf, origem, flow_id, consult_id, simulation_id,
 *   config_id, tabela, valor_liberado, valor_parcela, prazo, margem, disbursement_amount,
 *   installment_face_value, number_of_installments, criado_em}.
 * GET /v8/operacoes?startDate&endDate&cpf&limit&page&provider: V8 listOperations, default window the
 *   last 30 days -> {total, empresas:[provider], operacoes:[{operationId, contractNumber, nome, cpf,
 *   empresa, valor_liberado, status, createdAt}], resultado:{...same, janela}}.
 * POST /clt/mensagem-whatsapp {cpf, reenviar?, aguardar_s?}: KENTRO_WA_TEMPLATE_ID to the lead's phone
 *   (newest flow's lead, else the Kentro opportunity) with {{1}} first name, {{2}} released amount of
 *   the newest simulation, THROUGH THE CRM OUTBOX (durable, retried while Kentro is down, one message
 *   per simulation unless reenviar). Waits up to 5 s (aguardar_s 0–30): delivered -> 200 "Mensagem
 *   enviada"; still queued -> 202 "Mensagem na fila"; parked (Kentro refused) -> 502 with the error.
 */

export interface LegacyCltOptions {
  /** Default wait of /clt/fluxo-completo (ms). */
  readonly flowWaitMs?: number;
  /** How long /clt/mensagem-whatsapp waits for the delivery (ms). */
  readonly whatsappWaitMs?: number;
}

const DEFAULT_FLOW_WAIT_MS = 25_000;
const MAX_FLOW_WAIT_S = 55;
const DEFAULT_WA_WAIT_MS = 5000;
const PREFIXES = ['/clt', '/cache', '/v8'];

const cpfField = z
  .union([z.string(), z.number()], { error: 'é obrigatório: CPF com 11 dígitos' })
  .transform((v, ctx) => {
    const r = listedCpf(String(v));
    if ('reason' in r) {
      ctx.addIssue({ code: 'custom', message: r.reason });
      return z.NEVER;
    }
    return r.cpf;
  });

const positive = (what: string) =>
  z.union([z.number(), z.string()], { error: `deve ser um número (${what})` }).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : Number(v.trim().replace(',', '.'));
    if (!Number.isFinite(n) || n <= 0 || (typeof v === 'string' && v.trim() === '')) {
      ctx.addIssue({ code: 'custom', message: `deve ser um número maior que zero (${what})` });
      return z.NEVER;
    }
    return n;
  });

const term = z
  .union([z.number(), z.string()], { error: 'deve ser o número de parcelas' })
  .transform((v, ctx) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 420) {
      ctx.addIssue({ code: 'custom', message: 'deve ser um número inteiro de parcelas (1 a 420)' });
      return z.NEVER;
    }
    return n;
  });

const yesNo = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])], { error: 'deve ser true ou false' })
  .transform((v) => v === true || v === 'true' || v === '1');

const fluxoInput = z.object({
  cpf: cpfField,
  valor: positive('valor liberado desejado, em reais').optional(),
  prazo: term.optional(),
  criarOportunidade: yesNo.optional(),
  createOpportunity: yesNo.optional(),
  enviarWhatsapp: yesNo.optional(),
  sendWhatsapp: yesNo.optional(),
  aguardar_s: z.coerce
    .number({ error: `deve ser um número de segundos (0 a ${MAX_FLOW_WAIT_S})` })
    .int(`deve ser um número inteiro de segundos (0 a ${MAX_FLOW_WAIT_S})`)
    .min(0, `deve estar entre 0 e ${MAX_FLOW_WAIT_S}`)
    .max(MAX_FLOW_WAIT_S, `deve estar entre 0 e ${MAX_FLOW_WAIT_S}`)
    .optional(),
});

const personalizadaInput = z
  .object({
    cpf: cpfField,
    valor: positive('valor liberado, em reais').optional(),
    installment_face_value: positive('valor da parcela, em reais').optional(),
    prazo: term.optional(),
    number_of_installments: term.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.prazo === undefined && b.number_of_installments === undefined) {
      ctx.addIssue({ code: 'custom', path: ['prazo'], message: 'é obrigatório (número de parcelas)' });
    }
    if (b.valor === undefined && b.installment_face_value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['valor'], message: 'é obrigatório (valor liberado, em reais)' });
    }
    if (b.valor !== undefined && b.installment_face_value !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['valor'],
        message: 'envie valor OU installment_face_value, não os dois (a V8 recusa os dois)',
      });
    }
  });

const cpfOnly = z.object({ cpf: cpfField });
const cpfParam = z.object({ cpf: cpfField });
const objectBody = z.record(z.string(), z.unknown(), { error: 'deve ser um objeto JSON' });
const salvarInput = z
  .object({
    cpf: cpfField,
    consultId: z
      .string({ error: 'deve ser um texto' })
      .max(100, 'deve ter no máximo 100 caracteres')
      .optional(),
    dadosSimulacao: objectBody.optional(),
    dadosCliente: objectBody.nullable().optional(),
  })
  .loose();
const whatsappInput = z.object({
  cpf: cpfField,
  reenviar: yesNo.optional(),
  aguardar_s: z.coerce
    .number({ error: 'deve ser um número de segundos (0 a 30)' })
    .int('deve ser um número inteiro de segundos (0 a 30)')
    .min(0, 'deve estar entre 0 e 30')
    .max(30, 'deve estar entre 0 e 30')
    .optional(),
});
const listQuery = z.object({
  limit: z.coerce
    .number({ error: 'deve ser um número' })
    .int()
    .min(1, 'mínimo 1')
    .max(1000, 'máximo 1000')
    .default(100),
  offset: z.coerce.number({ error: 'deve ser um número' }).int().min(0, 'mínimo 0').default(0),
});
const operacoesQuery = z.object({
  startDate: dateOrInstantField.optional(),
  endDate: dateOrInstantField.optional(),
  cpf: cpfField.optional(),
  limit: z.coerce
    .number({ error: 'deve ser um número' })
    .int()
    .min(1, 'mínimo 1')
    .max(100, 'máximo 100')
    .default(50),
  page: z.coerce.number({ error: 'deve ser um número' }).int().min(1, 'mínimo 1').default(1),
  provider: providerField.optional(),
});

/** Like parseInput, with pt-BR reasons ("é obrigatório") for the old clients. */
function parseLegacy<S extends z.ZodType>(schema: S, input: unknown, root = 'body'): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const fields: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const i of r.error.issues) {
    const field = i.path.length > 0 ? i.path.map(String).join('.') : root;
    if (seen.has(field)) continue;
    seen.add(field);
    let v: unknown = input;
    for (const k of i.path)
      v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
    fields.push({ field, reason: i.code !== 'custom' && v === undefined ? 'é obrigatório' : i.message });
  }
  throw AppError.invalid(fields);
}

function lastStep(flow: FlowView): string | null {
  if (flow.currentStep) return flow.currentStep;
  const touched = flow.steps.filter((s) => s.status !== 'pending');
  return touched[touched.length - 1]?.name ?? null;
}

function flowResult(flow: FlowView, finished: boolean, simulation: Record<string, unknown> | null) {
  return {
    sucesso: flow.outcome === 'simulated',
    cpf: flow.cpf,
    flow_id: flow.id,
    status: finished ? 'concluido' : 'em andamento',
    resultado: flow.outcome,
    etapa: lastStep(flow),
    mensagem: flow.reason,
    motivo_falha: flow.outcome && flow.outcome !== 'simulated' ? flow.reason : null,
    oportunidade_id: flow.opportunity?.id ?? null,
    oportunidade_criada: flow.opportunity?.created ?? false,
    consult_id: flow.consult?.id ?? null,
    status_termo: flow.consult?.status ?? null,
    margem_disponivel: flow.consult?.margin ?? null,
    simulacao: simulation,
    simulacao_resultado: simulation,
  };
}

export function legacyCltRoutes(deps: AppDeps, o: LegacyCltOptions = {}): Router {
  const router = Router();
  const flowWaitMs = o.flowWaitMs ?? DEFAULT_FLOW_WAIT_MS;
  const waWaitMs = o.whatsappWaitMs ?? DEFAULT_WA_WAIT_MS;
  const flowDeps = () => requireFlowDeps(deps.flow);
  const stamp = () => new Date(deps.clock.now()).toISOString();

  // Same protection as /api/v1, only on the old prefixes (everything else goes on to a 404).
  router.use(
    PREFIXES,
    bearerAuth(() => deps.config.http.apiToken),
    express.json({ limit: '1mb' }),
  );

  const fluxoCompleto = async (req: Request, input: unknown, res: express.Response) => {
    const b = parseLegacy(fluxoInput, input, req.method === 'GET' ? 'query' : 'body');
    const simulation = {
      ...(b.valor !== undefined ? { disbursedAmount: b.valor } : {}),
      ...(b.prazo !== undefined ? { installments: b.prazo } : {}),
    };
    const createOpportunity = b.criarOportunidade ?? b.createOpportunity;
    const sendWhatsapp = b.enviarWhatsapp ?? b.sendWhatsapp;
    const options: FlowOptions = {
      ...(Object.keys(simulation).length > 0 ? { simulation } : {}),
      ...(createOpportunity !== undefined ? { createOpportunity } : {}),
      ...(sendWhatsapp !== undefined ? { sendWhatsapp } : {}),
    };
    const waitMs = b.aguardar_s !== undefined ? b.aguardar_s * 1000 : flowWaitMs;
    const fd = flowDeps();
    const evidence = requestEvidenceContext(req, res, undefined);
    const r = await runFlowAndWait(fd, { cpf: b.cpf, options, waitMs, evidence });
    const flow = r.flow;
    const chosen = flow.simulation as { simulationId?: number } | null;
    const stored =
      chosen?.simulationId !== undefined ? fd.store.simulations.get(chosen.simulationId) : undefined;
    const simulacao = stored ? { ...toLegacySimulation(stored) } : null;
    const resultado = flowResult(flow, r.finished, simulacao);
    if (!r.finished) {
      res.status(202).json({
        success: true,
        message: 'Fluxo CLT em andamento: acompanhe pelo flow_id ou chame de novo (o mesmo fluxo continua)',
        origem: 'V8',
        resultado,
        timestamp: stamp(),
      });
      return;
    }
    if (flow.outcome === 'simulated') {
      res.json({
        success: true,
        message: 'Fluxo CLT executado com sucesso',
        origem: 'V8',
        resultado,
        timestamp: stamp(),
      });
      return;
    }
    res.status(400).json({
      success: false,
      message: flow.reason ?? 'Fluxo CLT não concluído',
      origem: 'V8',
      error: flow.reason,
      erro: flow.reason,
      etapa: resultado.etapa,
      motivo_falha: flow.reason,
      status_termo: resultado.status_termo,
      resultado,
      timestamp: stamp(),
    });
  };

  router.post('/clt/fluxo-completo', (req, res) => fluxoCompleto(req, req.body, res));
  router.get('/clt/fluxo-completo', (req, res) => fluxoCompleto(req, req.query, res));

  router.post('/clt/simular-personalizada', async (req, res) => {
    const b = parseLegacy(personalizadaInput, req.body);
    const r = await simulateCustom(flowDeps(), {
      cpf: b.cpf,
      installments: (b.prazo ?? b.number_of_installments) as number,
      disbursedAmount: b.valor,
      installmentValue: b.installment_face_value,
    });
    res.json({
      success: true,
      message: 'Simulação personalizada realizada com sucesso',
      resultado: { ...toLegacySimulation(r.simulation), dadosSimulacao: r.v8 },
    });
  });

  router.post('/clt/simular-cache', (req, res) => {
    const { cpf } = parseLegacy(cpfOnly, req.body);
    const fd = flowDeps();
    const sim = getCachedSimulation(fd, cpf);
    res.json({
      success: true,
      message: 'Simulação encontrada no cache',
      resultado: toLegacySimulation(sim),
      dados: toCacheEntry(fd.store, sim),
    });
  });

  router.post('/cache/simulacao/salvar', (req, res) => {
    const b = parseLegacy(salvarInput, req.body) as Record<string, unknown> & { cpf: string };
    if (!hasSimulationData(b)) {
      throw AppError.invalid([
        {
          field: 'dadosSimulacao',
          reason: 'é obrigatório (ou envie valor_liberado, valor_parcela e prazo)',
        },
      ]);
    }
    const sim = saveCachedSimulation(flowDeps(), b.cpf, b);
    res.json({
      success: true,
      message: 'Simulação e dados do cliente salvos no cache com sucesso',
      dados: { cpf: b.cpf, consultId: sim.consultId },
      resultado: toLegacySimulation(sim),
    });
  });

  router.get('/cache/simulacao/:cpf', (req, res) => {
    const { cpf } = parseLegacy(cpfParam, req.params, 'cpf');
    const fd = flowDeps();
    const sim = getCachedSimulation(fd, cpf);
    const entry = toCacheEntry(fd.store, sim);
    res.json({
      success: true,
      message: 'Simulação encontrada no cache',
      dados: entry,
      resultado: entry,
    });
  });

  router.put('/cache/simulacao/:cpf', (req, res) => {
    const { cpf } = parseLegacy(cpfParam, req.params, 'cpf');
    const update = parseLegacy(objectBody, req.body) as Record<string, unknown>;
    if (Object.keys(update).length === 0) {
      throw AppError.invalid([{ field: 'body', reason: 'Dados para atualização são obrigatórios' }]);
    }
    const fd = flowDeps();
    const sim = updateCachedSimulation(fd, cpf, update);
    res.json({
      success: true,
      message: 'Simulação atualizada no cache com sucesso',
      dados: { cpf },
      resultado: toCacheEntry(fd.store, sim),
    });
  });

  router.delete('/cache/simulacao/:cpf', (req, res) => {
    const { cpf } = parseLegacy(cpfParam, req.params, 'cpf');
    const removed = deleteCachedSimulation(flowDeps(), cpf);
    res.json({
      success: true,
      message: 'Simulação removida do cache com sucesso',
      resultado: { cpf, removidas: removed },
    });
  });

  router.get('/cache/simulacoes', (req, res) => {
    const q = parseLegacy(listQuery, req.query, 'query');
    const fd = flowDeps();
    const page = listCachedSimulations(fd, q);
    const simulacoes = page.items.map((s) => toCacheEntry(fd.store, s));
    res.json({
      success: true,
      message: 'Simulações listadas com sucesso',
      total: page.total,
      simulacoes,
      resultado: { total: page.total, simulacoes },
    });
  });

  router.get('/v8/operacoes', async (req, res) => {
    const q = parseLegacy(operacoesQuery, req.query, 'query');
    const v8 = v8Access(deps);
    const missing = missingV8Keys(v8.credentials());
    if (missing.length > 0) throw notConfiguredError(missing);
    const provider = q.provider ?? v8.credentials().provider;
    const list = await listOperations(
      v8.client,
      { cpf: q.cpf, from: q.startDate, to: q.endDate, page: q.page, limit: q.limit, provider },
      { defaultProvider: provider, clock: deps.clock },
    );
    const operacoes = list.items
      .map((op) => ({
        operationId: op.id,
        contractNumber: op.contractNumber ?? null,
        nome: op.name ?? null,
        cpf: op.documentNumber ?? null,
        empresa: provider,
        valor_liberado: op.disbursedAmount ?? 0,
        status: op.status,
        finalizada: op.terminal,
        createdAt: op.createdAt ?? null,
      }))
      .sort((a, b) => Date.parse(b.createdAt ?? '') - Date.parse(a.createdAt ?? ''));
    const body = {
      total: operacoes.length,
      empresas: [provider],
      operacoes,
    };
    res.json({
      success: true,
      message: 'Operações listadas com sucesso',
      ...body,
      resultado: { ...body, janela: { inicio: list.window.from, fim: list.window.to }, pagina: list.page },
    });
  });

  router.post('/clt/mensagem-whatsapp', async (req, res) => {
    const b = parseLegacy(whatsappInput, req.body);
    const r = await sendSimulationWhatsapp(flowDeps(), {
      cpf: b.cpf,
      resend: b.reenviar,
      waitMs: b.aguardar_s !== undefined ? b.aguardar_s * 1000 : waWaitMs,
    });
    const resultado = {
      cpf: b.cpf,
      status:
        r.outbox.status === 'delivered' ? 'enviada' : r.outbox.status === 'parked' ? 'recusada' : 'na fila',
      ja_enfileirada: !r.queued,
      outbox_id: r.outbox.id,
      tentativas: r.outbox.attempts,
      template_id: r.templateId,
      parametros: r.params,
      oportunidade_id: r.opportunityId,
      simulacao_id: r.simulationId,
      erro: r.outbox.lastError,
    };
    if (r.outbox.status === 'parked') {
      res.status(502).json({
        success: false,
        message: `O Kentro recusou a mensagem: ${r.outbox.lastError ?? 'erro desconhecido'}`,
        erro: r.outbox.lastError,
        resultado,
        error: { code: 'upstream_error' },
      });
      return;
    }
    const delivered = r.outbox.status === 'delivered';
    res.status(delivered ? 200 : 202).json({
      success: true,
      message: delivered
        ? r.queued
          ? 'Mensagem enviada'
          : 'Mensagem já enviada para esta simulação (envie reenviar: true para mandar de novo)'
        : 'Mensagem na fila: o Kentro não respondeu ainda, o envio é repetido automaticamente',
      resultado,
    });
  });

  router.use(PREFIXES, (req, _res, next) =>
    next(new AppError('not_found', `no route for ${req.method} ${req.originalUrl}`)),
  );
  router.use(PREFIXES, legacyErrors(deps));
  return router;
}

const PT_MESSAGE: Partial<Record<string, string>> = {
  unauthorized: 'Token de acesso ausente ou inválido (Authorization: Bearer <API_TOKEN>)',
  not_found: 'Não encontrado',
  payload_too_large: 'Corpo da requisição grande demais',
};

/** Errors in the old envelope; status and `error.code` as everywhere else in the service. */
function legacyErrors(deps: AppDeps): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const e = toAppError(err);
    if (e.status >= 500) deps.logger.error('request error', { code: e.code, err: e.cause ?? e });
    else deps.logger.warn('request rejected', { code: e.code, reason: e.message });
    if (res.headersSent) return;
    if (e.retryAfterS !== undefined) res.setHeader('Retry-After', String(e.retryAfterS));
    const first = e.fields?.[0];
    const message = deps.redactor.text(
      e.code === 'invalid_data' && e.fields
        ? `Dados inválidos: ${e.fields.map((f) => `${f.field} ${f.reason}`).join('; ')}`
        : e.code === 'not_found' && !e.message.startsWith('no route')
          ? e.message
          : (PT_MESSAGE[e.code] ?? e.message),
    );
    res.status(e.status).json({
      success: false,
      message,
      erro: message,
      resultado: null,
      ...(first ? { campo: first.field, motivo: first.reason } : {}),
      error: { code: e.code, ...(e.fields ? { fields: e.fields } : {}) },
      requestId: res.locals.requestId,
    });
  };
}
