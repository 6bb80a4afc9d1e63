import type { Response } from 'express';
import type { Clock } from '../../../adapters/clock.ts';
import { AppError, type ErrorCode, type FieldIssue } from '../../../domain/app-error.ts';

/**
 * The old service's envelope: `{success, message, ...route keys}` (docs/LEGACY-CONTRACT.md). Errors
 * go through the app's error handler in its `legacy` shape; `oldError` carries an old route's own
 * status, `message` and `erro` texts.
 */

export function ok(res: Response, message: string, body: Record<string, unknown>, status = 200): void {
  res.status(status).json({ success: true, message, ...body });
}

/** An answer of the old fluxo routes, which carry `origem` and `timestamp`. */
export function fluxoAnswer(
  res: Response,
  status: number,
  clock: Clock,
  body: Record<string, unknown>,
): void {
  res.status(status).json({ ...body, origem: 'V8', timestamp: new Date(clock.now()).toISOString() });
}

/** An error with the old route's status and texts (`message`, and `erro` when it had a second one). */
export function oldError(
  code: ErrorCode,
  message: string,
  o: {
    readonly status?: number;
    readonly erro?: string | undefined;
    readonly fields?: readonly FieldIssue[];
    readonly cause?: unknown;
    /** The route's own `resultado` for this failure (else null), e.g. which outbox row to check. */
    readonly resultado?: Readonly<Record<string, unknown>>;
  } = {},
): AppError {
  return new AppError(code, message, {
    ...(o.status !== undefined ? { status: o.status } : {}),
    detail: {
      legacyMessage: message,
      ...(o.erro !== undefined ? { legacyErro: o.erro } : {}),
      ...(o.resultado !== undefined ? { legacyResultado: o.resultado } : {}),
    },
    ...(o.fields ? { fields: o.fields } : {}),
    ...(o.cause !== undefined ? { cause: o.cause } : {}),
  });
}
