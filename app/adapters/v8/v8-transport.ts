import type { LookupFunction } from 'node:net';
import got, { RequestError } from 'got';
import { AppError } from '../../domain/app-error.ts';
import { classifyV8Failure, v8AppError } from '../../domain/v8-error-classification.ts';
import type { Logger } from '../../logging/logger.ts';
import type { CallObserver } from '../metrics/call-observer.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import type { Pacer } from './pacer.ts';
import type { GuardedLookup } from './v8-host-guard.ts';

export interface V8Request {
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly url: string;
  /** What we are doing, for messages and logs ("create consult"). */
  readonly action: string;
  readonly bearer?: string;
  /**
   * The token held at the moment the pacer lets the call go, if any. A call may wait in the pacer's
   * queue for seconds; if the token was replaced meanwhile (revoked, refreshed), sending the old one
   * would only earn a 401 and a second request.
   */
  readonly currentBearer?: () => string | undefined;
  /**
   * Called before the pacer slot is released when V8 refuses the bearer (401): the token must be
   * dropped before the next queued call reads `currentBearer`, or that call leaves with it too.
   */
  readonly onUnauthorized?: (bearer: string) => void;
  readonly json?: unknown;
  readonly form?: Readonly<Record<string, string>>;
  readonly searchParams?: Readonly<Record<string, string | number>>;
}

export interface V8RawResponse {
  readonly status: number;
  /** Parsed JSON when the body is JSON, the text otherwise ('' for an empty body). */
  readonly body: unknown;
  readonly retryAfter: string | undefined;
  /** The bearer token the call actually carried. */
  readonly sentBearer?: string | undefined;
}

export interface V8TransportOptions {
  readonly timeoutMs: number;
  /**
   * Answers longer than this are cut off and fail as "could not be reached": a wrong or hostile
   * endpoint cannot fill the memory with one answer. Default DEFAULT_MAX_RESPONSE_BYTES.
   */
  readonly maxResponseBytes?: number;
  /** Name resolution for the connections (e.g. one that refuses internal addresses). */
  readonly dnsLookup?: GuardedLookup;
  readonly pacer: Pacer;
  readonly breaker: CircuitBreaker;
  readonly logger: Logger;
  /** Told about every call that left (metrics). */
  readonly observe?: CallObserver;
}

/** V8's largest answers are list pages of a few hundred KiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

function parseBody(text: string): unknown {
  if (text.trim() === '') return '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * One HTTP exchange with V8 (token endpoint or BFF): breaker check, pacing, timeout. It never
 * repeats a call (got's own retry is off): repetition is decided above, per method and answer.
 * Timeouts and network errors become AppErrors; any HTTP answer is returned as is.
 */
export class V8Transport {
  private readonly opts: V8TransportOptions;

  constructor(opts: V8TransportOptions) {
    this.opts = opts;
  }

  async send(req: V8Request): Promise<V8RawResponse> {
    const { breaker, pacer, logger, timeoutMs } = this.opts;
    breaker.admit();
    let outcome: 'success' | 'failure' = 'failure';
    let sentBearer = req.bearer;
    let dropped = false;
    try {
      const res = await pacer.run(async () => {
        const started = performance.now();
        if (req.currentBearer) {
          const current = req.currentBearer();
          // The token this call carried was dropped while it waited (a 401 elsewhere): answer the
          // 401 here instead of sending a request V8 would refuse; the caller re-authenticates.
          if (current === undefined) {
            dropped = true;
            return undefined;
          }
          sentBearer = current;
        }
        const maxBytes = this.opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
        const abort = new AbortController();
        let tooLarge = false;
        try {
          const pending = got(req.url, {
            method: req.method,
            headers: {
              accept: 'application/json',
              ...(sentBearer ? { authorization: `Bearer ${sentBearer}` } : {}),
            },
            ...(req.json !== undefined ? { json: req.json } : {}),
            ...(req.form ? { form: req.form } : {}),
            ...(req.searchParams
              ? { searchParams: req.searchParams as Record<string, string | number> }
              : {}),
            timeout: { request: timeoutMs },
            retry: { limit: 0 },
            throwHttpErrors: false,
            followRedirect: false,
            responseType: 'text',
            signal: abort.signal,
            ...(this.opts.dnsLookup ? { dnsLookup: this.opts.dnsLookup as unknown as LookupFunction } : {}),
          });
          pending.on('downloadProgress', (p: { transferred: number; total?: number }) => {
            if (!tooLarge && (p.transferred > maxBytes || (p.total ?? 0) > maxBytes)) {
              tooLarge = true;
              abort.abort();
            }
          });
          const r = await pending;
          const ms = performance.now() - started;
          logger.debug('v8 call', {
            action: req.action,
            method: req.method,
            path: new URL(req.url).pathname,
            status: r.statusCode,
            ms: Math.round(ms),
          });
          this.opts.observe?.({ operation: req.action, outcome: String(r.statusCode), seconds: ms / 1000 });
          if (r.statusCode === 401 && sentBearer) req.onUnauthorized?.(sentBearer);
          return r;
        } catch (err) {
          // got's error carries the request options (form with the password): only the code is kept.
          const code = tooLarge ? 'ETOOLARGE' : err instanceof RequestError ? err.code : undefined;
          this.opts.observe?.({
            operation: req.action,
            outcome: code ?? 'error',
            seconds: (performance.now() - started) / 1000,
          });
          logger.warn('v8 call failed', {
            action: req.action,
            method: req.method,
            path: new URL(req.url).pathname,
            code,
            ms: Math.round(performance.now() - started),
          });
          const failure =
            code === 'ETIMEDOUT' ? { kind: 'timeout' as const } : { kind: 'network' as const, code };
          throw v8AppError(req.action, classifyV8Failure(failure));
        }
      });
      if (dropped || res === undefined) {
        outcome = 'success';
        return { status: 401, body: '', retryAfter: undefined, sentBearer };
      }
      outcome = res.statusCode >= 500 ? 'failure' : 'success';
      const retryAfter = res.headers['retry-after'];
      return {
        status: res.statusCode,
        body: parseBody(res.body),
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        sentBearer,
      };
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('upstream_error', `unexpected failure calling V8 (${req.action})`, { cause: err });
    } finally {
      breaker.record(outcome);
    }
  }
}
