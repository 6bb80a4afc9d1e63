import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_KEYS, type ConfigKey } from './schema.ts';

/**
 * Values set from the /config-v8 console. They live in the client's data volume, never in the
 * read-only config file, and only keys marked `overridable` in the schema are ever kept.
 */
export const OVERRIDES_FILE = 'config-overrides.json';

export const OVERRIDABLE_KEYS = (Object.keys(CONFIG_KEYS) as ConfigKey[]).filter(
  (k) => (CONFIG_KEYS[k] as { overridable?: boolean }).overridable === true,
);

export type OverridableKey = (typeof OVERRIDABLE_KEYS)[number];
export type OverrideValues = Readonly<Partial<Record<OverridableKey, string>>>;

export function isOverridableKey(key: string): key is OverridableKey {
  return (OVERRIDABLE_KEYS as readonly string[]).includes(key);
}

export interface StoredOverrides {
  readonly values: OverrideValues;
  readonly updatedAt: string | null;
  /** Keys found in the file that are not overridable (ignored; names only, for a warning). */
  readonly ignoredKeys: readonly string[];
}

export interface OverrideStore {
  /** Where the overrides are kept (shown to the operator). */
  readonly location: string;
  read(): StoredOverrides;
  /** Replaces the whole set (an empty set deletes the file). */
  write(values: OverrideValues, at: Date): Promise<void>;
}

/** Thrown when the overrides file exists but cannot be used; carries no value, only the reason. */
export class OverridesFileError extends Error {
  readonly file: string;
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'OverridesFileError';
    this.file = file;
  }
}

/** `<dataDir>/config-overrides.json`: JSON, mode 0600, written atomically (temp file + rename). */
export class FileOverrideStore implements OverrideStore {
  readonly location: string;
  private readonly dataDir: string;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.location = path.join(dataDir, OVERRIDES_FILE);
  }

  read(): StoredOverrides {
    let text: string;
    try {
      text = readFileSync(this.location, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return { values: {}, updatedAt: null, ignoredKeys: [] };
      }
      throw new OverridesFileError(
        this.location,
        `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unknown error'})`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new OverridesFileError(this.location, 'is not valid JSON');
    }
    const body = parsed as { values?: unknown; updatedAt?: unknown } | null;
    if (!body || typeof body !== 'object' || !body.values || typeof body.values !== 'object') {
      throw new OverridesFileError(this.location, 'has no "values" object');
    }
    const values: Partial<Record<OverridableKey, string>> = {};
    const ignoredKeys: string[] = [];
    for (const [k, v] of Object.entries(body.values as Record<string, unknown>)) {
      if (isOverridableKey(k) && typeof v === 'string') values[k] = v;
      else ignoredKeys.push(k);
    }
    return {
      values,
      updatedAt: typeof body.updatedAt === 'string' ? body.updatedAt : null,
      ignoredKeys,
    };
  }

  async write(values: OverrideValues, at: Date): Promise<void> {
    const kept: Record<string, string> = {};
    for (const k of OVERRIDABLE_KEYS) {
      const v = values[k];
      if (typeof v === 'string') kept[k] = v;
    }
    if (Object.keys(kept).length === 0) {
      await unlink(this.location).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      return;
    }
    await mkdir(this.dataDir, { recursive: true });
    const tmp = `${this.location}.${randomBytes(6).toString('hex')}.tmp`;
    const body = `${JSON.stringify({ version: 1, updatedAt: at.toISOString(), values: kept }, null, 2)}\n`;
    try {
      await writeFile(tmp, body, { mode: 0o600 });
      // The umask may have narrowed the mode further, never widened it; make it exact.
      await chmod(tmp, 0o600);
      await rename(tmp, this.location);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}

/** A store that keeps nothing (apps built without a data volume, e.g. small tests). */
export class MemoryOverrideStore implements OverrideStore {
  readonly location = '(memory)';
  private current: StoredOverrides = { values: {}, updatedAt: null, ignoredKeys: [] };

  read(): StoredOverrides {
    return this.current;
  }

  async write(values: OverrideValues, at: Date): Promise<void> {
    this.current = { values: { ...values }, updatedAt: at.toISOString(), ignoredKeys: [] };
  }
}
