import { createHash, timingSafeEqual } from 'node:crypto';
import { type RequestHandler, Router } from 'express';
import type { Metrics } from '../../adapters/metrics/metrics.ts';
import { AppError } from '../../domain/app-error.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** `GET /metrics` (Prometheus text format), for METRICS_TOKEN or API_TOKEN; compared in constant time. */
export function metricsRoutes(metrics: Metrics, tokens: () => readonly (string | undefined)[]): Router {
  const router = Router();
  const auth: RequestHandler = (req, _res, next) => {
    const given = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (!given) {
      next(
        new AppError(
          'unauthorized',
          'missing token (send Authorization: Bearer <METRICS_TOKEN or API_TOKEN>)',
        ),
      );
      return;
    }
    const ok = tokens().some((t) => t !== undefined && timingSafeEqual(digest(given), digest(t)));
    next(ok ? undefined : new AppError('unauthorized', 'invalid metrics token'));
  };
  router.get('/metrics', auth, async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.text());
  });
  return router;
}

/** Times every request; the route label is the matched template (never a raw path with ids or CPFs). */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      metrics.observeHttp(req.method, route, res.statusCode, (performance.now() - started) / 1000);
    });
    next();
  };
}
