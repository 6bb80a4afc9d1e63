import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route handler answers; the server writes it (and records the status). */
export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** A parsed incoming request as handlers see it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** JSON/form object, text, or undefined when there was no body. */
  body: unknown;
  params: Record<string, string>;
  /** Username of the partner user the request belongs to (token owner), if known. */
  account: string | null;
}

export const MAX_BODY_BYTES = 12 * 1024 * 1024;

export class BodyError extends Error {}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyError('request entity too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Parses by content type: JSON, form-urlencoded, multipart (not decoded), else text. */
export function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = raw.toString('utf8');
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new BodyError(err instanceof Error ? err.message : 'invalid JSON');
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (type.startsWith('multipart/')) return { multipart: true, bytes: raw.length };
  return text;
}

export function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload = '';
  if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  } else if (reply.text !== undefined) {
    payload = reply.text;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  json: body,
  ...(headers ? { headers } : {}),
});

export const noContent = (): Reply => ({ status: 204 });

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export const titleOf = (status: number): string => TITLES[status] ?? 'Error';

/** V8's business errors: problem-details with `type` plus a duplicated `message` (§1.14). */
export function problem(status: number, type: string, detail: string): Reply {
  return json(status, { type, title: titleOf(status), status, detail, message: detail });
}

/** NestJS/class-validator style validation error (§1.14 variants). */
export function validation(messages: string[], status = 400): Reply {
  return json(status, { message: messages, error: titleOf(status), statusCode: status });
}

export const notFound = (method: string, path: string): Reply =>
  json(404, { message: `Cannot ${method} ${path}`, error: 'Not Found', statusCode: 404 });

export const unauthorized = (): Reply => json(401, { message: 'Unauthorized' });

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const asRecord = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Thrown by stores to answer with a specific reply (the server writes it). */
export class ReplyError extends Error {
  readonly reply: Reply;
  constructor(reply: Reply) {
    super(`reply ${reply.status}`);
    this.reply = reply;
  }
}
