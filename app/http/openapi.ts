import { z } from 'zod';
import { ERROR_CODES } from '../domain/app-error.ts';
import { batchIdParams, csvBatchQuery, startBatchBody } from './routes/batches.ts';
import { proposalBody, startFlowBody } from './routes/flows.ts';
import { outboxIdParams, outboxListQuery } from './routes/outbox-admin.ts';
import {
  authorizeConsultBody,
  cancelOperationBody,
  createConsultBody,
  createOperationBody,
  getOperationQuery,
  idParams,
  listConsultsQuery,
  listOperationsQuery,
  paymentDataBody,
  registerWebhooksBody,
  simulationBody,
} from './routes/v8-schemas.ts';
import { cpfField } from './validation.ts';

/**
 * OpenAPI 3.1 document of the V8, flow and batch routes, generated from the same zod schemas that validate the
 * requests (JSON Schema 2020-12 is OpenAPI 3.1's dialect, which is what z.toJSONSchema emits).
 */

export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
    detail: z
      .object({
        v8Status: z.number().optional(),
        type: z.string().optional(),
        title: z.string().optional(),
        detail: z.string().optional(),
        message: z.union([z.string(), z.array(z.string())]).optional(),
      })
      .loose()
      .optional()
      .meta({ description: "V8's own explanation when the error came from V8" }),
  }),
  requestId: z.string().optional(),
});

type Schema = z.ZodType;

interface RouteDoc {
  readonly method: 'get' | 'post' | 'patch' | 'delete';
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly body?: Schema;
  readonly query?: z.ZodType;
  /** true: the V8 id; a schema: that id (flows and batches use UUIDs). */
  readonly pathParams?: boolean | z.ZodType;
  /** The body may also be text/csv (batches). */
  readonly csvBody?: boolean;
  /** Content type of the success answer when it is not JSON. */
  readonly okType?: string;
  readonly ok: { readonly status: number; readonly description: string };
  readonly errors: readonly number[];
  /** Route-specific meaning of an error status (default ERROR_TEXT). */
  readonly errorText?: Readonly<Record<number, string>>;
}

const flowListQuery = z.object({
  cpf: cpfField.optional(),
  limit: z.number().int().min(1).max(500).optional().meta({ description: 'default 50' }),
});
const batchListQuery = z.object({
  limit: z.number().int().min(1).max(200).optional().meta({ description: 'default 20' }),
});
const flowId = z.uuid().meta({ description: 'flow id' });
const batchId = batchIdParams.shape.id.meta({ description: 'batch id' });
const NOT_OURS = {
  404: 'not_found: no such id',
  503: 'not_configured: the CLT flow needs V8/Kentro settings (named)',
};

const V8_ERRORS = [401, 429, 502, 503, 504] as const;
const outboxId = outboxIdParams.shape.id.meta({ description: 'outbox row id' });
const OUTBOX_ACTION_ERRORS = {
  404: 'not_found: no outbox row with this id',
  409: 'conflict: the row is not parked (error.detail.status says what it is)',
  503: 'not_configured: this build has no store',
};

export const ROUTES: readonly RouteDoc[] = [
  {
    method: 'get',
    path: '/v8/token',
    tag: 'V8 connection',
    summary: 'Whether a V8 token is held, until when, for which (masked) login; never the token',
    ok: { status: 200, description: '{held, expiresAt, username, source}' },
    errors: [401, 503],
  },
  {
    method: 'delete',
    path: '/v8/token',
    tag: 'V8 connection',
    summary: "Clears this client's V8 token (memory and file); the next call authenticates again",
    ok: { status: 200, description: '{cleared: true}' },
    errors: [401, 503],
  },
  {
    method: 'post',
    path: '/v8/webhooks/register',
    tag: 'V8 connection',
    summary:
      'Registers <PUBLIC_BASE_URL>/webhooks/v8/<WEBHOOK_SECRET> (or {url}) for consult and operation events',
    body: registerWebhooksBody,
    ok: { status: 200, description: '{url (secret masked), registered: ["consult","operation"]}' },
    errors: [400, ...V8_ERRORS],
  },
  {
    method: 'post',
    path: '/consults',
    tag: 'Consults',
    summary: 'Creates a consult (consent term); an active one for the CPF is returned instead (200)',
    body: createConsultBody,
    ok: { status: 201, description: '{id, status, existing}' },
    errors: [400, 409, 422, ...V8_ERRORS],
  },
  {
    method: 'post',
    path: '/consults/{id}/authorize',
    tag: 'Consults',
    summary:
      'Authorizes the consult (already approved counts as success); the optional consent is kept as evidence',
    pathParams: true,
    body: authorizeConsultBody,
    ok: { status: 200, description: '{id, authorized, alreadyApproved}' },
    errors: [400, 404, ...V8_ERRORS],
  },
  {
    method: 'get',
    path: '/consults',
    tag: 'Consults',
    summary: 'Lists consults in a creation window, optionally by CPF and status',
    query: listConsultsQuery,
    ok: { status: 200, description: '{items: Consult[], page, limit, totalPages, window}' },
    errors: [400, ...V8_ERRORS],
  },
  {
    method: 'get',
    path: '/consults/{id}',
    tag: 'Consults',
    summary: 'One consult: status, margin when known, simulation limits',
    pathParams: true,
    ok: { status: 200, description: 'Consult' },
    errors: [400, 404, ...V8_ERRORS],
  },
  {
    method: 'get',
    path: '/consults/{id}/evidence',
    tag: 'Consults',
    summary:
      "Consent evidence of the consult (who created and authorized it, when, IP, user agent, consent, V8's answer) and the check of these entries and their links in the client's hash chain",
    pathParams: true,
    ok: {
      status: 200,
      description:
        '{consultId, entries: [{id, at, event, consultId, cpf, actor: {kind, label}, ip, userAgent, consent, flowId, v8, prevHash, hash}], chain: {ok, entries, broken?: {id, reason}}}',
    },
    errors: [400, 401, 404],
    errorText: { 404: 'not_found: no evidence for this consult id' },
  },
  {
    method: 'get',
    path: '/simulation-configs',
    tag: 'Simulations',
    summary: 'Rate tables (configs) available for simulations',
    ok: {
      status: 200,
      description: '{configs: [{id, slug, name, monthlyInterestRate, installments, insured}]}',
    },
    errors: V8_ERRORS,
  },
  {
    method: 'post',
    path: '/simulations',
    tag: 'Simulations',
    summary: 'Simulates a loan for a SUCCESS consult',
    body: simulationBody,
    ok: { status: 201, description: 'Simulation' },
    errors: [400, 422, ...V8_ERRORS],
  },
  {
    method: 'post',
    path: '/operations',
    tag: 'Operations',
    summary: 'Creates the operation (proposal); returns the formalization URL to send the borrower',
    body: createOperationBody,
    ok: { status: 201, description: '{id, formalizationUrl, status}' },
    errors: [400, 409, 422, ...V8_ERRORS],
  },
  {
    method: 'get',
    path: '/operations',
    tag: 'Operations',
    summary: 'Lists operations in a creation window, optionally by CPF',
    query: listOperationsQuery,
    ok: { status: 200, description: '{items: OperationSummary[], page, limit, totalPages, window}' },
    errors: [400, ...V8_ERRORS],
  },
  {
    method: 'get',
    path: '/operations/{id}',
    tag: 'Operations',
    summary: 'One operation: status, pendency, amounts, formalization and contract URLs',
    pathParams: true,
    query: getOperationQuery,
    ok: { status: 200, description: 'Operation' },
    errors: [400, 404, ...V8_ERRORS],
  },
  {
    method: 'post',
    path: '/operations/{id}/cancel',
    tag: 'Operations',
    summary: 'Asks V8 to cancel the operation',
    pathParams: true,
    body: cancelOperationBody,
    ok: { status: 200, description: '{id, cancelRequested: true}' },
    errors: [400, 404, 422, ...V8_ERRORS],
  },
  {
    method: 'patch',
    path: '/operations/{id}/payment-data',
    tag: 'Operations',
    summary: 'Fixes the payment data (PIX or TED) of a pending operation',
    pathParams: true,
    body: paymentDataBody,
    ok: { status: 200, description: '{id, paymentDataUpdated: true}' },
    errors: [400, 404, 422, ...V8_ERRORS],
  },
  {
    method: 'post',
    path: '/flows',
    tag: 'CLT flow',
    summary:
      "Starts the CLT flow for a CPF (Kentro lead -> V8 consult -> margin -> simulation -> Kentro); the CPF's active flow is returned instead (created: false)",
    body: startFlowBody,
    ok: { status: 202, description: '{id, status, created}' },
    errors: [400, 401, 503],
    errorText: NOT_OURS,
  },
  {
    method: 'get',
    path: '/flows',
    tag: 'CLT flow',
    summary: 'Flows, newest first, optionally of one CPF',
    query: flowListQuery,
    ok: { status: 200, description: '{items: Flow[]}' },
    errors: [400, 401, 503],
    errorText: NOT_OURS,
  },
  {
    method: 'get',
    path: '/flows/{id}',
    tag: 'CLT flow',
    summary: 'One flow: status, outcome and pt-BR reason, steps, consult, simulation, CRM updates',
    pathParams: flowId,
    ok: { status: 200, description: 'Flow' },
    errors: [400, 401, 404, 503],
    errorText: NOT_OURS,
  },
  {
    method: 'post',
    path: '/flows/{id}/proposal',
    tag: 'CLT flow',
    summary:
      "Creates the V8 operation (proposal) of a simulated flow from its chosen simulation, the lead's Kentro form fields and the optional overrides in the body. Missing data: 422 naming every field, a note on the opportunity and a move to the needs-data stage, V8 not called. A lost answer from V8 is resolved by reading V8's list for the CPF, never by creating again.",
    pathParams: flowId,
    body: proposalBody,
    ok: { status: 201, description: '{operationId, status, formalizationUrl, recovered}' },
    errors: [400, 401, 404, 409, 422, 503, ...V8_ERRORS],
    errorText: NOT_OURS,
  },
  {
    method: 'post',
    path: '/batches',
    tag: 'Batches',
    summary:
      'Starts a batch: text/csv (one CPF per line, or a header with a cpf column and optional lead columns nome, nascimento, telefone, email, sexo / name, birth_date, phone, email, gender, any order; ";" or ","; UTF-8, BOM optional; dates DD/MM/YYYY or YYYY-MM-DD) or JSON {cpfs, options}; at most 10000 CPFs. A row with a name whose CPF is not in Kentro gets its opportunity created from the row (unless createOpportunity=false). Invalid lines and repeated CPFs are reported in `rejected`, not fatal. For a CSV, createOpportunity/sendWhatsapp come as query parameters.',
    body: startBatchBody,
    csvBody: true,
    query: csvBatchQuery,
    ok: { status: 202, description: '{id, accepted, rejected: [{line, value, reason}]}' },
    errors: [400, 401, 413, 415, 503],
    errorText: {
      ...NOT_OURS,
      400: 'invalid_data: no CPF, a header without a cpf column, or bad options',
      413: 'payload_too_large: more than 10000 CPFs (or a CSV above 2.5 MB, 256 bytes a line)',
      415: 'unsupported_media_type: send text/csv or application/json',
    },
  },
  {
    method: 'get',
    path: '/batches',
    tag: 'Batches',
    summary: 'Batches, newest first',
    query: batchListQuery,
    ok: { status: 200, description: '{items: Batch[]}' },
    errors: [400, 401, 503],
    errorText: NOT_OURS,
  },
  {
    method: 'get',
    path: '/batches/{id}',
    tag: 'Batches',
    summary:
      'One batch: status, total, processed, percent, counts per outcome (pending, running, simulated, no_margin, needs_data, blocked_by_worker, failed, invalid, cancelled), etaS (while the V8 consult quota binds: the wait until it allows the last consult still to create; else from the observed rate), waitingQuota {items, resumeAt} (items whose flow waits for the quota) or null, consults {created, reused} (V8 consults the batch created and reused), rejected lines',
    pathParams: batchId,
    ok: { status: 200, description: 'Batch' },
    errors: [400, 401, 404, 503],
    errorText: NOT_OURS,
  },
  {
    method: 'get',
    path: '/batches/{id}/events',
    tag: 'Batches',
    summary:
      'Server-sent events: `progress` (the Batch) on every change, a final `done` when nothing will change any more (then the stream ends), a `: heartbeat` comment every 15 s',
    pathParams: batchId,
    okType: 'text/event-stream',
    ok: { status: 200, description: 'event: progress|done, data: Batch' },
    errors: [400, 401, 404, 503],
    errorText: NOT_OURS,
  },
  {
    method: 'get',
    path: '/batches/{id}/results.csv',
    tag: 'Batches',
    summary:
      'Results as a pt-BR spreadsheet (attachment; UTF-8 BOM, ";" and decimal comma): linha;cpf;status;resultado;motivo;valor_liberado;parcela;prazo;flow_id',
    pathParams: batchId,
    okType: 'text/csv',
    ok: { status: 200, description: 'one row per input line (repeated CPFs point at the line processed)' },
    errors: [400, 401, 404, 503],
    errorText: NOT_OURS,
  },
  {
    method: 'post',
    path: '/batches/{id}/cancel',
    tag: 'Batches',
    summary:
      'Cancels the batch: pending items become cancelled, running ones finish; cancelling a finished batch changes nothing',
    pathParams: batchId,
    ok: { status: 200, description: 'Batch' },
    errors: [400, 401, 404, 503],
    errorText: NOT_OURS,
  },
  {
    method: 'get',
    path: '/outbox',
    tag: 'CRM outbox',
    summary:
      'CRM updates for Kentro, newest first. status=parked lists what waits for an operator, with parkReason: refused (Kentro said no), unknown_outcome (Kentro may have applied it: a note or WhatsApp message is never resent blindly), interrupted (the service stopped mid-call)',
    query: outboxListQuery,
    ok: {
      status: 200,
      description:
        '{items: [{id, kind, status, parkReason, opportunityId, flowId, payload, attempts, lastError, nextAttemptAt, createdAt, updatedAt, deliveredAt, parkedAt, droppedAt}], counts: {pending, delivered, parked, dropped}}',
    },
    errors: [400, 401, 503],
    errorText: { 503: OUTBOX_ACTION_ERRORS[503] },
  },
  {
    method: 'post',
    path: '/outbox/{id}/retry',
    tag: 'CRM outbox',
    summary:
      'Puts a parked row back in the queue, due now. For unknown_outcome/interrupted, first check in Kentro that the note or message is not there: retrying one that was applied sends it twice',
    pathParams: outboxId,
    ok: { status: 200, description: 'the row, now pending' },
    errors: [400, 401, 404, 409, 503],
    errorText: OUTBOX_ACTION_ERRORS,
  },
  {
    method: 'post',
    path: '/outbox/{id}/drop',
    tag: 'CRM outbox',
    summary: 'Drops a parked row: it is never sent; the row stays (status dropped) as the record',
    pathParams: outboxId,
    ok: { status: 200, description: 'the row, now dropped' },
    errors: [400, 401, 404, 409, 503],
    errorText: OUTBOX_ACTION_ERRORS,
  },
];

const ERROR_TEXT: Record<number, string> = {
  400: 'invalid_data: names each bad field in error.fields; nothing was sent to V8',
  401: 'unauthorized: missing or wrong Authorization: Bearer <API_TOKEN>',
  404: 'not_found: V8 does not know this id',
  409: 'already_exists',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'rejected: V8 refused for a business reason (error.detail.type says which)',
  429: 'rate_limited: V8 asked us to slow down; see Retry-After',
  502: 'auth_failed / upstream_error: V8 refused our credentials or answered with an error',
  503: 'not_configured (V8 keys missing, named in the message) or upstream_unavailable (circuit open)',
  504: 'timeout: V8 did not answer in time',
};

const jsonSchema = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;

function withoutDialect(s: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = s;
  return rest;
}

function queryParameters(query: z.ZodType): unknown[] {
  const schema = withoutDialect(jsonSchema(query)) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const idSchema = r.pathParams === true ? idParams.shape.id : r.pathParams || undefined;
    const parameters = [
      ...(idSchema
        ? [{ name: 'id', in: 'path', required: true, schema: withoutDialect(jsonSchema(idSchema)) }]
        : []),
      ...(r.query ? queryParameters(r.query) : []),
    ];
    const responses: Record<string, unknown> = {
      [String(r.ok.status)]: {
        description: r.ok.description,
        content: r.okType
          ? { [r.okType]: { schema: { type: 'string' } } }
          : { 'application/json': { schema: { type: 'object' } } },
      },
    };
    for (const status of r.errors) {
      responses[String(status)] = {
        description: r.errorText?.[status] ?? ERROR_TEXT[status] ?? 'error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, unknown>)[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: withoutDialect(jsonSchema(r.body)) },
                ...(r.csvBody
                  ? {
                      'text/csv': {
                        schema: { type: 'string' },
                        example: 'nome;cpf\r\nMaria;123.456.789-09\r\n',
                      },
                    }
                  : {}),
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'clt-v8-service API',
      version,
      description:
        'Per-client API for CLT payroll credit through V8 Sistema. Every route needs Authorization: Bearer <API_TOKEN>.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: withoutDialect(jsonSchema(errorBodySchema)) },
    },
  };
}
