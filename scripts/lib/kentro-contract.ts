// Derives the Kentro contract that our tests check (request and response bodies of every
// `POST /int/<operation>`) from the official OpenAPI spec. The result holds facts only:
// operations, properties, required fields, types, formats, enums and bounds; prose
// (descriptions, summaries, examples) is dropped, and every `$ref` is inlined, so the fixture
// reads without the spec. Shared by the generator script and the fixture's freshness test.
import { createHash } from 'node:crypto';
import { parse } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export interface KentroOperationContract {
  readonly request: JsonObject | null;
  /** Status code -> JSON body schema, or null when the spec documents no JSON body. */
  readonly responses: Record<string, JsonObject | null>;
}

export interface KentroContract {
  readonly source: { readonly title: string; readonly version: string; readonly sha256: string };
  readonly operations: Record<string, KentroOperationContract>;
}

// JSON Schema keywords that carry a fact a validator checks; anything else is prose.
const SCHEMA_FACTS = new Set([
  'type',
  'format',
  'enum',
  'required',
  'properties',
  'items',
  'additionalProperties',
  'nullable',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
]);

export function deriveKentroContract(specText: string): KentroContract {
  const doc = parse(specText) as JsonObject;
  const info = (doc.info ?? {}) as JsonObject;
  const paths = (doc.paths ?? {}) as JsonObject;
  const operations: Record<string, KentroOperationContract> = {};
  for (const [p, item] of Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))) {
    const post = (item as JsonObject).post as JsonObject | undefined;
    if (!p.startsWith('/int/') || !post) continue;
    const body = post.requestBody as JsonObject | undefined;
    const responses: Record<string, JsonObject | null> = {};
    for (const [status, response] of Object.entries((post.responses ?? {}) as JsonObject)) {
      responses[status] = jsonSchemaOf(doc, (response as JsonObject).content);
    }
    operations[p.slice('/int/'.length)] = { request: jsonSchemaOf(doc, body?.content), responses };
  }
  return {
    source: {
      title: String(info.title ?? ''),
      version: String(info.version ?? ''),
      sha256: createHash('sha256').update(specText).digest('hex'),
    },
    operations,
  };
}

/** The committed form: stable key order and a trailing newline, so a regeneration diffs cleanly. */
export function renderKentroContract(contract: KentroContract): string {
  return `${JSON.stringify(contract, null, 2)}\n`;
}

function jsonSchemaOf(doc: JsonObject, content: Json | undefined): JsonObject | null {
  const json = (content as JsonObject | undefined)?.['application/json'] as JsonObject | undefined;
  if (!json?.schema) return null;
  return facts(doc, json.schema, []) as JsonObject;
}

function facts(doc: JsonObject, node: Json, seen: readonly string[]): Json {
  if (Array.isArray(node)) return node.map((n) => facts(doc, n, seen));
  if (node === null || typeof node !== 'object') return node;
  const ref = node.$ref;
  if (typeof ref === 'string') {
    if (seen.includes(ref)) throw new Error(`recursive $ref ${ref} in the Kentro spec is not supported`);
    return facts(doc, resolve(doc, ref), [...seen, ref]);
  }
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (!SCHEMA_FACTS.has(k)) continue;
    if (k === 'properties') {
      const props: JsonObject = {};
      for (const [name, schema] of Object.entries(v as JsonObject)) props[name] = facts(doc, schema, seen);
      out[k] = props;
    } else {
      out[k] = facts(doc, v, seen);
    }
  }
  return out;
}

function resolve(doc: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
  let cur: Json = doc;
  for (const raw of ref.slice(2).split('/')) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) throw new Error(`bad $ref ${ref}`);
    cur = (cur as JsonObject)[part] as Json;
  }
  if (cur === undefined) throw new Error(`unresolved $ref ${ref}`);
  return cur;
}
