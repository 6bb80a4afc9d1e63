import { randomUUID } from 'node:crypto';
import { json, type Reply, titleOf } from './http-util.ts';

/** auth = POST /oauth/token; bff = every BFF route; all = both; else a path pattern (see matches). */
export type FaultArea = 'auth' | 'bff' | 'other';

export interface FaultSpec {
  /** 'auth' | 'bff' | 'all' | a path pattern: `*` = one segment's chars, `**` = anything. */
  target: string;
  /** Only this HTTP method (default any). */
  method?: string;
  /** Status to answer, or 'reset' to drop the connection. Absent: only delay, then serve normally. */
  status?: number | 'reset';
  /** How many matching requests it affects (default 1), or 'always'. */
  count?: number | 'always';
  /** Wait this long before answering (or before serving normally). */
  delayMs?: number;
  /** Response body (JSON); default depends on status and area. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Fault extends FaultSpec {
  id: string;
  remaining: number | 'always';
  hits: number;
}

function patternToRegex(pattern: string): RegExp {
  const segment = (part: string) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  const source = pattern.split('**').map(segment).join('.*');
  return new RegExp(`^${source}$`);
}

export function validateFaultSpec(v: unknown): string[] {
  const errors: string[] = [];
  const s = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (typeof s.target !== 'string' || !s.target)
    errors.push('target must be auth, bff, all or a path pattern');
  if (
    s.status !== undefined &&
    s.status !== 'reset' &&
    !(Number.isInteger(s.status) && (s.status as number) >= 100 && (s.status as number) <= 599)
  ) {
    errors.push('status must be an HTTP status or "reset"');
  }
  if (
    s.count !== undefined &&
    s.count !== 'always' &&
    !(Number.isInteger(s.count) && (s.count as number) > 0)
  ) {
    errors.push('count must be a positive integer or "always"');
  }
  if (s.delayMs !== undefined && !(typeof s.delayMs === 'number' && s.delayMs >= 0)) {
    errors.push('delayMs must be a number >= 0');
  }
  if (s.status === undefined && s.delayMs === undefined) errors.push('give a status, a delayMs or both');
  if (s.method !== undefined && typeof s.method !== 'string') errors.push('method must be a string');
  return errors;
}

export class FaultStore {
  private faults: Fault[] = [];

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: randomUUID(), remaining: spec.count ?? 1, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  /** First matching fault with uses left; consumes one use. */
  take(method: string, path: string, area: FaultArea): Fault | undefined {
    for (const f of this.faults) {
      if (f.remaining !== 'always' && f.remaining <= 0) continue;
      if (f.method && f.method.toUpperCase() !== method) continue;
      if (!matches(f.target, path, area)) continue;
      f.hits++;
      if (f.remaining !== 'always') f.remaining--;
      return f;
    }
    return undefined;
  }

  list(): Fault[] {
    return structuredClone(this.faults);
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }

  clear(): void {
    this.faults = [];
  }
}

function matches(target: string, path: string, area: FaultArea): boolean {
  if (target === 'all' || target === '**') return area !== 'other';
  if (target === 'auth' || target === 'bff') return target === area;
  return patternToRegex(target).test(path);
}

/** The answer of a fault with a status; bodies mimic what each layer would send. */
export function faultReply(fault: Fault, area: FaultArea, rateLimitMessage: string): Reply {
  const status = fault.status as number;
  const headers: Record<string, string> = { ...fault.headers };
  if (status === 429) headers['retry-after'] ??= '1';
  if (fault.body !== undefined) return json(status, fault.body, headers);
  if (area === 'auth') {
    const error =
      status === 429
        ? 'too_many_attempts'
        : status === 401
          ? 'access_denied'
          : status >= 500
            ? 'server_error'
            : 'invalid_request';
    return json(status, { error, error_description: titleOf(status) }, headers);
  }
  if (status === 429) return json(429, { message: rateLimitMessage }, headers);
  if (status === 401) return json(401, { message: 'Unauthorized' }, headers);
  if (status === 502 || status === 504) {
    return {
      status,
      text: `<html><body><h1>${status} ${titleOf(status)}</h1></body></html>`,
      headers: { ...headers, 'content-type': 'text/html' },
    };
  }
  return json(status, { message: titleOf(status), statusCode: status }, headers);
}
