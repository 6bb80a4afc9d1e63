import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { AppError } from '../../domain/app-error.ts';
import type { Logger } from '../../logging/logger.ts';

export interface AttemptLimitOptions {
  /** Failed attempts allowed per window and client address. */
  readonly limit: number;
  readonly windowMs: number;
  readonly logger: Logger;
  /** pt-BR text of the 429, with {min} replaced by the minutes to wait. */
  readonly message: string;
  /** Successful attempts (status < 400) do not count. */
  readonly countSuccessful?: boolean;
  /** Requests answered with an error status (e.g. a 400 refused before reaching V8) do not count. */
  readonly skipRefused?: boolean;
}

/**
 * Per-IP attempt limit (express-rate-limit, memory store: one process per client). The address is
 * express's req.ip, so behind a proxy it is only right with TRUST_PROXY=true (one trusted hop).
 */
export function attemptLimit(o: AttemptLimitOptions): RequestHandler {
  return rateLimit({
    windowMs: o.windowMs,
    limit: o.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: o.countSuccessful !== true,
    skipFailedRequests: o.skipRefused === true,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    // Its own configuration checks go to our logger instead of the console.
    logger: {
      warn: (err, message) => o.logger.warn(message ?? 'rate limiter warning', { err }),
      error: (err, message) => o.logger.error(message ?? 'rate limiter error', { err }),
    },
    handler: (req, _res, next) => {
      // The store counts in wall-clock time, so the wait is measured the same way.
      const resetAt = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const waitMs = resetAt ? resetAt.getTime() - Date.now() : o.windowMs;
      const waitS = Math.max(1, Math.ceil(waitMs / 1000));
      next(
        new AppError('rate_limited', o.message.replace('{min}', String(Math.ceil(waitS / 60))), {
          retryAfterS: waitS,
        }),
      );
    },
  });
}
