import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeV8Admin, type FakeV8Control } from './admin.ts';
import { adminRoutes } from './admin-routes.ts';
import { consultRoutes } from './consult-routes.ts';
import { buildContext, type FakeContext } from './context.ts';
import { maskCpfs } from './cpf.ts';
import { type FaultArea, faultReply } from './faults.ts';
import { formalizationRoutes } from './formalization.ts';
import {
  type FakeRequest,
  headersOf,
  json,
  notFound,
  parseBody,
  type Reply,
  ReplyError,
  readBody,
  unauthorized,
  writeReply,
} from './http-util.ts';
import { tokenEndpoint } from './oauth.ts';
import { operationRoutes } from './operation-routes.ts';
import { DEFAULTS, type FakeV8Options } from './options.ts';
import { RATE_LIMIT_MESSAGE } from './rate-limit.ts';
import { Router } from './router.ts';
import { simulationRoutes } from './simulation-routes.ts';
import { bearerOf } from './tokens.ts';
import { webhookRoutes } from './webhook-routes.ts';

export {
  DEFAULT_ACCOUNTS,
  DEFAULT_AUDIENCE,
  DEFAULT_CLIENT_ID,
  type FakeV8Account,
  parseAccounts,
} from './accounts.ts';
export type { FakeV8Control, FakeV8State } from './admin.ts';
export type { SeedConsult } from './consults.ts';
export { cpfWithCheckDigits, isValidCpf } from './cpf.ts';
export type { Fault, FaultSpec } from './faults.ts';
export { DEFAULT_RUNTIME, type FakeV8Options, type RuntimeConfig } from './options.ts';
export type { LoggedRequest, RequestFilter } from './request-log.ts';
export { DEFAULT_SCENARIOS, fallbackScenario, type Scenario } from './scenarios.ts';
export type { AdvanceOptions } from './scheduler.ts';
export { SIMULATION_CONFIGS } from './simulations.ts';
export type { FakeV8Stats } from './stats.ts';
export type { WebhookDelivery, WebhookRegistration } from './webhooks.ts';

export interface FakeV8Handle extends FakeV8Control {
  /** `http://<host>:<port>`: both the OAuth host and the BFF base URL. */
  readonly url: string;
  readonly port: number;
  /** Polls `check` (every 10 ms) until it returns a truthy value; rejects after `timeoutMs`. */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

const OAUTH_PATH = '/oauth/token';

class FakeV8Server extends FakeV8Admin implements FakeV8Handle {
  readonly url: string;
  readonly port: number;
  private readonly server: Server;

  constructor(ctx: FakeContext, resetAll: () => void, server: Server, url: string, port: number) {
    super(ctx, resetAll);
    this.server = server;
    this.url = url;
    this.port = port;
  }

  async waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`fake V8: condition not met within ${timeoutMs} ms`);
      await sleep(10);
    }
  }

  async close(): Promise<void> {
    this.ctx.webhooks.close();
    this.ctx.scheduler.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function rateLimited(ctx: FakeContext): Reply {
  const headers = { 'retry-after': '1' };
  return ctx.config.rateLimitBody === 'text'
    ? { status: 429, text: RATE_LIMIT_MESSAGE, headers }
    : json(429, { message: RATE_LIMIT_MESSAGE }, headers);
}

/** Starts a fake V8 (OAuth + BFF + admin) on one HTTP server. */
export async function startFakeV8(options: FakeV8Options = {}): Promise<FakeV8Handle> {
  let baseUrl = '';
  const { ctx, resetAll, onLog } = buildContext(options, () => options.publicUrl ?? baseUrl);
  const admin = new FakeV8Admin(ctx, resetAll);
  const adminRouter = new Router();
  adminRoutes(adminRouter, admin);
  const bff = new Router();
  consultRoutes(bff, ctx);
  simulationRoutes(bff, ctx);
  operationRoutes(bff, ctx);
  webhookRoutes(bff, ctx);
  const publicPages = new Router();
  formalizationRoutes(publicPages, ctx);

  const run = async (router: Router, req: FakeRequest): Promise<Reply> => {
    const m = router.match(req.method, req.path);
    if (m.kind === 'none') return notFound(req.method, req.path);
    try {
      return await m.handler({ ...req, params: m.params });
    } catch (err) {
      if (err instanceof ReplyError) return err.reply;
      console.error('fake V8: handler failed', err);
      return json(500, { message: 'Internal server error', statusCode: 500 });
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://fake-v8');
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const headers = headersOf(req);

    if (path === '/health' || path === '/healthz') {
      writeReply(res, json(200, { status: 'ok' }));
      return;
    }
    const area: FaultArea | 'admin' = path.startsWith('/__admin')
      ? 'admin'
      : path === OAUTH_PATH
        ? 'auth'
        : path.startsWith('/formalizacao/')
          ? 'other'
          : 'bff';

    let body: unknown;
    let bodyError: string | null = null;
    try {
      body = parseBody(await readBody(req), headers['content-type']);
    } catch (err) {
      bodyError = err instanceof Error ? err.message : 'invalid body';
    }

    if (area === 'admin') {
      const reply = bodyError
        ? json(400, { message: bodyError })
        : await run(adminRouter, { method, path, query, headers, body, params: {}, account: null });
      writeReply(res, reply);
      return;
    }

    const token = bearerOf(headers.authorization);
    const bodyUser = area === 'auth' && typeof (body as { username?: unknown })?.username === 'string';
    const account = bodyUser ? String((body as { username: string }).username) : ctx.tokens.owner(token);
    const entry = ctx.requestLog.add({ time: ctx.clock.iso(), method, path, query, headers, body, account });
    let rate = 0;
    if (area === 'bff' && account) {
      rate = ctx.rate.hit(account);
      ctx.stats.observeRequest(account, rate);
    }

    const finish = (reply: Reply | null) => {
      if (reply && !res.destroyed) writeReply(res, reply);
      if (reply?.status === 429) ctx.stats.count429();
      entry.status = reply?.status ?? null;
      entry.durationMs = Math.round(performance.now() - started);
      onLog({
        kind: 'request',
        time: entry.time,
        method,
        path: maskCpfs(path),
        query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, maskCpfs(v)])),
        status: entry.status,
        durationMs: entry.durationMs,
        account,
        ...(entry.fault ? { fault: entry.fault } : {}),
      });
    };

    const fault = ctx.faults.take(method, path, area);
    if (fault) {
      ctx.stats.countFault();
      entry.fault = fault.id;
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.status === 'reset') {
        req.socket.destroy();
        finish(null);
        return;
      }
      if (fault.status !== undefined) {
        finish(faultReply(fault, area, RATE_LIMIT_MESSAGE));
        return;
      }
    }

    if (bodyError) {
      finish(
        area === 'auth'
          ? json(400, { error: 'invalid_request', error_description: bodyError })
          : json(400, { message: bodyError, error: 'Bad Request', statusCode: 400 }),
      );
      return;
    }
    const fakeReq: FakeRequest = { method, path, query, headers, body, params: {}, account };
    if (area === 'auth') {
      finish(method === 'POST' ? tokenEndpoint(fakeReq, ctx) : notFound(method, path));
      return;
    }
    if (area === 'other') {
      finish(await run(publicPages, fakeReq));
      return;
    }
    const check = ctx.tokens.check(token);
    if (!check.ok) {
      finish(unauthorized());
      return;
    }
    if (ctx.config.maxRps > 0 && rate > ctx.config.maxRps) {
      ctx.stats.countRateLimited(check.username);
      finish(rateLimited(ctx));
      return;
    }
    finish(await run(bff, { ...fakeReq, account: check.username }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('fake V8: request failed', err);
      if (!res.headersSent && !res.destroyed)
        writeReply(res, json(500, { message: 'Internal server error' }));
    });
  });
  server.keepAliveTimeout = 5000;
  const host = options.host ?? DEFAULTS.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULTS.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${port}`;
  return new FakeV8Server(ctx, resetAll, server, baseUrl, port);
}
