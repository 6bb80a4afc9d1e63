import { readFileSync } from 'node:fs';
import { AppError } from '../domain/app-error.ts';
import { sameUrl, v8UrlRefusal } from '../domain/v8-url-policy.ts';
import { type AppConfig, toAppConfig } from './app-config.ts';
import {
  ConfigError,
  type ConfigIssue,
  configFilePath,
  loadConfig,
  type ProcessSettings,
  parseConfigText,
} from './load-config.ts';
import {
  FileOverrideStore,
  type OverrideStore,
  OverridesFileError,
  type OverrideValues,
} from './overrides.ts';

export type ConfigListener = (next: AppConfig, previous: AppConfig) => void;

export interface EffectiveConfigOptions {
  /** The configuration in force now (file + `overrides`). */
  readonly initial: AppConfig;
  readonly overrides: OverrideValues;
  readonly updatedAt: string | null;
  /** Validates the config file (as read at start) with other overrides; throws ConfigError. */
  readonly reparse: (overrides: OverrideValues) => AppConfig;
  readonly store: OverrideStore;
  readonly onListenerError?: (err: unknown) => void;
}

/**
 * The one holder of this client's effective configuration: the config file read at start plus the
 * console overrides. The config file is never re-read (file edits still need `make restart`);
 * an override change is validated, written to the store, swapped in, and announced to listeners
 * (the V8 credentials provider reads `current()` on every call).
 */
export class EffectiveConfig {
  private readonly opts: EffectiveConfigOptions;
  private config: AppConfig;
  private values: OverrideValues;
  private stamp: string | null;
  private readonly listeners = new Set<ConfigListener>();
  /** Read-modify-write of the overrides runs one at a time: two saves never lose each other's keys. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: EffectiveConfigOptions) {
    this.opts = opts;
    this.config = opts.initial;
    this.values = { ...opts.overrides };
    this.stamp = opts.updatedAt;
  }

  /** A holder that cannot change (an app built without a config file text or a data volume). */
  static fixed(config: AppConfig): EffectiveConfig {
    return new EffectiveConfig({
      initial: config,
      overrides: {},
      updatedAt: null,
      reparse: (o) => {
        if (Object.keys(o).length === 0) return config;
        throw new AppError('not_configured', 'alterações pelo console não estão disponíveis nesta instância');
      },
      store: {
        location: '(none)',
        read: () => ({ values: {}, updatedAt: null, ignoredKeys: [] }),
        write: async () => {
          throw new AppError(
            'not_configured',
            'alterações pelo console não estão disponíveis nesta instância',
          );
        },
      },
    });
  }

  current(): AppConfig {
    return this.config;
  }

  overrides(): OverrideValues {
    return this.values;
  }

  updatedAt(): string | null {
    return this.stamp;
  }

  get location(): string {
    return this.opts.store.location;
  }

  /** The config file alone, without any console override (what the operator wrote on the host). */
  fileConfig(): AppConfig {
    return this.opts.reparse({});
  }

  /** The configuration these overrides would give, without applying anything; throws ConfigError. */
  preview(overrides: OverrideValues): AppConfig {
    return this.opts.reparse(overrides);
  }

  /**
   * Computes the next override set from the current one, validates it, stores it and applies it.
   * Nothing changes (store or memory) when validation or the write fails.
   */
  update(
    change: (current: OverrideValues) => OverrideValues,
    at: Date,
  ): Promise<{ config: AppConfig; overrides: OverrideValues }> {
    const run = async () => {
      const nextValues = change(this.values);
      const next = this.opts.reparse(nextValues);
      await this.opts.store.write(nextValues, at);
      const previous = this.config;
      this.config = next;
      this.values = { ...nextValues };
      this.stamp = Object.keys(nextValues).length > 0 ? at.toISOString() : null;
      for (const listener of this.listeners) {
        try {
          listener(next, previous);
        } catch (err) {
          this.opts.onListenerError?.(err);
        }
      }
      return { config: next, overrides: this.values };
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  onChange(listener: ConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface StartupNotice {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly meta: Record<string, unknown>;
}

export interface LoadedEffectiveConfig {
  readonly effective: EffectiveConfig;
  /** Things to log once the logger exists (names and reasons, never values). */
  readonly notices: readonly StartupNotice[];
}

function portMismatch(file: string, declared: number, port: number): ConfigError {
  return new ConfigError(file, [
    { key: 'PORT', reason: `declares ${declared} but this container runs on port ${port}` },
  ]);
}

/**
 * A V8 URL override that neither is the file's value nor passes the console's URL policy (saved by
 * a version without that policy) is dropped at start: the V8 password must not go there.
 */
function dropForeignV8Urls(
  stored: { values: OverrideValues; updatedAt: string | null },
  reparse: (overrides: OverrideValues) => AppConfig,
  location: string,
  notices: StartupNotice[],
): { values: OverrideValues; updatedAt: string | null } {
  const file = reparse({}).v8;
  const fileUrl = { V8_AUTH_URL: file.authUrl, V8_BASE_URL: file.baseUrl } as const;
  const values: Partial<Record<keyof OverrideValues, string>> = { ...stored.values };
  const dropped: string[] = [];
  for (const key of ['V8_AUTH_URL', 'V8_BASE_URL'] as const) {
    const v = values[key];
    if (v === undefined || sameUrl(v, fileUrl[key]) || v8UrlRefusal(v) === null) continue;
    delete values[key];
    dropped.push(key);
  }
  if (dropped.length === 0) return stored;
  notices.push({
    level: 'error',
    message: 'console overrides of V8 URLs outside V8 ignored (the config file value applies)',
    meta: { file: location, keys: dropped },
  });
  return { values, updatedAt: stored.updatedAt };
}

/**
 * Start-up: reads `config-<PORT>.env` and `<dataDir>/config-overrides.json`. A bad config file
 * stops the start as before (ConfigError). A bad or no longer valid overrides file does not: the
 * client starts on its config file alone and says so, since the console that could fix the
 * overrides only exists while the service runs.
 */
export function loadEffectiveConfig(
  settings: ProcessSettings,
  store: OverrideStore = new FileOverrideStore(settings.dataDir),
  onListenerError?: (err: unknown) => void,
): LoadedEffectiveConfig {
  const file = configFilePath(settings);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // loadConfig words the missing/unreadable file for the operator (and throws).
    loadConfig(settings);
    throw new ConfigError(file, [{ key: '(file)', reason: 'file cannot be read' }]);
  }
  const reparse = (overrides: OverrideValues): AppConfig => {
    const loaded = parseConfigText(text, file, overrides as Record<string, string>);
    if (loaded.raw.PORT !== settings.port) throw portMismatch(file, loaded.raw.PORT, settings.port);
    return toAppConfig(loaded, settings);
  };

  const notices: StartupNotice[] = [];
  let stored: { values: OverrideValues; updatedAt: string | null } = { values: {}, updatedAt: null };
  try {
    const read = store.read();
    stored = read;
    if (read.ignoredKeys.length > 0) {
      notices.push({
        level: 'warn',
        message: 'keys in the overrides file that cannot be overridden were ignored',
        meta: { file: store.location, keys: read.ignoredKeys },
      });
    }
  } catch (err) {
    if (!(err instanceof OverridesFileError)) throw err;
    notices.push({
      level: 'error',
      message: 'console overrides file unusable, starting with the config file alone',
      meta: { file: store.location, reason: err.message },
    });
  }

  stored = dropForeignV8Urls(stored, reparse, store.location, notices);

  let initial: AppConfig;
  try {
    initial = reparse(stored.values);
  } catch (err) {
    if (!(err instanceof ConfigError) || Object.keys(stored.values).length === 0) throw err;
    // Throws when the file alone is invalid too: then it is the file that must be fixed.
    initial = reparse({});
    notices.push({
      level: 'error',
      message: 'console overrides rejected, starting with the config file alone',
      meta: {
        file: store.location,
        issues: err.issues.map((i: ConfigIssue) => ({ key: i.key, reason: i.reason })),
      },
    });
    stored = { values: {}, updatedAt: null };
  }
  if (Object.keys(stored.values).length > 0) {
    notices.push({
      level: 'info',
      message: 'console overrides in force',
      meta: { file: store.location, keys: Object.keys(stored.values), updatedAt: stored.updatedAt },
    });
  }
  return {
    effective: new EffectiveConfig({
      initial,
      overrides: stored.values,
      updatedAt: stored.updatedAt,
      reparse,
      store,
      ...(onListenerError ? { onListenerError } : {}),
    }),
    notices,
  };
}
