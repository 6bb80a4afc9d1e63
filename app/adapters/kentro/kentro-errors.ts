import { AppError } from '../../domain/app-error.ts';

/**
 * Kentro answers errors as `ReturnMessage` ({message}); where its codes (AUTH_018, GENERIC_001,
 * QUEUE_008…) travel is undocumented (reference §2.2), so they are read from a `code` field or from
 * the message text, and the HTTP status decides when there is none.
 */

const MAX_MESSAGE = 300;
const KENTRO_CODE = /\b((?:GENERIC|AUTH|QUEUE|[A-Z]{2,12})_\d{3})\b/;

export interface KentroErrorDetail {
  readonly operation: string;
  readonly httpStatus?: number;
  readonly kentroCode?: string;
  readonly kentroMessage?: string;
  readonly reason?: string;
}

/** Cuts the apiKey (and anything after a key-looking label) out of upstream text before it travels. */
export function scrub(text: string, apiKey: string | undefined): string {
  let out = text;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join('[REDACTED]');
  out = out.replace(/("?api_?key"?\s*[:=]\s*"?)[^"&\s,}]+/gi, '$1[REDACTED]');
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}…` : out;
}

export function isHtml(contentType: string | undefined, text: string): boolean {
  if (contentType?.toLowerCase().includes('text/html')) return true;
  const head = text.trimStart().slice(0, 15).toLowerCase();
  return head.startsWith('<!doctype') || head.startsWith('<html');
}

function parseBody(text: string): { code?: string; message?: string } {
  let message: string | undefined;
  let code: string | undefined;
  try {
    const body = JSON.parse(text) as unknown;
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      const o = body as Record<string, unknown>;
      if (typeof o.message === 'string') message = o.message;
      else if (typeof o.error === 'string') message = o.error;
      for (const k of ['code', 'errorCode', 'error_code']) {
        if (typeof o[k] === 'string' && o[k] !== '') code = o[k] as string;
      }
    } else if (typeof body === 'string') {
      message = body;
    }
  } catch {
    if (text.trim() !== '' && !isHtml(undefined, text)) message = text.trim();
  }
  code ??= message?.match(KENTRO_CODE)?.[1];
  return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

/** A non-2xx answer of `/int/<operation>` as an AppError. */
export function kentroHttpError(
  operation: string,
  httpStatus: number,
  text: string,
  apiKey: string | undefined,
): AppError {
  const parsed = parseBody(text);
  const kentroMessage = parsed.message === undefined ? undefined : scrub(parsed.message, apiKey);
  const kentroCode = parsed.code;
  const detail: KentroErrorDetail = {
    operation,
    httpStatus,
    ...(kentroCode ? { kentroCode } : {}),
    ...(kentroMessage ? { kentroMessage } : {}),
  };
  const said = [kentroCode, kentroMessage].filter(Boolean).join(' ');
  const suffix = said ? `: ${said}` : '';
  if (kentroCode?.startsWith('AUTH_') || (kentroCode === undefined && httpStatus === 401)) {
    return new AppError(
      'auth_failed',
      `Kentro rejected the credentials on ${operation} (HTTP ${httpStatus})${suffix}; check KENTRO_API_KEY and KENTRO_QUEUE_ID`,
      { detail },
    );
  }
  if (kentroCode === 'QUEUE_008' || httpStatus >= 500) {
    return new AppError(
      'upstream_unavailable',
      `Kentro is unavailable for ${operation} (HTTP ${httpStatus})${suffix}`,
      { detail },
    );
  }
  if (kentroCode === 'GENERIC_001' || httpStatus === 400) {
    return new AppError(
      'invalid_data',
      `Kentro refused the data of ${operation} (HTTP ${httpStatus})${suffix}`,
      {
        detail,
      },
    );
  }
  if (httpStatus === 404) {
    return new AppError('not_found', `Kentro found nothing for ${operation} (HTTP 404)${suffix}`, { detail });
  }
  return new AppError('upstream_error', `Kentro failed ${operation} (HTTP ${httpStatus})${suffix}`, {
    detail,
  });
}

/** A 2xx answer that is not the JSON the spec promises (the web app's HTML page, garbage). */
export function kentroBadAnswer(
  operation: string,
  httpStatus: number,
  what: 'html' | 'json' | 'empty',
): AppError {
  const why =
    what === 'html'
      ? 'an HTML page instead of JSON (wrong KENTRO_BASE_URL, or an operation this tenant does not have)'
      : what === 'empty'
        ? 'an empty body where data was expected'
        : 'a body that is not valid JSON';
  return new AppError('upstream_error', `Kentro answered ${operation} with ${why} (HTTP ${httpStatus})`, {
    detail: { operation, httpStatus, reason: what } satisfies KentroErrorDetail,
  });
}

/** Transport failure (timeout, refused, reset): no answer to interpret. */
export function kentroNetworkError(operation: string, err: unknown, timeoutMs: number): AppError {
  const e = err as { name?: unknown; code?: unknown };
  const code = typeof e.code === 'string' ? e.code : 'UNKNOWN';
  const timedOut = e.name === 'TimeoutError' || code === 'ETIMEDOUT';
  const message = timedOut
    ? `Kentro did not answer ${operation} within ${timeoutMs} ms`
    : `Kentro is unreachable for ${operation} (${code})`;
  // No `cause`: got's error holds the request options, whose JSON body carries the apiKey.
  return new AppError('upstream_unavailable', message, {
    detail: { operation, reason: timedOut ? 'timeout' : code } satisfies KentroErrorDetail,
  });
}
