import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../domain/app-error.ts';
import { consoleSignInAllowed } from '../../domain/console-transport.ts';
import { checkConsolePassword } from '../../use-cases/console/console-login.ts';
import { endSession, requireSession, sessionOf, startSession } from '../middleware/session.ts';
import { attemptLimit } from '../middleware/session-login-limit.ts';
import { parseInput } from '../validation.ts';
import { consoleApiRoutes } from './console-api.ts';
import type { ConsoleContext } from './console-context.ts';
import { consoleDashboardRoutes } from './console-dashboard.ts';
import { consoleEvidenceRoutes } from './console-evidence.ts';
import { consoleHeaders } from './console-headers.ts';
import { consoleOutboxRoutes } from './console-outbox.ts';

/** app/web next to app/http (and dist/app/web next to dist/app/http in the image). */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

export const LOGIN_LIMIT = 5;
export const LOGIN_WINDOW_MS = 15 * 60_000;

const loginInput = z.strictObject({
  password: z.string({ error: 'informe a senha' }).min(1, 'informe a senha').max(256, 'senha longa demais'),
});

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/**
 * /config-v8: the page (static, no inline script), its assets, the sign-in and the console API.
 * The page learns its client and port from the server-rendered HTML; everything else comes from
 * the API after sign-in, masked.
 */
export function consoleRoutes(ctx: ConsoleContext): Router {
  const router = Router();
  router.use(consoleHeaders());
  router.use(...ctx.identify);

  let page: string | undefined;
  router.get('/', (_req, res) => {
    page ??= readFileSync(`${WEB_DIR}config-v8.html`, 'utf8')
      .replaceAll('{{CLIENT_NAME}}', escapeHtml(ctx.deps.config.clientName))
      .replaceAll('{{PORT}}', String(ctx.port));
    res.type('html').send(page);
  });
  router.use(
    '/assets',
    express.static(`${WEB_DIR}assets`, { index: false, redirect: false, dotfiles: 'deny', etag: true }),
  );

  router.get('/api/session', (req, res) => {
    const session = sessionOf(req);
    res.json({
      authenticated: session !== undefined,
      client: ctx.deps.config.clientName,
      port: ctx.port,
      idleTimeoutS: Math.round(ctx.sessions.idleMs / 1000),
      csrfToken: ctx.csrf.token(req, res),
    });
  });

  const loginLimit = attemptLimit({
    limit: LOGIN_LIMIT,
    windowMs: LOGIN_WINDOW_MS,
    logger: ctx.deps.logger,
    message: 'muitas tentativas de entrada: aguarde {min} min e tente de novo',
  });
  const globalLoginLimit = attemptLimit({
    limit: ctx.deps.config.admin.loginGlobalLimit,
    windowMs: LOGIN_WINDOW_MS,
    scope: 'all',
    logger: ctx.deps.logger,
    message: 'muitas tentativas de entrada com senha errada neste console: entrada suspensa por {min} min',
  });
  router.post(
    '/login',
    loginLimit,
    globalLoginLimit,
    ctx.csrf.protect,
    express.json({ limit: '4kb' }),
    (req, res) => {
      const { password } = parseInput(loginInput, req.body ?? {});
      // Checked before the password: over clear text it must not even be compared.
      const transportOk = consoleSignInAllowed({
        secure: req.secure,
        remoteAddress: req.socket.remoteAddress,
        allowInsecureHttp: ctx.deps.config.admin.allowInsecureHttp,
      });
      if (!transportOk) {
        ctx.deps.logger.warn('console: sign-in over plain HTTP refused', { ip: req.ip });
        throw new AppError(
          'forbidden',
          'entrada no console só por HTTPS (frente TLS: make tls-up) ou a partir do próprio servidor; para aceitar HTTP, CONSOLE_ALLOW_INSECURE_HTTP=true',
        );
      }
      const check = checkConsolePassword(ctx.deps.config.admin.passwordHash, password);
      if (check === 'disabled') {
        throw new AppError(
          'not_configured',
          `console desativado: defina a senha com make set-admin-password PORT=${ctx.port}`,
        );
      }
      if (check === 'wrong') throw new AppError('unauthorized', 'senha incorreta');
      startSession(ctx.sessions, ctx.port, req, res);
      ctx.deps.logger.info('console: signed in', { ip: req.ip });
      // A new token bound to the new session: the one of the sign-in form is no longer valid.
      res.json({ ok: true, csrfToken: ctx.csrf.token(req, res, { fresh: true }) });
    },
  );

  router.post('/logout', requireSession(), ctx.csrf.protect, (req, res) => {
    endSession(ctx.sessions, ctx.port, req, res);
    res.json({ ok: true });
  });

  router.use(consoleEvidenceRoutes(ctx));
  router.use('/api', consoleDashboardRoutes(ctx));
  router.use('/api', consoleOutboxRoutes(ctx));
  router.use('/api', consoleApiRoutes(ctx));
  return router;
}
