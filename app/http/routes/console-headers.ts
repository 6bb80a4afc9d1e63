import type { RequestHandler } from 'express';

/**
 * The console's own Content-Security-Policy, stricter than helmet's default (which allows inline
 * styles and same-origin framing): only this origin's files, no inline script or style, never
 * framed, forms only to itself. No upgrade-insecure-requests: many clients open the console over
 * plain http://host:PORT, where upgrading the page's own assets would break it.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export function consoleHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('X-Frame-Options', 'DENY');
    // Nothing of the console (masked values, CSRF tokens) belongs in a shared or disk cache.
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
