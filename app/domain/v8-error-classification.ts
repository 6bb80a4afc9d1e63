import { AppError, type ErrorCode } from './app-error.ts';

/**
 * Maps what V8 answered (or failed to answer) to one of our stable error codes. V8's own words
 * (`type`, `title`, `detail`, `message`, Auth0's `error_description`) are kept as `detail` so a
 * broker sees why V8 refused; they never contain our credentials.
 */
export type V8Failure =
  | {
      readonly kind: 'http';
      readonly status: number;
      readonly body: unknown;
      /** The token endpoint (Auth0) or the BFF. */
      readonly endpoint: 'auth' | 'bff';
      readonly retryAfterS?: number | undefined;
    }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network'; readonly code?: string | undefined };

export type V8ErrorCode = Extract<
  ErrorCode,
  | 'invalid_data'
  | 'already_exists'
  | 'not_found'
  | 'rate_limited'
  | 'upstream_unavailable'
  | 'auth_failed'
  | 'rejected'
  | 'analysis_pending'
  | 'timeout'
  | 'upstream_error'
>;

export interface V8ErrorDetail {
  readonly v8Status?: number;
  readonly type?: string;
  readonly title?: string;
  readonly detail?: string;
  readonly message?: string | readonly string[];
  readonly error?: string;
  readonly errorDescription?: string;
  readonly reasons?: readonly string[];
}

export interface V8ErrorClass {
  readonly code: V8ErrorCode;
  /** V8's `type` (e.g. consult_already_exists_by_user_and_document_number), when it sent one. */
  readonly v8Type: string | undefined;
  /** The most telling text V8 sent, or our own description when it sent none. */
  readonly text: string;
  readonly detail: V8ErrorDetail | undefined;
  /** Counts towards opening the circuit breaker. */
  readonly upstreamFailure: boolean;
}

const MAX_TEXT = 500;

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, MAX_TEXT) : undefined;

/** Picks V8's known explanation fields out of a body (object or plain text); nothing else is kept. */
export function extractV8Detail(status: number | undefined, body: unknown): V8ErrorDetail | undefined {
  if (typeof body === 'string') {
    const text = str(body);
    return text === undefined
      ? status
        ? { v8Status: status }
        : undefined
      : { v8Status: status, message: text };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return status ? { v8Status: status } : undefined;
  }
  const b = body as Record<string, unknown>;
  const message = Array.isArray(b.message)
    ? b.message.filter((m): m is string => typeof m === 'string').map((m) => m.slice(0, MAX_TEXT))
    : (str(b.message) ?? str(b.mensagem));
  const reasons = Array.isArray(b.reasons)
    ? b.reasons
        .map((r) => (typeof r === 'string' ? r : str((r as { description?: unknown } | null)?.description)))
        .filter((r): r is string => typeof r === 'string')
    : undefined;
  const detail: Record<string, unknown> = {
    v8Status: status,
    type: str(b.type),
    title: str(b.title),
    detail: str(b.detail),
    message,
    error: str(b.error),
    errorDescription: str(b.error_description),
    reasons: reasons && reasons.length > 0 ? reasons : undefined,
  };
  for (const k of Object.keys(detail)) if (detail[k] === undefined) delete detail[k];
  return detail as V8ErrorDetail;
}

function bestText(d: V8ErrorDetail | undefined): string | undefined {
  if (!d) return undefined;
  const message = Array.isArray(d.message) ? d.message.join('; ') : (d.message as string | undefined);
  return (
    d.detail ?? (message || undefined) ?? d.errorDescription ?? d.reasons?.join('; ') ?? d.title ?? d.error
  );
}

const ALREADY_EXISTS_TYPES = /already_exists|already_approved|already_registered|duplicated?/i;
const ALREADY_EXISTS_TEXT = /j[áa] existe|j[áa] existente|already exists|operation.*already/i;
const REJECTED_TYPES =
  /not_eligible|above_margin|above_maximum|below_minimum|minimum_age|maximum_age|age_validation|not_reached|insufficient|blocked/i;
const REJECTED_TEXT = /n[ãa]o eleg[íi]vel|margem insuficiente|sem margem/i;
/** V8 has not finished looking at the worker: a later try gets the real answer (LC: analysis_pending). */
const ANALYSIS_PENDING_TEXT = /ainda em an[áa]lise|ainda est[áa] em an[áa]lise/i;
const RATE_LIMIT_TEXT = /limite de requisi|rate limit|too many (requests|attempts)/i;

export function classifyV8Failure(failure: V8Failure): V8ErrorClass {
  if (failure.kind === 'timeout') {
    return {
      code: 'timeout',
      v8Type: undefined,
      text: 'V8 did not answer in time',
      detail: undefined,
      upstreamFailure: true,
    };
  }
  if (failure.kind === 'network') {
    return {
      code: 'upstream_unavailable',
      v8Type: undefined,
      text: `V8 could not be reached${failure.code ? ` (${failure.code})` : ''}`,
      detail: undefined,
      upstreamFailure: true,
    };
  }
  const { status, endpoint } = failure;
  const detail = extractV8Detail(status, failure.body);
  const v8Type = detail?.type ?? (endpoint === 'auth' ? detail?.error : undefined);
  const text = bestText(detail) ?? `V8 answered HTTP ${status}`;
  const haystack = `${v8Type ?? ''} ${text}`;
  const result = (code: V8ErrorCode, upstreamFailure = false): V8ErrorClass => ({
    code,
    v8Type,
    text,
    detail,
    upstreamFailure,
  });

  if (status === 429 || RATE_LIMIT_TEXT.test(haystack)) return result('rate_limited');
  if (status >= 500)
    return result(status >= 502 && status <= 504 ? 'upstream_unavailable' : 'upstream_error', true);
  // Auth0 answers bad credentials with 401/403 and a bad request (missing audience, client id) with 400.
  if (endpoint === 'auth' && status >= 400) return result('auth_failed');
  if (status === 401 || status === 403) return result('auth_failed');
  if (status === 404) return result('not_found');
  if (ANALYSIS_PENDING_TEXT.test(haystack)) return result('analysis_pending');
  if (ALREADY_EXISTS_TYPES.test(v8Type ?? '') || ALREADY_EXISTS_TEXT.test(text))
    return result('already_exists');
  if (REJECTED_TYPES.test(v8Type ?? '') || REJECTED_TEXT.test(text)) return result('rejected');
  if (status === 409) return result('already_exists');
  if (status === 400 || status === 422) return result('invalid_data');
  return result('upstream_error');
}

const WHAT: Record<V8ErrorCode, string> = {
  invalid_data: 'V8 rejected the data',
  already_exists: 'V8 says it already exists',
  not_found: 'V8 does not know it',
  rate_limited: 'V8 is rate limiting this client, try again later',
  upstream_unavailable: 'V8 is unavailable',
  auth_failed: 'V8 refused this client credentials or token',
  rejected: 'V8 refused',
  analysis_pending: 'V8 is still analysing, try again later',
  timeout: 'V8 timed out',
  upstream_error: 'V8 answered with an error',
};

/** The AppError for a classified V8 failure; `action` says what we asked (e.g. "create consult"). */
export function v8AppError(action: string, c: V8ErrorClass, retryAfterS?: number): AppError {
  const hint =
    c.code === 'auth_failed'
      ? ' (check V8_USERNAME, V8_PASSWORD, V8_CLIENT_ID and V8_AUDIENCE of this client)'
      : '';
  return new AppError(c.code, `${WHAT[c.code]} (${action}): ${c.text}${hint}`, {
    ...(c.detail ? { detail: c.detail } : {}),
    ...(retryAfterS !== undefined ? { retryAfterS } : {}),
  });
}

/** How a consult that V8 closed (or keeps in analysis) ends for the flow, and what to do next. */
export type ConsultRefusalKind =
  /** Not eligible, no margin: nothing to do. */
  | 'no_margin'
  /** V8's registration data disagree with ours (birth date, name…): fix the lead, run again. */
  | 'needs_data'
  /** The worker blocked margin queries (government app): only the worker can lift it. */
  | 'blocked_by_worker'
  /** Still being analysed: ask again later, never a final answer. */
  | 'analysis_pending'
  /** V8 failed to reach the payroll source: technical, a later run may work. */
  | 'failed';

export interface ConsultRefusal {
  readonly kind: ConsultRefusalKind;
  /** For needs_data: the lead field V8 disagrees with (birthDate, name, gender, registration). */
  readonly field?: 'birthDate' | 'name' | 'gender' | 'registration';
}

const NEEDS_DATA: readonly [RegExp, NonNullable<ConsultRefusal['field']>][] = [
  [/nascimento/i, 'birthDate'],
  [/\bnome\b/i, 'name'],
  [/\bsexo\b|g[êe]nero/i, 'gender'],
  [/dados cadastrais|n[ãa]o confere|diverg[êe]n|inconsist[êe]n/i, 'registration'],
];
const BLOCKED_BY_WORKER = /bloque(ad[oa]|io).*trabalhador|trabalhador.*bloque|bloqueou/i;

/**
 * Reads V8's final consult status and its description (pt-BR, free text: the sources quote
 * "Data de nascimento não confere", "consulta de margem bloqueada pelo trabalhador", "ainda em
 * análise"). SUCCESS is not a refusal and gives undefined.
 */
export function classifyConsultRefusal(
  status: string,
  description: string | null | undefined,
): ConsultRefusal | undefined {
  const s = status.toUpperCase();
  if (s === 'SUCCESS') return undefined;
  const text = description ?? '';
  if (ANALYSIS_PENDING_TEXT.test(text)) return { kind: 'analysis_pending' };
  if (s !== 'REJECTED') return { kind: 'failed' };
  if (BLOCKED_BY_WORKER.test(text)) return { kind: 'blocked_by_worker' };
  for (const [re, field] of NEEDS_DATA) if (re.test(text)) return { kind: 'needs_data', field };
  return { kind: 'no_margin' };
}
