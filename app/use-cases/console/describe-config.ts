import type { AppConfig } from '../../config/app-config.ts';
import type { ValueSource } from '../../config/load-config.ts';
import { describeSecret, maskUsername } from '../../config/mask.ts';
import { CONFIG_KEYS, type ConfigKey, type KeyKind } from '../../config/schema.ts';

export type ShownValue = string | number | boolean | Record<string, unknown> | null;

export interface ConfigKeyView {
  readonly key: ConfigKey;
  readonly kind: KeyKind;
  /** secret: "definido"/"vazio"; credential: masked; setting: as is (null when unset). */
  readonly value: ShownValue;
  readonly source: ValueSource;
  readonly overridable: boolean;
  readonly doc: string;
}

export interface ConfigView {
  readonly client: string;
  readonly port: number;
  readonly configFile: string;
  /** Where the console's overrides are kept (this client's data volume). */
  readonly overridesFile: string;
  readonly overridesUpdatedAt: string | null;
  readonly keys: readonly ConfigKeyView[];
}

/** A login is masked like everywhere else; any other credential keeps 4 leading characters at most. */
export function maskCredential(value: string | undefined): string | null {
  if (!value) return null;
  if (value.includes('@')) return maskUsername(value);
  return value.length >= 12 ? `${value.slice(0, 4)}****` : '****';
}

/** A URL may carry user:password@; that part is never shown. */
function showSetting(value: unknown): ShownValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    if (/^https?:\/\//i.test(value)) {
      try {
        const u = new URL(value);
        if (u.username || u.password) {
          u.username = '***';
          u.password = '';
          return u.toString();
        }
      } catch {
        return value;
      }
    }
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return value as Record<string, unknown>;
}

export function showValue(kind: KeyKind, value: unknown): ShownValue {
  if (kind === 'secret') return describeSecret(typeof value === 'string' ? value : undefined);
  if (kind === 'credential') return maskCredential(typeof value === 'string' ? value : undefined);
  return showSetting(value);
}

/** Every key with its effective value, masked per its kind, and where the value came from. */
export function describeConfig(
  config: AppConfig,
  overrides: { readonly location: string; readonly updatedAt: string | null },
): ConfigView {
  const raw = config.loaded.raw as Record<ConfigKey, unknown>;
  const keys = (Object.keys(CONFIG_KEYS) as ConfigKey[]).map((key): ConfigKeyView => {
    const doc = CONFIG_KEYS[key] as { kind: KeyKind; doc: string; overridable?: boolean };
    return {
      key,
      kind: doc.kind,
      value: showValue(doc.kind, raw[key]),
      source: config.loaded.sources[key],
      overridable: doc.overridable === true,
      doc: doc.doc,
    };
  });
  return {
    client: config.clientName,
    port: config.port,
    configFile: config.configFile,
    overridesFile: overrides.location,
    overridesUpdatedAt: overrides.updatedAt,
    keys,
  };
}

const SOURCE_PT: Record<ValueSource, string> = { file: 'arquivo', override: 'console', default: 'padrão' };

/** The same view as a text table (make config). */
export function configTable(view: ConfigView): string[] {
  const rows = view.keys.map((k) => [
    k.key,
    k.value === null ? '-' : typeof k.value === 'object' ? JSON.stringify(k.value) : String(k.value),
    `${k.source} (${SOURCE_PT[k.source]})`,
    k.kind,
  ]);
  const header = ['KEY', 'VALUE', 'SOURCE', 'KIND'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    `client ${view.client} (port ${view.port})`,
    `config file: ${view.configFile}`,
    `console overrides: ${view.overridesFile}${view.overridesUpdatedAt ? ` (updated ${view.overridesUpdatedAt})` : ' (none)'}`,
    '',
    fmt(header),
    ...rows.map(fmt),
  ];
}
