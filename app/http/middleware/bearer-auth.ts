import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../../domain/app-error.ts';
import { API_TOKEN_LABEL_LOCAL } from '../evidence-context.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Requires `Authorization: Bearer <API_TOKEN>` of this client; compares in constant time. */
export function bearerAuth(apiToken: () => string): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      next(
        new AppError('unauthorized', 'missing API token (send the header Authorization: Bearer <API_TOKEN>)'),
      );
      return;
    }
    if (!timingSafeEqual(digest(match[1]), digest(apiToken()))) {
      next(new AppError('unauthorized', 'invalid API token'));
      return;
    }
    // Consent evidence names the token that acted; this client has one token, named after its key.
    res.locals[API_TOKEN_LABEL_LOCAL] = 'API_TOKEN';
    next();
  };
}
