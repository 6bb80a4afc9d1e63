import { missingV8Keys, type V8Credentials } from '../../adapters/v8/v8-credentials.ts';
import type { HostResolver } from '../../adapters/v8/v8-host-guard.ts';
import type { FetchToken } from '../../adapters/v8/v8-token-cache.ts';
import type { EffectiveConfig } from '../../config/effective-config.ts';
import { ConfigError } from '../../config/load-config.ts';
import { maskUsername } from '../../config/mask.ts';
import type { OverrideValues } from '../../config/overrides.ts';
import { AppError, isAppError } from '../../domain/app-error.ts';
import type { V8ErrorDetail } from '../../domain/v8-error-classification.ts';
import type { Logger } from '../../logging/logger.ts';
import { Redactor } from '../../logging/redact.ts';
import { checkV8UrlChange } from './v8-url-change.ts';

export interface TestDeps {
  readonly effective: EffectiveConfig;
  /** Password grant against V8 (the same code path as the token cache), with its own timeout. */
  readonly probe: FetchToken;
  /** Checks where a changed V8 URL points before anything is sent there. */
  readonly resolveHost: HostResolver;
  readonly logger: Logger;
}

export type TestOutcome =
  | {
      readonly ok: true;
      readonly message: string;
      readonly username: string | null;
      /** Lifetime of the token V8 issued (seconds); the token itself is thrown away. */
      readonly expiresIn: number;
    }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      /** V8's own words (e.g. "Wrong email or password."), when it gave any. */
      readonly v8Message: string | null;
    };

const WHY: Record<string, string> = {
  auth_failed: 'a V8 recusou as credenciais',
  rate_limited: 'a V8 está limitando as requisições, tente mais tarde',
  invalid_data: 'a V8 recusou o pedido de autenticação',
};

/**
 * No answer, a refused connection, a 5xx, an answer too large or not a token: all one outcome, so
 * "Testar conexão" tells nothing about what listens where (it is not a port scanner).
 */
const UNREACHABLE = 'não foi possível obter um token da V8 (sem resposta válida)';

/** Longest V8 explanation shown; it is one short sentence from Auth0. */
const MAX_V8_WORDS = 200;

/**
 * Auth0's own explanation fields only (error_description, error of a JSON answer), never the
 * body itself: a test must not turn into a way of reading what some endpoint answers.
 */
function v8Words(detail: unknown): string | undefined {
  if (!detail || typeof detail !== 'object') return undefined;
  const d = detail as V8ErrorDetail;
  const words = d.errorDescription ?? d.error;
  return words === undefined ? undefined : words.slice(0, MAX_V8_WORDS);
}

/**
 * "Testar conexão": logs in to V8 with the submitted values (an omitted field, e.g. the password,
 * means "the current one") and saves nothing. The token obtained is discarded.
 */
export async function testV8Credentials(deps: TestDeps, submitted: OverrideValues): Promise<TestOutcome> {
  await checkV8UrlChange(deps, submitted);
  let creds: V8Credentials;
  try {
    creds = deps.effective.preview({ ...deps.effective.overrides(), ...submitted }).v8;
  } catch (err) {
    if (err instanceof ConfigError) {
      throw AppError.invalid(err.issues.map((i) => ({ field: i.key, reason: i.reason })));
    }
    throw err;
  }
  const username = maskUsername(creds.username);
  const missing = missingV8Keys(creds);
  if (missing.length > 0) {
    return {
      ok: false,
      code: 'not_configured',
      message: `preencha ${missing.join(', ')} antes de testar`,
      v8Message: null,
    };
  }
  try {
    const token = await deps.probe(creds);
    deps.logger.info('console: V8 connection test', { ok: true, username });
    return {
      ok: true,
      message: 'conexão com a V8 funcionando: token obtido',
      username,
      expiresIn: token.expiresInS,
    };
  } catch (err) {
    if (!isAppError(err)) throw err;
    deps.logger.info('console: V8 connection test', { ok: false, code: err.code, username });
    const why = WHY[err.code];
    if (why === undefined) {
      return { ok: false, code: 'upstream_unavailable', message: UNREACHABLE, v8Message: null };
    }
    // V8 never echoes the password, but should it ever, it stops here.
    const scrub = new Redactor();
    scrub.addSecret(creds.password);
    const words = err.code === 'rate_limited' ? undefined : v8Words(err.detail);
    const v8Message = words === undefined ? null : scrub.text(words);
    return { ok: false, code: err.code, message: v8Message ? `${why}: ${v8Message}` : why, v8Message };
  }
}
