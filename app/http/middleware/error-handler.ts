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

/** Marks the request as one no route matched (the old routes' 404 body names the path). */
export function notFound(): RequestHandler {
  return (req, res, next) => {
    res.locals.noRoute = true;
    next(new AppError('not_found', `no route for ${req.method} ${req.path}`));
  };
}

/**
 * Body shape of error answers: `api` ({error:{code,message,...}}) everywhere but the old service's
 * routes, which set `legacy` (res.locals.errorShape) and answer in the old envelope.
 */
export type ErrorShape = 'api' | 'legacy';

/** Marks the requests of the old service's routes: their errors use the old envelope. */
export function legacyErrorShape(): RequestHandler {
  return (_req, res, next) => {
    res.locals.errorShape = 'legacy' satisfies ErrorShape;
    next();
  };
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

const BEARER_PT = 'Token de acesso ausente ou inválido (Authorization: Bearer <API_TOKEN>)';
const PT_MESSAGE: Partial<Record<string, string>> = {
  not_found: 'Não encontrado',
  payload_too_large: 'Corpo da requisição grande demais',
  internal: 'Algo deu errado',
};

/** The old service's short `error` text per kind of failure (its own words where it had them). */
function legacyTitle(e: AppError, noRoute: boolean, message: string): string {
  if (noRoute) return 'Rota não encontrada';
  if (e.code === 'invalid_data') {
    const first = e.fields?.[0];
    if (first?.field === 'body' && first.reason === 'is not valid JSON') return 'JSON inválido';
    return first?.field === 'cpf' ? 'CPF inválido' : 'Dados inválidos';
  }
  if (e.code === 'unauthorized') return 'Token inválido ou expirado';
  if (e.code === 'internal') return 'Erro interno do servidor';
  return message;
}

/**
 * The old envelope: the old keys (`success`, `message`, `erro`, `error` as text, `resultado`,
 * `path` for an unknown route) plus `code`, `campo`/`motivo` and `fields` for new callers.
 * `detail.legacyMessage`/`detail.legacyErro` (set by the old routes): the old route's own texts.
 */
export function legacyErrorBody(
  e: AppError,
  o: { readonly noRoute: boolean; readonly path: string; readonly requestId: unknown },
  redactor: Redactor,
): Record<string, unknown> {
  const first = e.fields?.[0];
  const malformed = first?.field === 'body' && first.reason === 'is not valid JSON';
  const detail = e.detail as
    | { legacyErro?: unknown; legacyMessage?: unknown; legacyResultado?: unknown }
    | undefined;
  const message = redactor.text(
    typeof detail?.legacyMessage === 'string'
      ? detail.legacyMessage
      : malformed
        ? 'O JSON enviado está malformado'
        : e.code === 'invalid_data' && e.fields
          ? `Dados inválidos: ${e.fields.map((f) => `${f.field} ${f.reason}`).join('; ')}`
          : o.noRoute
            ? 'Rota não encontrada'
            : e.code === 'unauthorized' && /API token/.test(e.message)
              ? BEARER_PT
              : e.code === 'internal'
                ? (PT_MESSAGE.internal as string)
                : e.code === 'not_found'
                  ? e.message
                  : (PT_MESSAGE[e.code] ?? e.message),
  );
  const erro = typeof detail?.legacyErro === 'string' ? redactor.text(detail.legacyErro) : message;
  return {
    success: false,
    message,
    erro,
    error: legacyTitle(e, o.noRoute, message),
    code: e.code,
    ...(first ? { campo: first.field, motivo: first.reason } : {}),
    ...(e.fields ? { fields: e.fields } : {}),
    ...(o.noRoute ? { path: redactor.text(o.path) } : {}),
    // An old route's own result object (built by us, as on its 200), e.g. the parked WhatsApp row.
    resultado:
      detail?.legacyResultado !== null && typeof detail?.legacyResultado === 'object'
        ? detail.legacyResultado
        : null,
    requestId: o.requestId,
  };
}

function apiErrorBody(e: AppError, requestId: string | undefined, redactor: Redactor): ErrorBody {
  return {
    error: {
      code: e.code,
      // Messages are built from our own text and upstream details; the redactor is the last guard.
      message: redactor.text(e.message),
      ...(e.fields ? { fields: e.fields } : {}),
      ...(e.detail !== undefined ? { detail: redactor.value(e.detail) } : {}),
    },
    requestId,
  };
}

/** The one error handler of the app; the body shape follows res.locals.errorShape. */
export function errorHandler(logger: Logger, redactor: Redactor): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appErr = toAppError(err);
    if (appErr.status >= 500)
      logger.error('request error', { code: appErr.code, err: appErr.cause ?? appErr });
    else logger.warn('request rejected', { code: appErr.code, reason: appErr.message });
    if (res.headersSent) return;
    if (appErr.retryAfterS !== undefined) res.setHeader('Retry-After', String(appErr.retryAfterS));
    const shape: ErrorShape = res.locals.errorShape === 'legacy' ? 'legacy' : 'api';
    res.status(appErr.status).json(
      shape === 'legacy'
        ? legacyErrorBody(
            appErr,
            {
              noRoute: res.locals.noRoute === true,
              path: req.originalUrl,
              requestId: res.locals.requestId,
            },
            redactor,
          )
        : apiErrorBody(appErr, res.locals.requestId, redactor),
    );
  };
}
