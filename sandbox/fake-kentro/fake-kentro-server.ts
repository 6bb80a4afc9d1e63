import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import {
  FAKE_KENTRO_API_KEY,
  FAKE_KENTRO_DISABLED_QUEUE_ID,
  FAKE_KENTRO_DISABLED_QUEUE_KEY,
  FAKE_KENTRO_FORM_FIELDS,
  FAKE_KENTRO_GLOBAL_KEY,
  FAKE_KENTRO_PIPELINE_ID,
  FAKE_KENTRO_QUEUE_ID,
  FAKE_KENTRO_STAGES,
  type FakeKentroStageIds,
} from './fake-kentro-seed.ts';
import {
  type FakeAnswer,
  FakeKentroState,
  type FakeOperation,
  OPERATION_GROUP,
} from './fake-kentro-state.ts';

export * from './fake-kentro-seed.ts';

/**
 * A fake Kentro (atenderbem) integration API on real HTTP, following the OpenAPI spec and the
 * reference's checklist (§2.10): `POST /int/<operation>` with `{queueId, apiKey, ...}`, the documented
 * auth errors, CRM state, WhatsApp templates, and the web app's HTML page for anything else.
 * Tests drive it in-process (the handle) or over HTTP (`/__admin/*`).
 */

/** Documented error codes and their HTTP status (KSPEC). */
export const KENTRO_ERROR_CODES = {
  GENERIC_001: { status: 400, message: 'Parâmetros apiKey e/ou queueId não informados' },
  AUTH_018: { status: 401, message: 'Chave de API inválida ou não corresponde à fila informada' },
  AUTH_001: { status: 401, message: 'Instância bloqueada' },
  AUTH_014: { status: 401, message: 'API de integração desabilitada' },
  AUTH_021: { status: 401, message: 'IP de origem não autorizado' },
  QUEUE_008: { status: 503, message: 'A fila informada está desabilitada' },
} as const;
export type KentroErrorCode = keyof typeof KENTRO_ERROR_CODES;

export interface FakeKentroFault {
  /** Operation name, or '*' for every /int call. */
  readonly op: string;
  /** Answer with this status instead of running the operation (200 = "accept but do nothing"). */
  readonly status?: number;
  /** A documented code: the answer is `{message, code}` with the code's status unless `status` is set. */
  readonly code?: KentroErrorCode;
  readonly message?: string;
  /** Raw answer body (object → JSON, string → as is). */
  readonly body?: unknown;
  readonly contentType?: string;
  /** Answer the web app's HTML page (with `status`, default 200). */
  readonly html?: boolean;
  /** Destroy the connection without answering. */
  readonly drop?: boolean;
  /** How many matching calls it hits (default 1). */
  readonly count?: number | 'always';
  readonly delayMs?: number;
  /**
   * 'before' (default): wait, then answer the fault or run the operation. 'after': run the operation
   * first, then wait / answer the fault: the write happened but the client sees a timeout or an error.
   */
  readonly when?: 'before' | 'after';
}

interface ActiveFault extends FakeKentroFault {
  readonly id: number;
  remaining: number | 'always';
}

export interface FakeKentroRequest {
  readonly seq: number;
  readonly time: string;
  readonly method: string;
  readonly path: string;
  /** Canonical operation name; undefined for unknown paths (answered with HTML). */
  readonly op: string | undefined;
  /** The JSON body as received (undefined when absent or not JSON). */
  readonly body: unknown;
  status: number | undefined;
  /** Id of the fault that hit this call. */
  fault: number | undefined;
}

/** One line per answered request; carries no body (so no apiKey and no personal data). */
export interface FakeKentroLogEntry {
  readonly time: string;
  readonly method: string;
  readonly path: string;
  readonly op: string | undefined;
  readonly queueId: number | undefined;
  readonly status: number | undefined;
  readonly durationMs: number;
  readonly fault: number | undefined;
}

export interface FakeKentroOptions {
  readonly port?: number;
  readonly host?: string;
  readonly queueId?: number;
  readonly apiKey?: string;
  readonly globalKey?: string;
  readonly disabledQueueId?: number;
  readonly disabledQueueKey?: string;
  readonly pipelineId?: number;
  readonly stages?: Partial<FakeKentroStageIds>;
  /** Form-field ids by our field names; the sample leads' formsdata is written with them. */
  readonly formFields?: Readonly<Record<string, string>>;
  /** Sample leads (default true). */
  readonly seed?: boolean;
  readonly now?: () => number;
  readonly onRequest?: (entry: FakeKentroLogEntry) => void;
}

export interface FakeKentroHandle {
  /** http://127.0.0.1:<port> (the host it listens on). */
  readonly url: string;
  readonly port: number;
  readonly queueId: number;
  readonly apiKey: string;
  readonly globalKey: string;
  readonly pipelineId: number;
  readonly stages: FakeKentroStageIds;
  readonly formFields: Readonly<Record<string, string>>;
  close(): Promise<void>;
  /** Recorded /int calls (and unknown paths), oldest first; optionally of one operation. */
  requests(op?: string): FakeKentroRequest[];
  clearRequests(): void;
  state(): Record<string, unknown>;
  /** Back to the seed: data, faults, down switch and request log. */
  reset(): void;
  setFault(fault: FakeKentroFault): number;
  clearFaults(): void;
  setDown(down: boolean): void;
  setQueueEnabled(queueId: number, enabled: boolean): void;
}

const HTML_PAGE = `<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><title>Atendimento</title></head>
<body><div id="app"></div><script src="/static/js/app.js"></script></body></html>
`;

const OPERATIONS = new Map<string, FakeOperation>(
  (Object.keys(OPERATION_GROUP) as FakeOperation[]).map((op) => [op.toLowerCase(), op]),
);

const MAX_BODY = 5 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, contentType?: string): void {
  if (res.destroyed || res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status, { 'content-length': '0' });
    res.end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type':
      contentType ??
      (typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'),
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

export async function startFakeKentro(options: FakeKentroOptions = {}): Promise<FakeKentroHandle> {
  const queueId = options.queueId ?? FAKE_KENTRO_QUEUE_ID;
  const apiKey = options.apiKey ?? FAKE_KENTRO_API_KEY;
  const globalKey = options.globalKey ?? FAKE_KENTRO_GLOBAL_KEY;
  const pipelineId = options.pipelineId ?? FAKE_KENTRO_PIPELINE_ID;
  const stages: FakeKentroStageIds = { ...FAKE_KENTRO_STAGES, ...options.stages };
  const formFields = options.formFields ?? FAKE_KENTRO_FORM_FIELDS;
  const now = options.now ?? (() => Date.now());
  const state = new FakeKentroState({
    queues: [
      { id: queueId, name: 'Fila CLT', key: apiKey, enabled: true },
      {
        id: options.disabledQueueId ?? FAKE_KENTRO_DISABLED_QUEUE_ID,
        name: 'Fila desativada',
        key: options.disabledQueueKey ?? FAKE_KENTRO_DISABLED_QUEUE_KEY,
        enabled: false,
      },
    ],
    pipelineId,
    stages,
    formFields,
    seed: options.seed ?? true,
    now,
  });

  let down = false;
  let faults: ActiveFault[] = [];
  let nextFaultId = 1;
  let log: FakeKentroRequest[] = [];
  let seq = 0;
  const aborter = new AbortController();

  const setFault = (f: FakeKentroFault): number => {
    const id = nextFaultId++;
    faults.push({ ...f, id, remaining: f.count ?? 1 });
    return id;
  };
  const clearFaults = () => {
    faults = [];
  };
  const takeFault = (op: string): ActiveFault | undefined => {
    const f = faults.find(
      (x) => (x.op === '*' || x.op.toLowerCase() === op.toLowerCase()) && x.remaining !== 0,
    );
    if (f && f.remaining !== 'always') f.remaining -= 1;
    return f;
  };
  const reset = () => {
    state.reset();
    clearFaults();
    down = false;
    log = [];
  };

  /** Checks credentials per permission group; undefined = allowed. */
  const authenticate = (op: FakeOperation, body: Record<string, unknown>): FakeAnswer | undefined => {
    const err = (code: KentroErrorCode): FakeAnswer => ({
      status: KENTRO_ERROR_CODES[code].status,
      body: { message: KENTRO_ERROR_CODES[code].message, code },
    });
    const group = OPERATION_GROUP[op];
    if (group === 'public') return undefined;
    const key = typeof body.apiKey === 'string' && body.apiKey !== '' ? body.apiKey : undefined;
    if (group === 'global') {
      if (key === undefined) return err('GENERIC_001');
      return key === globalKey ? undefined : err('AUTH_018');
    }
    const qid = body.queueId;
    if (key === undefined || typeof qid !== 'number' || !Number.isInteger(qid)) return err('GENERIC_001');
    const queue = state.queue(qid);
    if (!queue) return err('AUTH_018');
    if (group === 'enable') {
      if (key !== queue.key) return err('AUTH_018');
      queue.enabled = true;
      return undefined;
    }
    if (key !== queue.key && key !== globalKey) return err('AUTH_018');
    if (!queue.enabled) return err('QUEUE_008');
    return undefined;
  };

  const faultAnswer = (f: ActiveFault): { status: number; body: unknown; contentType?: string } => {
    if (f.html) return { status: f.status ?? 200, body: HTML_PAGE, contentType: 'text/html; charset=utf-8' };
    if (f.body !== undefined) {
      return {
        status: f.status ?? 200,
        body: f.body,
        ...(f.contentType === undefined ? {} : { contentType: f.contentType }),
      };
    }
    if (f.code) {
      const c = KENTRO_ERROR_CODES[f.code];
      return { status: f.status ?? c.status, body: { message: f.message ?? c.message, code: f.code } };
    }
    const status = f.status ?? 500;
    return {
      status,
      body: { message: f.message ?? (status === 503 ? 'Fila indisponível' : 'Erro interno do servidor') },
    };
  };

  const handleInt = async (
    req: IncomingMessage,
    res: ServerResponse,
    entry: FakeKentroRequest,
    op: FakeOperation,
  ): Promise<void> => {
    const body = asObject(entry.body);
    if (down) {
      entry.status = 503;
      return send(res, 503, { message: 'Serviço indisponível' });
    }
    const fault = takeFault(op);
    if (fault) entry.fault = fault.id;
    const wait = async () => {
      if (fault?.delayMs)
        await delay(fault.delayMs, undefined, { signal: aborter.signal }).catch(() => undefined);
    };
    const faulty =
      fault && (fault.status !== undefined || fault.code || fault.html || fault.body !== undefined);
    if (fault && fault.when !== 'after') {
      await wait();
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (faulty) {
        const a = faultAnswer(fault);
        entry.status = a.status;
        return send(res, a.status, a.body, a.contentType);
      }
    }
    let answer: FakeAnswer & { contentType?: string };
    if (body === undefined) {
      answer = {
        status: 400,
        body: { message: KENTRO_ERROR_CODES.GENERIC_001.message, code: 'GENERIC_001' },
      };
    } else {
      answer = authenticate(op, body) ?? state.handle(op, body);
    }
    if (fault && fault.when === 'after') {
      await wait();
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (faulty) answer = faultAnswer(fault);
    }
    entry.status = answer.status;
    send(res, answer.status, answer.body, answer.contentType);
  };

  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, path: string, raw: string) => {
    const method = req.method ?? 'GET';
    const json = (): Record<string, unknown> => {
      try {
        return asObject(JSON.parse(raw || '{}')) ?? {};
      } catch {
        return {};
      }
    };
    const url = new URL(req.url ?? '/', 'http://fake');
    if (path === '/__admin/requests' && method === 'GET') {
      return send(res, 200, handle.requests(url.searchParams.get('op') ?? undefined));
    }
    if (path === '/__admin/requests' && method === 'DELETE') {
      log = [];
      return send(res, 204, undefined);
    }
    if (path === '/__admin/state' && method === 'GET') return send(res, 200, handle.state());
    if (path === '/__admin/reset' && method === 'POST') {
      reset();
      return send(res, 204, undefined);
    }
    if (path === '/__admin/faults' && method === 'GET') return send(res, 200, faults);
    if (path === '/__admin/faults' && method === 'POST') {
      const f = json();
      if (typeof f.op !== 'string' || f.op === '')
        return send(res, 400, { message: 'op is required (name or *)' });
      if (f.code !== undefined && !(String(f.code) in KENTRO_ERROR_CODES)) {
        return send(res, 400, {
          message: `unknown code; one of ${Object.keys(KENTRO_ERROR_CODES).join(', ')}`,
        });
      }
      return send(res, 201, { id: setFault(f as unknown as FakeKentroFault) });
    }
    if (path === '/__admin/faults' && method === 'DELETE') {
      clearFaults();
      return send(res, 204, undefined);
    }
    if (path === '/__admin/down' && (method === 'POST' || method === 'PUT')) {
      down = json().down !== false;
      return send(res, 200, { down });
    }
    if (path === '/__admin/down' && method === 'DELETE') {
      down = false;
      return send(res, 200, { down });
    }
    const q = path.match(/^\/__admin\/queues\/(\d+)$/);
    if (q && method === 'POST') {
      const queue = state.queue(Number(q[1]));
      if (!queue) return send(res, 404, { message: 'queue not found' });
      queue.enabled = json().enabled !== false;
      return send(res, 200, { id: queue.id, enabled: queue.enabled });
    }
    return send(res, 404, { message: `no admin route ${method} ${path}` });
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    void (async () => {
      let raw: string;
      try {
        raw = await readBody(req);
      } catch {
        return send(res, 413, { message: 'corpo grande demais' });
      }
      if (path === '/health' && method === 'GET') return send(res, 200, { status: 'ok', down });
      if (path.startsWith('/__admin/')) return handleAdmin(req, res, path, raw);

      const intMatch = path.match(/^\/int\/([A-Za-z0-9_]+)\/?$/);
      const op = intMatch?.[1] ? OPERATIONS.get(intMatch[1].toLowerCase()) : undefined;
      let body: unknown;
      try {
        body = raw.trim() === '' ? undefined : JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const entry: FakeKentroRequest = {
        seq: ++seq,
        time: new Date(now()).toISOString(),
        method,
        path,
        op,
        body,
        status: undefined,
        fault: undefined,
      };
      log.push(entry);
      res.on('close', () => {
        const qid = asObject(body)?.queueId;
        options.onRequest?.({
          time: entry.time,
          method,
          path,
          op,
          queueId: typeof qid === 'number' ? qid : undefined,
          status: entry.status,
          durationMs: Math.round(performance.now() - started),
          fault: entry.fault,
        });
      });
      // Unknown operations and GET on POST-only ones get the web app's page, as the real tenants do.
      if (!op || method !== 'POST') {
        entry.status = 200;
        return send(res, 200, HTML_PAGE, 'text/html; charset=utf-8');
      }
      await handleInt(req, res, entry, op);
    })().catch(() => {
      if (!res.headersSent) send(res, 500, { message: 'Erro interno do servidor' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;

  const handle: FakeKentroHandle = {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    queueId,
    apiKey,
    globalKey,
    pipelineId,
    stages,
    formFields,
    close: () =>
      new Promise<void>((resolve) => {
        aborter.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    requests: (op?: string) =>
      structuredClone(op === undefined ? log : log.filter((r) => r.op?.toLowerCase() === op.toLowerCase())),
    clearRequests: () => {
      log = [];
    },
    state: () => ({ down, ...state.snapshot(), faults: structuredClone(faults) }),
    reset,
    setFault,
    clearFaults,
    setDown: (d: boolean) => {
      down = d;
    },
    setQueueEnabled: (id: number, enabled: boolean) => {
      const queue = state.queue(id);
      if (!queue) throw new Error(`no queue ${id}`);
      queue.enabled = enabled;
    },
  };
  return handle;
}
