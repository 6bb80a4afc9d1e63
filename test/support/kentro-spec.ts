import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * The Kentro contract (CRM part of the official OpenAPI 3.0.1 spec) as a validator for request and
 * response bodies. It reads the committed fixture `test/fixtures/kentro-contract.json`, derived from
 * the spec by `node scripts/gen-kentro-contract.ts <spec.yaml>`: facts only, every `$ref` inlined, so a
 * clean clone needs nothing outside the repository. OpenAPI 3.0 schemas are a dialect of JSON Schema
 * draft 4/7: Ajv (draft-07 mode) understands them once
 * - `nullable: true` is accepted: Ajv v8 implements the OpenAPI `nullable` keyword natively;
 * - the OpenAPI formats `int32`, `int64`, `float`, `double` are registered as real checks (int32 is a
 *   range check, so a value in cents that overflows is caught).
 */

export const KENTRO_CONTRACT_FILE = path.resolve(
  import.meta.dirname,
  '..',
  'fixtures',
  'kentro-contract.json',
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

interface OperationContract {
  readonly request: JsonObject | null;
  readonly responses: Record<string, JsonObject | null>;
}

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
  private readonly operationsByName: Record<string, OperationContract>;
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(file: string) {
    const contract = JSON.parse(readFileSync(file, 'utf8')) as {
      operations: Record<string, OperationContract>;
    };
    this.operationsByName = contract.operations;
    this.ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
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
    return Object.keys(this.operationsByName);
  }

  private operation(operation: string): OperationContract {
    const op = this.operationsByName[operation];
    if (!op) throw new Error(`operation ${operation} is not in the Kentro contract (POST /int/${operation})`);
    return op;
  }

  requestSchema(operation: string): JsonObject {
    const schema = this.operation(operation).request;
    if (!schema) throw new Error(`the Kentro contract documents no JSON request body for ${operation}`);
    return schema;
  }

  /** Undefined when the spec documents no JSON body for that status (insertOpportunityNote's 200). */
  responseSchema(operation: string, status: number): JsonObject | undefined {
    const responses = this.operation(operation).responses;
    if (!(String(status) in responses))
      throw new Error(`the spec documents no ${status} answer for ${operation}`);
    return responses[String(status)] ?? undefined;
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
  loaded ??= new KentroSpec(KENTRO_CONTRACT_FILE);
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
