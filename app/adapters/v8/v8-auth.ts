import { AppError } from '../../domain/app-error.ts';
import { classifyV8Failure, v8AppError } from '../../domain/v8-error-classification.ts';
import { missingV8Keys, type V8Credentials } from './v8-credentials.ts';
import { tokenSchema } from './v8-schemas.ts';
import type { FetchToken } from './v8-token-cache.ts';
import type { V8Transport } from './v8-transport.ts';

/** V8's documented lifetime, used when the answer does not say. */
const DEFAULT_EXPIRES_IN_S = 86_400;

export function notConfiguredError(missing: readonly string[]): AppError {
  return new AppError(
    'not_configured',
    `V8 is not configured for this client: fill in ${missing.join(', ')} in this client's config file ` +
      '(or in the /config-v8 console) and try again',
  );
}

/**
 * OAuth2 password grant against V8's Auth0 tenant, form-urlencoded. Not repeated on failure: the
 * caller's request fails and the next one asks again.
 */
export function passwordGrant(transport: V8Transport): FetchToken {
  return async (c: V8Credentials) => {
    const missing = missingV8Keys(c);
    if (missing.length > 0) throw notConfiguredError(missing);
    const res = await transport.send({
      method: 'POST',
      url: c.authUrl,
      action: 'authenticate',
      form: {
        grant_type: 'password',
        username: c.username as string,
        password: c.password as string,
        audience: c.audience,
        scope: c.scope,
        client_id: c.clientId as string,
      },
    });
    if (res.status < 200 || res.status >= 300) {
      throw v8AppError(
        'authenticate',
        classifyV8Failure({ kind: 'http', status: res.status, body: res.body, endpoint: 'auth' }),
      );
    }
    const parsed = tokenSchema.safeParse(res.body);
    if (!parsed.success) {
      throw new AppError('upstream_error', 'V8 token endpoint answered without an access_token');
    }
    return {
      accessToken: parsed.data.access_token,
      expiresInS: parsed.data.expires_in ?? DEFAULT_EXPIRES_IN_S,
    };
  };
}
