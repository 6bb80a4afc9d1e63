import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../../domain/app-error.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Requires `Authorization: Bearer <API_TOKEN>` of this client; compares in constant time. */
export function bearerAuth(apiToken: () => string): RequestHandler {
  return (req, _res, next) => {
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
    next();
  };
}
