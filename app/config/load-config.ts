import { readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import type { z } from 'zod';
import { CONFIG_KEYS, type ConfigKey, configSchema, type RawConfig } from './schema.ts';

/** Settings of the process itself (not of the client): where the container mounts things. */
export interface ProcessSettings {
  /** Port of the container; the config file must declare the same. */
  readonly port: number;
  readonly configDir: string;
  readonly dataDir: string;
  readonly logDir: string;
}

export interface ConfigIssue {
  readonly key: string;
  readonly reason: string;
}

/** Raised before listening; its message names the file and the keys, never a value. */
export class ConfigError extends Error {
  readonly file: string;
  readonly issues: readonly ConfigIssue[];
  constructor(file: string, issues: readonly ConfigIssue[]) {
    super(`invalid configuration in ${file}: ${issues.map((i) => `${i.key}: ${i.reason}`).join('; ')}`);
    this.name = 'ConfigError';
    this.file = file;
    this.issues = issues;
  }
}

export type ValueSource = 'file' | 'override' | 'default';

export interface LoadedConfig {
  readonly file: string;
  readonly raw: RawConfig;
  readonly sources: Readonly<Record<ConfigKey, ValueSource>>;
  /** Old key names that were accepted and renamed (KENTRO_TOKEN -> KENTRO_API_KEY). */
  readonly renamed: readonly { from: string; to: ConfigKey }[];
  /** Keys in the file that the schema does not know (ignored, reported once at start). */
  readonly unknownKeys: readonly string[];
}

export function readProcessSettings(env: NodeJS.ProcessEnv = process.env): ProcessSettings {
  const port = Number(env.PORT);
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new ConfigError('(environment)', [
      {
        key: 'PORT',
        reason: 'the container must be started with PORT set to an integer between 1024 and 65535',
      },
    ]);
  }
  return {
    port,
    configDir: env.CONFIG_DIR || '/app/config',
    dataDir: env.DATA_DIR || '/app/data',
    logDir: env.LOG_DIR || '/app/logs',
  };
}

export function configFilePath(settings: Pick<ProcessSettings, 'port' | 'configDir'>): string {
  return path.join(settings.configDir, `config-${settings.port}.env`);
}

const KEYS = Object.keys(CONFIG_KEYS) as ConfigKey[];
const ALIASES = new Map<string, ConfigKey>(
  KEYS.flatMap((k) => {
    const alias = (CONFIG_KEYS[k] as { alias?: string }).alias;
    return alias ? [[alias, k] as [string, ConfigKey]] : [];
  }),
);

/** Maps old key names onto the schema; the canonical name wins when both are present. */
export function normalizeKeys(parsed: Record<string, string>): {
  values: Record<string, string>;
  renamed: { from: string; to: ConfigKey }[];
  unknownKeys: string[];
} {
  const values: Record<string, string> = {};
  const renamed: { from: string; to: ConfigKey }[] = [];
  const unknownKeys: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (key in CONFIG_KEYS) values[key] = value;
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (key in CONFIG_KEYS) continue;
    const canonical = ALIASES.get(key);
    if (!canonical) {
      unknownKeys.push(key);
      continue;
    }
    if (values[canonical] === undefined || values[canonical] === '') values[canonical] = value;
    renamed.push({ from: key, to: canonical });
  }
  return { values, renamed, unknownKeys };
}

/** Validates one env-file body. Pure: used by the service, by `make add-client` and by `make migrate`. */
export function parseConfigText(
  text: string,
  file: string,
  overrides: Readonly<Record<string, string>> = {},
): LoadedConfig {
  const { values, renamed, unknownKeys } = normalizeKeys(dotenv.parse(text));
  const sources = {} as Record<ConfigKey, ValueSource>;
  for (const k of KEYS) sources[k] = values[k] !== undefined && values[k] !== '' ? 'file' : 'default';
  for (const [k, v] of Object.entries(overrides)) {
    const doc = CONFIG_KEYS[k as ConfigKey] as { overridable?: boolean } | undefined;
    if (!doc?.overridable) continue;
    values[k] = v;
    sources[k as ConfigKey] = 'override';
  }
  const result = configSchema.safeParse(values);
  if (!result.success) throw new ConfigError(file, zodIssues(result.error));
  return { file, raw: result.data as RawConfig, sources, renamed, unknownKeys };
}

export function zodIssues(error: z.ZodError): ConfigIssue[] {
  // Zod messages can quote the received value; ours never carry input, only the rule.
  return error.issues.map((i) => ({
    key: i.path.join('.') || '(file)',
    reason: i.code === 'invalid_type' && /received undefined$/.test(i.message) ? 'is required' : i.message,
  }));
}

/** Reads exactly `config-<PORT>.env`: no other file, no fallback, no process.env merge. */
export function loadConfig(
  settings: ProcessSettings,
  overrides: Readonly<Record<string, string>> = {},
): LoadedConfig {
  const file = configFilePath(settings);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'file not found (create it with make add-client PORT=<port>)'
        : `file cannot be read (${code ?? 'unknown error'})`;
    throw new ConfigError(file, [{ key: '(file)', reason }]);
  }
  const loaded = parseConfigText(text, file, overrides);
  if (loaded.raw.PORT !== settings.port) {
    throw new ConfigError(file, [
      { key: 'PORT', reason: `declares ${loaded.raw.PORT} but this container runs on port ${settings.port}` },
    ]);
  }
  return loaded;
}
