import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, isAppError } from '../../domain/app-error.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Redactor } from '../../logging/redact.ts';

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    fields?: readonly { field: string; reason: string }[];
    detail?: unknown;
  };
  requestId?: string;
}

export function notFound(): RequestHandler {
  return (req, _res, next) => next(new AppError('not_found', `no route for ${req.method} ${req.path}`));
}

/** Turns any error into {error:{code,message,fields?}}; body-parser errors become 400/413/415. */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const e = err as { type?: string; status?: number; expose?: boolean; message?: string };
  if (e?.type === 'entity.too.large') return new AppError('payload_too_large', 'request body is too large');
  if (e?.type === 'entity.parse.failed') {
    return AppError.invalid([{ field: 'body', reason: 'is not valid JSON' }]);
  }
  // The router could not percent-decode a path parameter ("%", "%ff"): the caller's URL is wrong.
  if (err instanceof URIError) {
    return AppError.invalid([{ field: 'path', reason: 'is not valid percent-encoding (UTF-8)' }]);
  }
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new AppError('unsupported_media_type', 'unsupported body encoding');
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose) {
    return new AppError('invalid_data', e.message ?? 'bad request', { status: e.status });
  }
  return new AppError('internal', 'internal error', { cause: err });
}

export function errorHandler(logger: Logger, redactor: Redactor): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const appErr = toAppError(err);
    if (appErr.status >= 500)
      logger.error('request error', { code: appErr.code, err: appErr.cause ?? appErr });
    else logger.warn('request rejected', { code: appErr.code, reason: appErr.message });
    if (res.headersSent) return;
    if (appErr.retryAfterS !== undefined) res.setHeader('Retry-After', String(appErr.retryAfterS));
    const body: ErrorBody = {
      error: {
        code: appErr.code,
        // Messages are built from our own text and upstream details; the redactor is the last guard.
        message: redactor.text(appErr.message),
        ...(appErr.fields ? { fields: appErr.fields } : {}),
        ...(appErr.detail !== undefined ? { detail: redactor.value(appErr.detail) } : {}),
      },
      requestId: res.locals.requestId,
    };
    res.status(appErr.status).json(body);
  };
}
