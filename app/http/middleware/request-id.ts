import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runWithRequestId } from '../../logging/request-context.ts';

const ACCEPTABLE = /^[A-Za-z0-9._-]{1,64}$/;

/** Reuses a caller's X-Request-Id when it is sane, so a request can be followed across services. */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && ACCEPTABLE.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    runWithRequestId(id, () => next());
  };
}
