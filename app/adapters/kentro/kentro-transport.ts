import got, { type Got } from 'got';
import { AppError, isAppError } from '../../domain/app-error.ts';
import type { CallObserver } from '../metrics/call-observer.ts';
import { isHtml, kentroBadAnswer, kentroHttpError, kentroNetworkError } from './kentro-errors.ts';

/** The few logger methods the transport uses; a winston Logger fits. */
export interface KentroLogger {
  debug(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
}

export interface KentroRetryPolicy {
  /** Total attempts of a read (1 = no retry). Writes always get exactly one. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface KentroTransportOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly queueId: number;
  readonly timeoutMs: number;
  readonly retry: KentroRetryPolicy;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: KentroLogger | undefined;
  /** Told about every call that left (metrics). */
  readonly observe?: CallObserver;
}

export interface KentroCallOptions {
  /**
   * Idempotent read: retried with backoff when Kentro is unavailable (5xx, timeout, refused). Writes are
   * never repeated blindly: a timed-out write may have been applied.
   */
  readonly read: boolean;
  /** 200 with no body is a success (insertOpportunityNote documents none; EVO saw it on stage moves). */
  readonly allowEmpty?: boolean;
}

/** `POST <baseUrl>/int/<operation>` with `{queueId, apiKey, ...}` as JSON; answers parsed JSON. */
export class KentroTransport {
  private readonly opts: KentroTransportOptions;
  private readonly http: Got;
  private readonly base: string;

  constructor(opts: KentroTransportOptions) {
    this.opts = opts;
    this.base = opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`;
    this.http = got.extend({
      throwHttpErrors: false,
      retry: { limit: 0 },
      followRedirect: false,
      responseType: 'text',
      timeout: { request: opts.timeoutMs },
      headers: { accept: 'application/json' },
    });
  }

  async call(operation: string, fields: Record<string, unknown>, call: KentroCallOptions): Promise<unknown> {
    const attempts = call.read ? Math.max(1, this.opts.retry.attempts) : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(operation, fields, call, attempt);
      } catch (err) {
        const retryable = isAppError(err) && err.code === 'upstream_unavailable';
        if (!retryable || attempt >= attempts) throw err;
        const delayMs = Math.min(
          this.opts.retry.maxDelayMs,
          this.opts.retry.baseDelayMs * 2 ** (attempt - 1),
        );
        this.opts.logger?.warn('kentro read failed, retrying', {
          operation,
          attempt,
          delayMs,
          error: err.message,
        });
        await this.opts.sleep(delayMs);
      }
    }
  }

  private async once(
    operation: string,
    fields: Record<string, unknown>,
    call: KentroCallOptions,
    attempt: number,
  ): Promise<unknown> {
    const url = new URL(`int/${operation}`, this.base);
    const started = performance.now();
    let status: number;
    let text: string;
    let contentType: string | undefined;
    try {
      const res = await this.http.post(url, {
        json: { queueId: this.opts.queueId, apiKey: this.opts.apiKey, ...fields },
      });
      status = res.statusCode;
      text = res.body;
      contentType = res.headers['content-type'];
    } catch (err) {
      const mapped = kentroNetworkError(operation, err, this.opts.timeoutMs);
      const code = (err as { code?: unknown }).code;
      this.opts.observe?.({
        operation,
        outcome: typeof code === 'string' ? code : 'error',
        seconds: (performance.now() - started) / 1000,
      });
      this.opts.logger?.debug('kentro call failed', {
        operation,
        attempt,
        durationMs: Math.round(performance.now() - started),
        error: mapped.message,
      });
      throw mapped;
    }
    this.opts.observe?.({
      operation,
      outcome: String(status),
      seconds: (performance.now() - started) / 1000,
    });
    this.opts.logger?.debug('kentro call', {
      operation,
      attempt,
      status,
      durationMs: Math.round(performance.now() - started),
    });
    if (status < 200 || status >= 300) throw kentroHttpError(operation, status, text, this.opts.apiKey);
    if (isHtml(contentType, text)) throw kentroBadAnswer(operation, status, 'html');
    if (text.trim() === '') {
      if (call.allowEmpty) return undefined;
      throw kentroBadAnswer(operation, status, 'empty');
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw kentroBadAnswer(operation, status, 'json');
    }
  }
}

/** The settings the transport cannot work without, by config key (never their values). */
export function missingSettings(s: {
  baseUrl: string | undefined;
  apiKey: string | undefined;
  queueId: number | undefined;
  pipelineId: number | undefined;
}): string[] {
  const missing: string[] = [];
  if (!s.baseUrl) missing.push('KENTRO_BASE_URL');
  if (!s.apiKey) missing.push('KENTRO_API_KEY');
  if (s.queueId === undefined) missing.push('KENTRO_QUEUE_ID');
  if (s.pipelineId === undefined) missing.push('KENTRO_PIPELINE_ID');
  return missing;
}

export function notConfigured(missing: readonly string[], what = 'Kentro'): AppError {
  return new AppError('not_configured', `${what} is not configured: set ${missing.join(', ')}`, {
    detail: { missing },
  });
}
