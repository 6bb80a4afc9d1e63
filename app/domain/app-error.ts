/** Stable, documented error codes: clients switch on `code`, never on `message`. The OpenAPI document lists exactly these. */
export const ERROR_CODES = [
  'invalid_data',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'already_exists',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'rejected',
  'analysis_pending',
  'auth_failed',
  'not_configured',
  'upstream_unavailable',
  'upstream_error',
  'timeout',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldIssue {
  readonly field: string;
  readonly reason: string;
}

const DEFAULT_STATUS: Record<ErrorCode, number> = {
  invalid_data: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  already_exists: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  rejected: 422,
  analysis_pending: 409,
  auth_failed: 502,
  not_configured: 503,
  upstream_unavailable: 503,
  upstream_error: 502,
  timeout: 504,
  internal: 500,
};

export interface AppErrorOptions {
  readonly status?: number;
  readonly fields?: readonly FieldIssue[];
  /** Upstream's own explanation (already free of secrets), passed through to the caller. */
  readonly detail?: unknown;
  readonly retryAfterS?: number;
  readonly cause?: unknown;
}

/** The one error type of the service. Messages carry values that help, never credentials. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: readonly FieldIssue[] | undefined;
  readonly detail: unknown;
  readonly retryAfterS: number | undefined;

  constructor(code: ErrorCode, message: string, opts: AppErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = opts.status ?? DEFAULT_STATUS[code];
    this.fields = opts.fields;
    this.detail = opts.detail;
    this.retryAfterS = opts.retryAfterS;
  }

  static invalid(fields: readonly FieldIssue[]): AppError {
    const summary = fields.map((f) => `${f.field}: ${f.reason}`).join('; ');
    return new AppError('invalid_data', `invalid request: ${summary}`, { fields });
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
