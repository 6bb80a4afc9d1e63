import { z } from 'zod';
import {
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

/**
 * OpenAPI 3.1 document of the V8 routes, generated from the same zod schemas that validate the
 * requests (JSON Schema 2020-12 is OpenAPI 3.1's dialect, which is what z.toJSONSchema emits).
 */

export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum([
      'invalid_data',
      'unauthorized',
      'not_found',
      'already_exists',
      'rate_limited',
      'rejected',
      'auth_failed',
      'not_configured',
      'upstream_unavailable',
      'upstream_error',
      'timeout',
      'internal',
    ]),
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
  readonly pathParams?: boolean;
  readonly ok: { readonly status: number; readonly description: string };
  readonly errors: readonly number[];
}

const V8_ERRORS = [401, 429, 502, 503, 504] as const;

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
    summary: 'Authorizes the consult (already approved counts as success)',
    pathParams: true,
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
];

const ERROR_TEXT: Record<number, string> = {
  400: 'invalid_data: names each bad field in error.fields; nothing was sent to V8',
  401: 'unauthorized: missing or wrong Authorization: Bearer <API_TOKEN>',
  404: 'not_found: V8 does not know this id',
  409: 'already_exists',
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
    const parameters = [
      ...(r.pathParams
        ? [{ name: 'id', in: 'path', required: true, schema: withoutDialect(jsonSchema(idParams.shape.id)) }]
        : []),
      ...(r.query ? queryParameters(r.query) : []),
    ];
    const responses: Record<string, unknown> = {
      [String(r.ok.status)]: {
        description: r.ok.description,
        content: { 'application/json': { schema: { type: 'object' } } },
      },
    };
    for (const status of r.errors) {
      responses[String(status)] = {
        description: ERROR_TEXT[status] ?? 'error',
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
              content: { 'application/json': { schema: withoutDialect(jsonSchema(r.body)) } },
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
