import express, { type ErrorRequestHandler, Router } from 'express';
import { z } from 'zod';
import type { OverridableKey, OverrideValues } from '../../config/overrides.ts';
import { AppError } from '../../domain/app-error.ts';
import { type ConfigView, describeConfig } from '../../use-cases/console/describe-config.ts';
import { saveV8Credentials } from '../../use-cases/console/save-v8-credentials.ts';
import { testV8Credentials } from '../../use-cases/console/test-v8-credentials.ts';
import { toAppError } from '../middleware/error-handler.ts';
import { requireSession } from '../middleware/session.ts';
import { parseInput } from '../validation.ts';
import { CONSOLE_BODY_LIMIT } from './console-api.ts';
import type { ConsoleContext } from './console-context.ts';
import { consoleHeaders } from './console-headers.ts';

/**
 * The JSON routes of the old PM2 service's config page, kept for whatever still calls them, behind
 * the same sign-in (session + CSRF) as the new console. Old envelope: {success, message,
 * resultado}; GET /atual also keeps the old page's `port` and `config: {username, password}`
 * (password "***" when set, "" when not: the old page only tested it for truthiness).
 */

// Old field names first, the config key names too; the new name wins when both are sent.
const LEGACY_FIELDS: readonly (readonly [string, OverridableKey])[] = [
  ['username', 'V8_USERNAME'],
  ['password', 'V8_PASSWORD'],
  ['client_id', 'V8_CLIENT_ID'],
  ['audience', 'V8_AUDIENCE'],
  ['provider', 'V8_PROVIDER'],
  ['auth_url', 'V8_AUTH_URL'],
  ['base_url', 'V8_BASE_URL'],
];

const text = z
  .string({ error: 'deve ser um texto' })
  .max(1000, 'deve ter no máximo 1000 caracteres')
  .optional();
const legacyInput = z.object(
  Object.fromEntries(
    LEGACY_FIELDS.flatMap(([old, key]) => [
      [old, text],
      [key, text],
    ]),
  ) as Record<string, typeof text>,
);

export function legacyToOverrides(body: Record<string, string | undefined>): OverrideValues {
  const out: Partial<Record<OverridableKey, string>> = {};
  for (const [old, key] of LEGACY_FIELDS) {
    const v = [body[key], body[old]].find((x) => typeof x === 'string' && x.trim() !== '');
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function shownValue(view: ConfigView, key: string): unknown {
  return view.keys.find((k) => k.key === key)?.value ?? null;
}

function sourceOf(view: ConfigView, key: string): string {
  return view.keys.find((k) => k.key === key)?.source ?? 'default';
}

/** The masked V8 part of the configuration, with the old field names. */
function legacyResult(view: ConfigView): Record<string, unknown> {
  const resultado: Record<string, unknown> = { port: view.port, client: view.client };
  for (const [old, key] of LEGACY_FIELDS) resultado[old] = shownValue(view, key);
  resultado.sources = Object.fromEntries(LEGACY_FIELDS.map(([old, key]) => [old, sourceOf(view, key)]));
  return resultado;
}

export function legacyConfigRoutes(ctx: ConsoleContext): Router {
  const router = Router();
  router.use(consoleHeaders());
  router.use(...ctx.identify);
  router.use(requireSession());
  router.use(ctx.csrf.protect);
  router.use(express.json({ limit: CONSOLE_BODY_LIMIT }));

  const view = () =>
    describeConfig(ctx.effective.current(), {
      location: ctx.effective.location,
      updatedAt: ctx.effective.updatedAt(),
    });

  router.get('/atual', (_req, res) => {
    const v = view();
    res.json({
      success: true,
      message: 'configuração atual',
      port: v.port,
      config: {
        username: shownValue(v, 'V8_USERNAME'),
        password: shownValue(v, 'V8_PASSWORD') === 'definido' ? '***' : '',
      },
      resultado: legacyResult(v),
    });
  });

  router.post('/salvar', async (req, res) => {
    const body = parseInput(legacyInput, req.body ?? {});
    const result = await saveV8Credentials(ctx.credentials, legacyToOverrides(body));
    res.json({
      success: true,
      message: 'configuração salva com sucesso',
      resultado: { ...legacyResult(result.config), saved: result.changed },
    });
  });

  router.post('/testar', async (req, res) => {
    const body = parseInput(legacyInput, req.body ?? {});
    const outcome = await testV8Credentials(
      {
        effective: ctx.effective,
        probe: ctx.probe,
        resolveHost: ctx.resolveHost,
        logger: ctx.deps.logger,
      },
      legacyToOverrides(body),
    );
    res.json(
      outcome.ok
        ? {
            success: true,
            message: outcome.message,
            resultado: { username: outcome.username, expires_in: outcome.expiresIn },
          }
        : {
            success: false,
            message: outcome.message,
            resultado: { code: outcome.code, v8_message: outcome.v8Message },
          },
    );
  });

  router.use((req, _res, next) =>
    next(new AppError('not_found', `no route for ${req.method} ${req.originalUrl}`)),
  );
  router.use(legacyErrors(ctx));
  return router;
}

/** Errors in the old envelope, same statuses and codes as the rest of the service. */
function legacyErrors(ctx: ConsoleContext): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const appErr = toAppError(err);
    if (appErr.status >= 500)
      ctx.deps.logger.error('request error', { code: appErr.code, err: appErr.cause ?? appErr });
    else ctx.deps.logger.warn('request rejected', { code: appErr.code, reason: appErr.message });
    if (res.headersSent) return;
    if (appErr.retryAfterS !== undefined) res.setHeader('Retry-After', String(appErr.retryAfterS));
    res.status(appErr.status).json({
      success: false,
      message: ctx.deps.redactor.text(appErr.message),
      resultado: null,
      error: {
        code: appErr.code,
        ...(appErr.fields ? { fields: appErr.fields } : {}),
      },
      requestId: res.locals.requestId,
    });
  };
}
