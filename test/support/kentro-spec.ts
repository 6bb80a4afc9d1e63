import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

/**
 * The official Kentro OpenAPI 3.0.1 spec (CRM part) as a validator for request and response bodies.
 *
 * OpenAPI 3.0 schemas are a dialect of JSON Schema draft 4/7: Ajv (draft-07 mode) understands them once
 * - `nullable: true` is accepted: Ajv v8 implements the OpenAPI `nullable` keyword natively (the CRM
 *   part of the spec uses none today, but a later capture may);
 * - the OpenAPI-only annotations (`example`, `xml`, `externalDocs`, `discriminator`)
 *   are registered as no-op keywords, so strict mode still rejects typos;
 * - the OpenAPI formats `int32`, `int64`, `float`, `double` are registered as real checks (int32 is a
 *   range check, so a value in cents that overflows is caught);
 * - `$ref: '#/components/schemas/X'` is inlined before compiling (the spec has no recursive schemas).
 */

const DEFAULT_SPEC = path.resolve(import.meta.dirname, '../../../shared/reference/kentro-openapi-crm.yaml');

export function kentroSpecPath(): string {
  return process.env.KENTRO_SPEC_FILE ?? DEFAULT_SPEC;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export interface SpecCheck {
  readonly ok: boolean;
  /** Human-readable errors, one per line: `/path message`. */
  readonly errors: readonly string[];
}

export interface RequestCheckOptions {
  /**
   * Also reject top-level properties the spec does not document (default true): our client must not
   * send fields such as `fkStage` on updateOpportunity that the real server ignores or rejects.
   */
  readonly noExtraProperties?: boolean;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

class KentroSpec {
  private readonly doc: JsonObject;
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(file: string) {
    this.doc = parse(readFileSync(file, 'utf8')) as JsonObject;
    this.ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
    this.ajv.addVocabulary(['example', 'xml', 'externalDocs', 'discriminator']);
    this.ajv.addFormat('int32', {
      type: 'number',
      validate: (n: number) => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX,
    });
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
    this.ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  }

  /** Names of the documented `POST /int/<name>` operations. */
  operations(): string[] {
    const paths = this.doc.paths as JsonObject;
    return Object.entries(paths)
      .filter(([p, item]) => p.startsWith('/int/') && (item as JsonObject).post !== undefined)
      .map(([p]) => p.slice('/int/'.length));
  }

  /** The POST operation object of `/int/<operation>`. */
  private operation(operation: string): JsonObject {
    const paths = this.doc.paths as JsonObject;
    const item = paths[`/int/${operation}`] as JsonObject | undefined;
    const post = item?.post as JsonObject | undefined;
    if (!post) throw new Error(`operation ${operation} is not in the Kentro spec (POST /int/${operation})`);
    return post;
  }

  requestSchema(operation: string): JsonObject {
    const body = this.operation(operation).requestBody as JsonObject;
    const content = body.content as JsonObject;
    return this.inline((content['application/json'] as JsonObject).schema as JsonObject) as JsonObject;
  }

  /** Undefined when the spec documents no JSON body for that status (insertOpportunityNote's 200). */
  responseSchema(operation: string, status: number): JsonObject | undefined {
    const responses = this.operation(operation).responses as JsonObject;
    const response = responses[String(status)] as JsonObject | undefined;
    if (!response) throw new Error(`the spec documents no ${status} answer for ${operation}`);
    const content = response.content as JsonObject | undefined;
    const json = content?.['application/json'] as JsonObject | undefined;
    return json ? (this.inline(json.schema as JsonObject) as JsonObject) : undefined;
  }

  checkRequest(operation: string, body: unknown, opts: RequestCheckOptions = {}): SpecCheck {
    const strict = opts.noExtraProperties ?? true;
    const key = `req:${operation}:${strict}`;
    let validate = this.cache.get(key);
    if (!validate) {
      const schema = this.requestSchema(operation);
      validate = this.ajv.compile(strict ? { ...schema, additionalProperties: false } : schema);
      this.cache.set(key, validate);
    }
    return this.result(validate, body);
  }

  checkResponse(operation: string, status: number, body: unknown): SpecCheck {
    const key = `res:${operation}:${status}`;
    let validate = this.cache.get(key);
    if (!validate) {
      const schema = this.responseSchema(operation, status);
      if (!schema) {
        const ok = body === undefined || body === null || body === '';
        return { ok, errors: ok ? [] : [`no body documented for ${operation} ${status}`] };
      }
      validate = this.ajv.compile(schema);
      this.cache.set(key, validate);
    }
    return this.result(validate, body);
  }

  private result(validate: ValidateFunction, body: unknown): SpecCheck {
    const ok = validate(body);
    return { ok, errors: ok ? [] : (validate.errors ?? []).map(describe) };
  }

  private inline(node: Json, seen: readonly string[] = []): Json {
    if (Array.isArray(node)) return node.map((n) => this.inline(n, seen));
    if (node === null || typeof node !== 'object') return node;
    const ref = node.$ref;
    if (typeof ref === 'string') {
      if (seen.includes(ref)) throw new Error(`recursive $ref ${ref} is not supported`);
      return this.inline(this.resolve(ref), [...seen, ref]);
    }
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(node)) out[k] = this.inline(v, seen);
    return out;
  }

  private resolve(ref: string): Json {
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
    let cur: Json = this.doc;
    for (const raw of ref.slice(2).split('/')) {
      const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) throw new Error(`bad $ref ${ref}`);
      cur = (cur as JsonObject)[part] as Json;
    }
    if (cur === undefined) throw new Error(`unresolved $ref ${ref}`);
    return cur;
  }
}

function describe(e: ErrorObject): string {
  const extra =
    e.keyword === 'additionalProperties'
      ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
      : '';
  return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
}

let loaded: KentroSpec | undefined;

/** The spec, parsed once per test process. */
export function kentroSpec(): KentroSpec {
  loaded ??= new KentroSpec(kentroSpecPath());
  return loaded;
}

export function checkKentroRequest(operation: string, body: unknown, opts?: RequestCheckOptions): SpecCheck {
  return kentroSpec().checkRequest(operation, body, opts);
}

export function checkKentroResponse(operation: string, status: number, body: unknown): SpecCheck {
  return kentroSpec().checkResponse(operation, status, body);
}

/** Throws with every schema error when the body does not match the operation's request schema. */
export function assertKentroRequest(operation: string, body: unknown, opts?: RequestCheckOptions): void {
  const r = checkKentroRequest(operation, body, opts);
  if (!r.ok) {
    throw new Error(`request to ${operation} does not match the Kentro spec:\n  ${r.errors.join('\n  ')}`);
  }
}

export function assertKentroResponse(operation: string, status: number, body: unknown): void {
  const r = checkKentroResponse(operation, status, body);
  if (!r.ok) {
    throw new Error(
      `${status} answer of ${operation} does not match the Kentro spec:\n  ${r.errors.join('\n  ')}`,
    );
  }
}
