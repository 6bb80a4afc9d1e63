import express, { Router } from 'express';
import { isOverridableKey } from '../../config/overrides.ts';
import { AppError } from '../../domain/app-error.ts';
import { revertV8Credentials, saveV8Credentials } from '../../use-cases/console/save-v8-credentials.ts';
import { testV8Credentials } from '../../use-cases/console/test-v8-credentials.ts';
import { submittedValues, v8CredentialsInput } from '../../use-cases/console/v8-credentials-input.ts';
import { requireSession } from '../middleware/session.ts';
import { attemptLimit } from '../middleware/session-login-limit.ts';
import { parseInput } from '../validation.ts';
import { configApiRoutes } from './config-api.ts';
import type { ConsoleContext } from './console-context.ts';

export const CONSOLE_BODY_LIMIT = '16kb';

/** /config-v8/api/*: signed-in session first (401), then CSRF on state changes (403), then the body. */
export function consoleApiRoutes(ctx: ConsoleContext): Router {
  const router = Router();
  router.use(requireSession());
  router.use(ctx.csrf.protect);
  router.use(express.json({ limit: CONSOLE_BODY_LIMIT }));

  router.use(configApiRoutes(ctx.effective));

  // Each test is a login at V8: a runaway page must not hammer V8 with them. A test refused
  // before it reaches V8 (a 400: bad field, URL not allowed) costs V8 nothing and is not counted.
  const testLimit = attemptLimit({
    limit: 20,
    windowMs: 5 * 60_000,
    countSuccessful: true,
    skipRefused: true,
    logger: ctx.deps.logger,
    message: 'muitos testes de conexão seguidos: aguarde {min} min e tente de novo',
  });
  router.post('/test', testLimit, async (req, res) => {
    const input = parseInput(v8CredentialsInput, req.body ?? {});
    res.json(
      await testV8Credentials(
        {
          effective: ctx.effective,
          probe: ctx.probe,
          resolveHost: ctx.resolveHost,
          logger: ctx.deps.logger,
        },
        submittedValues(input),
      ),
    );
  });

  router.post('/credentials', async (req, res) => {
    const input = parseInput(v8CredentialsInput, req.body ?? {});
    const result = await saveV8Credentials(ctx.credentials, submittedValues(input));
    res.json({
      ok: true,
      message: 'configuração salva e aplicada',
      saved: result.changed,
      config: result.config,
    });
  });

  router.delete('/credentials', async (_req, res) => {
    const result = await revertV8Credentials(ctx.credentials);
    res.json({
      ok: true,
      message: 'valores do arquivo restaurados',
      reverted: result.changed,
      config: result.config,
    });
  });

  router.delete('/credentials/:key', async (req, res) => {
    const key = String(req.params.key);
    if (!isOverridableKey(key)) {
      throw AppError.invalid([{ field: 'key', reason: 'não é uma chave alterável pelo console' }]);
    }
    const result = await revertV8Credentials(ctx.credentials, [key]);
    res.json({
      ok: true,
      message: 'valor do arquivo restaurado',
      reverted: result.changed,
      config: result.config,
    });
  });
  return router;
}
