import { randomBytes } from 'node:crypto';
import { doubleCsrf } from 'csrf-csrf';
import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '../../domain/app-error.ts';
import { consoleCookieOptions, sessionOf } from './session.ts';

export const CSRF_HEADER = 'x-csrf-token';

export interface ConsoleCsrf {
  /** The token the page must send back in the X-CSRF-Token header; sets (or reuses) its cookie. */
  token(req: Request, res: Response, opts?: { readonly fresh?: boolean }): string;
  /** Rejects (403) a state-changing request without a valid token; GET/HEAD/OPTIONS pass. */
  readonly protect: RequestHandler;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Double-submit CSRF protection (csrf-csrf): an HMAC token in an HttpOnly cookie that the page
 * must also send in a header. The token is bound to the console session id, so a cookie planted by
 * a neighbour host cannot be replayed against a signed-in session; before sign-in (the login form)
 * it is bound to the anonymous identity "". A signed-in session's HMAC secret is stored with the
 * session (its tokens survive a restart); the anonymous one lives in memory.
 */
export function consoleCsrf(port: number, secret: string = randomBytes(32).toString('hex')): ConsoleCsrf {
  const make = (secure: boolean) =>
    doubleCsrf({
      getSecret: (req) => (req ? sessionOf(req)?.csrfSecret : undefined) ?? secret,
      getSessionIdentifier: (req) => sessionOf(req)?.id ?? '',
      // Per port, like the session cookie: clients on one host must not overwrite each other's.
      cookieName: secure ? `__Host-cltv8-${port}-csrf` : `cltv8-${port}-csrf`,
      cookieOptions: { httpOnly: true, sameSite: 'strict', path: '/', secure },
      getCsrfTokenFromRequest: (req) => req.get(CSRF_HEADER),
    });
  const https = make(true);
  const http = make(false);
  const pick = (req: Request) => (req.secure ? https : http);

  return {
    token: (req, res, opts = {}) =>
      pick(req).generateCsrfToken(req, res, {
        overwrite: opts.fresh === true,
        cookieOptions: consoleCookieOptions(req),
      }),
    protect: (req, _res, next) => {
      if (SAFE_METHODS.has(req.method) || pick(req).validateRequest(req)) {
        next();
        return;
      }
      next(
        new AppError('forbidden', 'token CSRF ausente ou inválido: recarregue a página e tente de novo', {
          status: 403,
        }),
      );
    },
  };
}
