import type { RequestHandler } from 'express';
import type { Logger } from '../../logging/logger.ts';

export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        method: req.method,
        // The path can carry a webhook secret or a CPF: the logger masks both.
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
        requestId: res.locals.requestId,
      };
      if (res.statusCode >= 500) logger.error('request failed', line);
      else logger.info('request', line);
    });
    next();
  };
}
