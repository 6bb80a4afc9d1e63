import type { Clock } from '../../adapters/clock.ts';
import type { HostResolver } from '../../adapters/v8/v8-host-guard.ts';
import type { V8TokenCache } from '../../adapters/v8/v8-token-cache.ts';
import type { EffectiveConfig } from '../../config/effective-config.ts';
import { ConfigError } from '../../config/load-config.ts';
import { maskUsername } from '../../config/mask.ts';
import type { OverridableKey, OverrideValues } from '../../config/overrides.ts';
import { AppError } from '../../domain/app-error.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Redactor } from '../../logging/redact.ts';
import { type ConfigView, describeConfig } from './describe-config.ts';
import { checkV8UrlChange } from './v8-url-change.ts';

export interface CredentialsDeps {
  readonly effective: EffectiveConfig;
  /** This client's V8 token cache: emptied after every change so the next call logs in again. */
  readonly tokens: V8TokenCache | undefined;
  readonly redactor: Redactor;
  /** Checks where a changed V8 URL points before it is stored. */
  readonly resolveHost: HostResolver;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface CredentialsChange {
  readonly changed: readonly OverridableKey[];
  readonly config: ConfigView;
}

function invalidFromConfig(err: unknown): unknown {
  if (err instanceof ConfigError) {
    return AppError.invalid(err.issues.map((i) => ({ field: i.key, reason: i.reason })));
  }
  return err;
}

async function apply(
  deps: CredentialsDeps,
  change: (current: OverrideValues) => OverrideValues,
): Promise<ConfigView> {
  try {
    const { config } = await deps.effective.update(change, new Date(deps.clock.now()));
    // From now on the new password must never reach a log either.
    deps.redactor.addSecret(config.v8.password);
  } catch (err) {
    throw invalidFromConfig(err);
  }
  // A token obtained with the old login must not be used for the new one.
  await deps.tokens?.invalidate();
  return describeConfig(deps.effective.current(), {
    location: deps.effective.location,
    updatedAt: deps.effective.updatedAt(),
  });
}

/**
 * "Salvar": validates the submitted keys together with the config file (the same schema as at
 * start), stores them as overrides in the data volume and applies them at once. The config file
 * itself is never written.
 */
export async function saveV8Credentials(
  deps: CredentialsDeps,
  submitted: OverrideValues,
): Promise<CredentialsChange> {
  const changed = Object.keys(submitted) as OverridableKey[];
  if (changed.length === 0) {
    throw AppError.invalid([{ field: 'body', reason: 'nenhum campo preenchido: nada a salvar' }]);
  }
  await checkV8UrlChange(deps, submitted);
  const config = await apply(deps, (current) => ({ ...current, ...submitted }));
  deps.logger.info('console: V8 settings saved', {
    keys: changed,
    username: maskUsername(deps.effective.current().v8.username),
  });
  return { changed, config };
}

/** "Reverter": drops the overrides of these keys (all of them without `keys`); the file value applies again. */
export async function revertV8Credentials(
  deps: CredentialsDeps,
  keys?: readonly OverridableKey[],
): Promise<CredentialsChange> {
  const current = deps.effective.overrides();
  const changed = (Object.keys(current) as OverridableKey[]).filter((k) => !keys || keys.includes(k));
  if (changed.length === 0) {
    return {
      changed,
      config: describeConfig(deps.effective.current(), {
        location: deps.effective.location,
        updatedAt: deps.effective.updatedAt(),
      }),
    };
  }
  const config = await apply(deps, (now) => {
    const next: Partial<Record<OverridableKey, string>> = { ...now };
    for (const k of changed) delete next[k];
    return next;
  });
  deps.logger.info('console: V8 overrides reverted', {
    keys: changed,
    username: maskUsername(deps.effective.current().v8.username),
  });
  return { changed, config };
}
