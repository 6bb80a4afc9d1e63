/**
 * Maps one config file of the old PM2 service onto the new schema (pure: no file is read or written
 * here). The old service loaded `config-<PORT>.env` (or `config.env`) with dotenv, which never
 * overrides a variable already set, so literal values of the PM2 app's `env` won over the file: the
 * same precedence is kept here.
 */
import dotenv from 'dotenv';
import { CONFIG_KEYS, type ConfigKey, configSchema } from '../../app/config/schema.ts';
import { quoteEnvValue, renderTemplate } from './template.ts';

export interface LegacySource {
  readonly port: number;
  /** Path shown in the report (relative to FROM). */
  readonly file: string;
  readonly text: string;
  /** PM2 app name, when the ecosystem file lists one for this port. */
  readonly appName?: string | undefined;
  /** Literal `env` of that PM2 app (PORT and process settings included). */
  readonly ecosystemEnv?: Readonly<Record<string, string>> | undefined;
}

export interface Renamed {
  readonly from: string;
  readonly to: string;
  readonly note?: string;
}

export interface Commented {
  readonly key: string;
  readonly value: string;
  readonly reason: string;
}

export interface MigratedConfig {
  readonly port: number;
  readonly file: string;
  readonly appName: string | undefined;
  /** Canonical keys and the values written to the new file (generated secrets included). */
  readonly values: Readonly<Record<string, string>>;
  /** Keys taken over under the same name. */
  readonly imported: readonly string[];
  readonly renamed: readonly Renamed[];
  /** Keys the old service did not have, generated now. */
  readonly generated: readonly string[];
  /** Values changed on the way (dead host replaced, /int removed...). Never the values themselves. */
  readonly changed: readonly { key: string; note: string }[];
  /** Written to the new file as comments, not read by the service. */
  readonly commented: readonly Commented[];
  /** What the operator must fix before the client is fully usable. */
  readonly problems: readonly string[];
  readonly notes: readonly string[];
}

/** Secrets the new schema needs and the old service did not have (make add-client generates the same). */
export interface GeneratedSecrets {
  readonly API_TOKEN: string;
  readonly WEBHOOK_SECRET: string;
  readonly ADMIN_PASSWORD_HASH: string;
}

/** Old names (config.env.example, env-example.txt, the root config.env.example of the AF source). */
export const LEGACY_RENAMES: Readonly<Record<string, ConfigKey>> = {
  V8_API_URL: 'V8_BASE_URL',
  KENTRO_API_URL: 'KENTRO_BASE_URL',
  KENTRO_TOKEN: 'KENTRO_API_KEY',
  QUEUE_ID: 'KENTRO_QUEUE_ID',
};

/** Old keys the platform now handles itself: kept as comments, with the reason. */
export const LEGACY_OBSOLETE: Readonly<Record<string, string>> = {
  NODE_ENV: 'obsolete: the image runs with NODE_ENV=production',
  NODE_OPTIONS: 'obsolete: memory is limited per container (MEM_LIMIT in docs/OPERATIONS.md)',
  HTTPS_PORT: 'obsolete: TLS is terminated by a reverse proxy in front of the client (set TRUST_PROXY=true)',
  LOG_FILE: 'obsolete: logs go to logs/<PORT>/{out,error,combined}-<PORT>.log',
  DEST_STAGE_ID:
    'not read: the old Kentro destination stage; set the matching KENTRO_STAGE_* key (docs/CONFIG.md)',
};

/** Values of the old example files that were never real. */
const PLACEHOLDER =
  /^(your_value_here|seu_email@dominio\.com|sua_senha|seu_token_kentro_aqui|changeme|change_me|xxx+|\.\.\.)$/i;

/** V8's PDF names this host; it is dead (503 / no DNS, docs/reference). */
const DEAD_V8_HOST = /^https?:\/\/api\.v8digital\.com(?:[/:]|$)/i;

const SECRET_KEYS = new Set(['API_TOKEN', 'WEBHOOK_SECRET', 'ADMIN_PASSWORD_HASH']);
/** Set by the platform or generated: never taken from an old file. */
const NOT_IMPORTED = new Set(['PORT', ...SECRET_KEYS]);

const WINSTON_LEVELS: Readonly<Record<string, string>> = {
  error: 'error',
  warn: 'warn',
  warning: 'warn',
  info: 'info',
  http: 'http',
  verbose: 'debug',
  debug: 'debug',
  silly: 'debug',
};

const PROCESS_ENV_KEYS = new Set(['PORT', 'NODE_ENV', 'NODE_OPTIONS']);

const isKnown = (k: string): k is ConfigKey => k in CONFIG_KEYS;
const defaultOf = (k: ConfigKey): string | undefined => {
  const r = (
    CONFIG_KEYS[k].schema as { safeParse(v: unknown): { success: boolean; data?: unknown } }
  ).safeParse(undefined);
  return r.success && typeof r.data === 'string' ? r.data : undefined;
};

/** Keys assigned more than once in an env file (dotenv keeps the last, as the old service did). */
export function duplicateKeys(text: string): string[] {
  const seen = new Map<string, number>();
  for (const m of text.matchAll(/^[ \t\uFEFF]*(?:export[ \t]+)?([\w.-]+)[ \t]*[=:]/gm)) {
    const k = m[1] as string;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

export function mapLegacyConfig(src: LegacySource, generated: GeneratedSecrets): MigratedConfig {
  const fromFile = dotenv.parse(src.text);
  const origin = new Map<string, string>(Object.keys(fromFile).map((k) => [k, src.file]));
  const merged: Record<string, string> = { ...fromFile };
  const notes: string[] = [];
  const problems: string[] = [];
  const imported: string[] = [];
  const renamed: Renamed[] = [];
  const changed: { key: string; note: string }[] = [];
  const commented: Commented[] = [];
  const generatedKeys: string[] = [];

  // PM2 env won over the file (dotenv does not override a variable that is already set).
  for (const [k, v] of Object.entries(src.ecosystemEnv ?? {})) {
    if (PROCESS_ENV_KEYS.has(k)) continue;
    if (merged[k] !== undefined && merged[k] !== v) {
      notes.push(`${k}: the PM2 app's env overrode the file's value (as under PM2); that value is used`);
    }
    merged[k] = v;
    origin.set(k, 'the PM2 ecosystem env');
  }
  for (const k of duplicateKeys(src.text)) {
    notes.push(
      `${k} is assigned more than once in ${src.file}; the last one is used (as the old service did)`,
    );
  }
  if (fromFile.PORT !== undefined && fromFile.PORT.trim() !== String(src.port)) {
    notes.push(
      `${src.file} says PORT=${fromFile.PORT.trim() === '' ? '(empty)' : fromFile.PORT.trim()}; the client runs on ${src.port}, the port PM2 gave it`,
    );
  }

  const values: Record<string, string> = {};
  const take = (key: ConfigKey, value: string, from: string) => {
    const v = value.trim();
    if (v === '') return;
    if (PLACEHOLDER.test(v)) {
      problems.push(
        `${key}: the old value (${from}) is a placeholder of the old example file; left empty, fill it in`,
      );
      return;
    }
    values[key] = v;
  };

  // Canonical names first, then old names where the canonical one is absent (as the schema's aliases do).
  for (const [k, v] of Object.entries(merged)) {
    if (NOT_IMPORTED.has(k)) {
      if (SECRET_KEYS.has(k) && v.trim() !== '') {
        commented.push({ key: k, value: v, reason: 'replaced by a newly generated value' });
      }
      continue;
    }
    if (!isKnown(k)) continue;
    take(k, v, k);
    if (values[k] !== undefined) imported.push(k);
  }
  for (const [old, to] of Object.entries(LEGACY_RENAMES)) {
    const v = merged[old];
    if (v === undefined) continue;
    const current = values[to];
    if (current !== undefined && current !== '') {
      if (v.trim() !== current) {
        commented.push({
          key: old,
          value: v,
          reason: `superseded: ${to} is also set, and the old service used ${to}`,
        });
      }
      continue;
    }
    take(to, v, old);
    if (values[to] === undefined) continue;
    let note: string | undefined;
    if (to === 'KENTRO_BASE_URL') {
      const stripped = (values[to] as string).replace(/\/+$/, '').replace(/\/int$/i, '');
      if (stripped !== values[to]) {
        values[to] = stripped;
        note = 'trailing /int removed: the service adds /int/<operation>';
      }
    }
    renamed.push({ from: old, to, ...(note ? { note } : {}) });
    const i = imported.indexOf(to);
    if (i >= 0) imported.splice(i, 1);
  }
  // Canonical KENTRO_BASE_URL may carry /int too.
  if (
    values.KENTRO_BASE_URL &&
    /\/int\/?$/i.test(values.KENTRO_BASE_URL) &&
    imported.includes('KENTRO_BASE_URL')
  ) {
    values.KENTRO_BASE_URL = values.KENTRO_BASE_URL.replace(/\/+$/, '').replace(/\/int$/i, '');
    changed.push({
      key: 'KENTRO_BASE_URL',
      note: 'trailing /int removed: the service adds /int/<operation>',
    });
  }
  for (const key of ['V8_BASE_URL', 'V8_AUTH_URL'] as const) {
    const v = values[key];
    if (v && DEAD_V8_HOST.test(v)) {
      const def = defaultOf(key) as string;
      values[key] = def;
      changed.push({ key, note: `api.v8digital.com no longer answers; replaced by ${def}` });
    }
  }
  if (values.LOG_LEVEL !== undefined) {
    const mapped = WINSTON_LEVELS[values.LOG_LEVEL.toLowerCase()];
    if (mapped && mapped !== values.LOG_LEVEL) {
      changed.push({ key: 'LOG_LEVEL', note: `${values.LOG_LEVEL} is not a level here; ${mapped} used` });
      values.LOG_LEVEL = mapped;
    }
  }

  // Everything else the old file held: comments, with why.
  const knownUpper = new Set([...Object.keys(CONFIG_KEYS), ...Object.keys(LEGACY_RENAMES)]);
  for (const [k, v] of Object.entries(merged)) {
    if (isKnown(k) || k in LEGACY_RENAMES || PROCESS_ENV_KEYS.has(k)) continue;
    let reason = LEGACY_OBSOLETE[k];
    if (!reason && /^FGTS_/.test(k)) reason = 'not read: FGTS is not part of this service';
    if (!reason && knownUpper.has(k.toUpperCase())) {
      reason = `not read: names are case-sensitive and the old service ignored it too; did you mean ${k.toUpperCase()}?`;
      problems.push(
        `${k} looks like ${k.toUpperCase()} but was never read (case); review the comment at the end`,
      );
    }
    commented.push({ key: k, value: v, reason: reason ?? 'unknown to this service' });
  }
  for (const k of ['NODE_ENV', 'NODE_OPTIONS'] as const) {
    const v = merged[k];
    if (v !== undefined) commented.push({ key: k, value: v, reason: LEGACY_OBSOLETE[k] as string });
  }

  // What the new schema needs and the old service did not have.
  values.PORT = String(src.port);
  if (!values.CLIENT_NAME) {
    const name = (src.appName ?? `Cliente ${src.port}`).slice(0, 80);
    values.CLIENT_NAME = name;
    generatedKeys.push('CLIENT_NAME');
    problems.push(`CLIENT_NAME is "${name}" (from the PM2 app name): put the company's name`);
  }
  for (const k of ['API_TOKEN', 'WEBHOOK_SECRET', 'ADMIN_PASSWORD_HASH'] as const) {
    values[k] = generated[k];
    generatedKeys.push(k);
  }

  // Validate; a value the schema refuses is kept as a comment and reported (never shown).
  for (let round = 0; round < 10; round++) {
    const r = configSchema.safeParse(values);
    if (r.success) break;
    let progressed = false;
    for (const issue of r.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (!key || values[key] === undefined || NOT_IMPORTED.has(key)) continue;
      if (key === 'CLIENT_NAME') {
        values.CLIENT_NAME = `Cliente ${src.port}`;
        problems.push('CLIENT_NAME was not usable; set to "Cliente <PORT>": put the company name');
        progressed = true;
        continue;
      }
      commented.push({ key, value: values[key] as string, reason: `invalid here: ${issue.message}` });
      problems.push(`${key}: the old value is not valid here (${issue.message}); kept as a comment, fix it`);
      delete values[key];
      const i = imported.indexOf(key);
      if (i >= 0) imported.splice(i, 1);
      const j = renamed.findIndex((x) => x.to === key);
      if (j >= 0) renamed.splice(j, 1);
      progressed = true;
    }
    if (!progressed) {
      const keys = r.error.issues.map((i) => i.path.join('.')).join(', ');
      throw new Error(`port ${src.port}: the migrated configuration does not validate (${keys})`);
    }
  }

  // Gaps that keep features from working.
  const missing = (keys: readonly string[]) => keys.filter((k) => !values[k]);
  const v8Missing = missing(['V8_CLIENT_ID', 'V8_USERNAME', 'V8_PASSWORD']);
  if (v8Missing.length > 0) {
    problems.push(
      `V8 credentials incomplete (${v8Missing.join(', ')}): fill them in, or save them at /config-v8`,
    );
  }
  const kentroMissing = missing(['KENTRO_BASE_URL', 'KENTRO_API_KEY', 'KENTRO_QUEUE_ID']);
  if (kentroMissing.length > 0) problems.push(`Kentro access incomplete (${kentroMissing.join(', ')})`);
  const flowMissing = missing([
    'KENTRO_PIPELINE_ID',
    'KENTRO_RESPONSIBLE_ID',
    'KENTRO_STAGE_MARGIN_FOUND',
    'KENTRO_STAGE_NO_MARGIN',
    'KENTRO_STAGE_SIMULATED',
    'KENTRO_STAGE_FAILED',
    'KENTRO_FORM_FIELDS',
  ]);
  if (flowMissing.length > 0) {
    problems.push(
      `the old service hard-coded the Kentro pipeline, stages and form-field ids in its code: set ${flowMissing.join(', ')} (docs/CONFIG.md)`,
    );
  }
  if (!values.PUBLIC_BASE_URL) {
    problems.push(
      'PUBLIC_BASE_URL is empty: set it (where V8 posts webhooks), then POST /api/v1/v8/webhooks/register',
    );
  }

  return {
    port: src.port,
    file: src.file,
    appName: src.appName,
    values,
    imported: imported.sort(),
    renamed,
    generated: generatedKeys,
    changed,
    commented: commented.map((c) => ({
      ...c,
      reason: origin.get(c.key) === 'the PM2 ecosystem env' ? `${c.reason} (from the PM2 env)` : c.reason,
    })),
    problems,
    notes,
  };
}

export interface RenderMeta {
  readonly fromDir: string;
  readonly date: string;
}

/** A value kept as a comment is never parsed: one that no quoting keeps intact is written as is. */
function commentedValue(value: string): string {
  try {
    return quoteEnvValue(value);
  } catch {
    return value.replace(/[\r\n]+/g, ' ').trim();
  }
}

/** The new config.env: the add-client template filled with the migrated values, old leftovers as comments. */
export function renderMigratedConfig(template: string, m: MigratedConfig, meta: RenderMeta): string {
  let text = renderTemplate(template, m.values).replace(
    'Created by `make add-client`.',
    'Created by `make migrate` from the old PM2 service.',
  );
  const extra: string[] = [];
  for (const [k, v] of Object.entries(m.values)) {
    const line = `${k}=${quoteEnvValue(v, k)}`;
    const re = new RegExp(`^${k}=.*$`, 'm');
    if (re.test(text)) text = text.replace(re, () => line);
    else extra.push(line);
  }
  const header = [
    `# Migrated from ${meta.fromDir}/${m.file}${m.appName ? ` (PM2 app ${m.appName})` : ''} on ${meta.date}.`,
    '# The old files were not changed. Renamed keys, generated secrets and what to fix: see the make migrate report.',
  ];
  const parts = [`${header.join('\n')}\n${text.trimEnd()}\n`];
  if (extra.length > 0) {
    parts.push(
      `\n# --- Imported from the old service (keys the template does not list)\n${extra.join('\n')}\n`,
    );
  }
  if (m.commented.length > 0) {
    const lines = m.commented.flatMap((c) => [
      `# why: ${c.reason.replace(/[\r\n]+/g, ' ')}`,
      `# ${c.key}=${commentedValue(c.value)}`,
    ]);
    parts.push(
      `\n# --- Kept from the old service as comments: this service does NOT read them. Review, then delete.\n${lines.join('\n')}\n`,
    );
  }
  return parts.join('');
}
