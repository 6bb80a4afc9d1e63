import type { RequestHandler } from 'express';
import type { V8Access } from '../../adapters/v8/create-v8.ts';
import { notConfiguredError } from '../../adapters/v8/v8-auth.ts';
import { missingV8Keys } from '../../adapters/v8/v8-credentials.ts';
import { AppError } from '../../domain/app-error.ts';
import type { AppDeps } from '../app-deps.ts';

/** The V8 stack of this client, or 503 not_configured when the launcher did not wire one. */
export function v8Access(deps: AppDeps): V8Access {
  if (!deps.v8) throw new AppError('not_configured', 'V8 is not available in this build of the service');
  return deps.v8;
}

/** Put before every V8 route: without credentials nothing is validated or sent, the answer is 503. */
export function requireV8(deps: AppDeps): RequestHandler {
  return (_req, _res, next) => {
    const v8 = v8Access(deps);
    const missing = missingV8Keys(v8.credentials());
    if (missing.length > 0) throw notConfiguredError(missing);
    next();
  };
}
