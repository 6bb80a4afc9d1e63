import { missingV8Keys, type V8Credentials } from '../../adapters/v8/v8-credentials.ts';
import type { FetchToken } from '../../adapters/v8/v8-token-cache.ts';
import type { EffectiveConfig } from '../../config/effective-config.ts';
import { ConfigError } from '../../config/load-config.ts';
import { maskUsername } from '../../config/mask.ts';
import type { OverrideValues } from '../../config/overrides.ts';
import { AppError, isAppError } from '../../domain/app-error.ts';
import type { V8ErrorDetail } from '../../domain/v8-error-classification.ts';
import type { Logger } from '../../logging/logger.ts';
import { Redactor } from '../../logging/redact.ts';

export interface TestDeps {
  readonly effective: EffectiveConfig;
  /** Password grant against V8 (the same code path as the token cache), with its own timeout. */
  readonly probe: FetchToken;
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
  timeout: 'a V8 não respondeu a tempo',
  upstream_unavailable: 'não foi possível falar com a V8',
  rate_limited: 'a V8 está limitando as requisições, tente mais tarde',
  invalid_data: 'a V8 recusou o pedido de autenticação',
};

function v8Words(detail: unknown): string | undefined {
  if (!detail || typeof detail !== 'object') return undefined;
  const d = detail as V8ErrorDetail;
  const message = Array.isArray(d.message) ? d.message.join('; ') : (d.message as string | undefined);
  return d.errorDescription ?? d.detail ?? message ?? d.error ?? d.title;
}

/**
 * "Testar conexão": logs in to V8 with the submitted values (an omitted field, e.g. the password,
 * means "the current one") and saves nothing. The token obtained is discarded.
 */
export async function testV8Credentials(deps: TestDeps, submitted: OverrideValues): Promise<TestOutcome> {
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
    // V8 never echoes the password, but should it ever, it stops here.
    const scrub = new Redactor();
    scrub.addSecret(creds.password);
    const words = v8Words(err.detail);
    const v8Message = words === undefined ? null : scrub.text(words);
    const why = WHY[err.code] ?? 'a V8 respondeu com erro';
    deps.logger.info('console: V8 connection test', { ok: false, code: err.code, username });
    return {
      ok: false,
      code: err.code,
      message: v8Message ? `${why}: ${v8Message}` : `${why} (${scrub.text(err.message)})`,
      v8Message,
    };
  }
}
