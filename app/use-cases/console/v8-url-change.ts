import { type HostResolver, resolvesToPublic } from '../../adapters/v8/v8-host-guard.ts';
import type { AppConfig } from '../../config/app-config.ts';
import type { EffectiveConfig } from '../../config/effective-config.ts';
import type { OverrideValues } from '../../config/overrides.ts';
import { AppError, type FieldIssue } from '../../domain/app-error.ts';
import { sameUrl, v8UrlRefusal } from '../../domain/v8-url-policy.ts';

export interface UrlChangeDeps {
  readonly effective: EffectiveConfig;
  readonly resolveHost: HostResolver;
}

export const V8_URL_KEYS = ['V8_AUTH_URL', 'V8_BASE_URL'] as const;
type UrlKey = (typeof V8_URL_KEYS)[number];

function urlOf(config: AppConfig, key: UrlKey): string {
  return key === 'V8_AUTH_URL' ? config.v8.authUrl : config.v8.baseUrl;
}

/** The config file's own V8 URL for `key` (trusted: the operator wrote it on the host). */
export function fileV8Url(effective: EffectiveConfig, key: UrlKey): string {
  return urlOf(effective.fileConfig(), key);
}

/** Host names of the config file's V8 URLs: the only ones allowed to resolve to internal addresses. */
export function fileV8Hosts(effective: EffectiveConfig): Set<string> {
  const file = effective.fileConfig();
  return new Set(V8_URL_KEYS.map((k) => new URL(urlOf(file, k)).hostname.toLowerCase()));
}

const NOT_PUBLIC = 'deve apontar para um endereço público da V8';
const PASSWORD_NEEDED =
  'obrigatória para mudar a URL da V8: a senha guardada nunca é enviada a um endereço novo';

/**
 * A submitted V8 URL that differs from the one in force is a change, and a change must (1) be the
 * config file's value or an https URL of V8's domain, (2) resolve to public addresses only, and
 * (3) come with the V8 password in the same request, so the stored password never travels to a
 * URL somebody typed with only a console session. Throws AppError.invalid naming every field.
 */
export async function checkV8UrlChange(deps: UrlChangeDeps, submitted: OverrideValues): Promise<void> {
  const current = deps.effective.current();
  const issues: FieldIssue[] = [];
  let changed = false;
  for (const key of V8_URL_KEYS) {
    const value = submitted[key];
    if (value === undefined || sameUrl(value, urlOf(current, key))) continue;
    changed = true;
    if (sameUrl(value, fileV8Url(deps.effective, key))) continue;
    const refusal = v8UrlRefusal(value);
    if (refusal !== null) {
      issues.push({ field: key, reason: refusal });
      continue;
    }
    if (!(await resolvesToPublic(deps.resolveHost, new URL(value).hostname))) {
      issues.push({ field: key, reason: NOT_PUBLIC });
    }
  }
  if (changed && submitted.V8_PASSWORD === undefined) {
    issues.push({ field: 'V8_PASSWORD', reason: PASSWORD_NEEDED });
  }
  if (issues.length > 0) throw AppError.invalid(issues);
}
