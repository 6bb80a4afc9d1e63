/**
 * Finds what the old PM2 installation ran: its ecosystem file (read, never executed: see
 * legacy-ecosystem.ts), its `config/config-<PORT>.env` files and the single legacy `config/config.env`.
 * Only reads; nothing under FROM is ever written, renamed or deleted.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type EcosystemApp, readEcosystem } from './legacy-ecosystem.ts';
import { parsePort } from './ports.ts';

export interface LegacyClient {
  readonly port: number;
  /** Config file relative to FROM, e.g. config/config-5000.env. */
  readonly file: string;
  readonly abs: string;
  readonly appName: string | undefined;
  readonly ecosystemEnv: Readonly<Record<string, string>> | undefined;
  /** Mode of the old file (to warn when others could read it). */
  readonly mode: number;
}

export interface LegacyLayout {
  readonly root: string;
  readonly ecosystemFile: string | undefined;
  readonly clients: readonly LegacyClient[];
  /** Problems of the layout itself (an app without a config file...). */
  readonly problems: readonly string[];
  readonly notes: readonly string[];
}

const ECOSYSTEM_NAMES = [
  'config/ecosystem.config.cjs',
  'ecosystem.config.cjs',
  'config/ecosystem.config.js',
  'ecosystem.config.js',
];
export const DEFAULT_LEGACY_PORT = 4000;
const APP_PREFIX = 'clt-v8-api';

function appPort(app: EcosystemApp): { port?: number; problem?: string } {
  const label = app.name ? `PM2 app ${app.name}` : `PM2 apps[${app.index}]`;
  const raw = app.env.PORT ?? app.envProduction.PORT;
  const suffix = app.name ? /-(\d{4,5})$/.exec(app.name)?.[1] : undefined;
  if (raw === undefined) {
    if (app.opaqueEnv.some((k) => k.endsWith('.PORT'))) {
      if (!suffix) return { problem: `${label}: its PORT is not a literal value; it was not evaluated` };
    } else if (!suffix) return { problem: `${label}: no PORT in its env; skipped` };
  }
  const text = raw ?? suffix;
  const checked = parsePort(text);
  if (!checked.ok)
    return { problem: `${label}: PORT ${JSON.stringify(text)} is not usable (${checked.error})` };
  if (suffix && raw !== undefined && suffix !== raw) {
    return {
      port: checked.port,
      problem: `${label}: its name ends in ${suffix} but its env says PORT=${raw}; ${raw} is used (what PM2 ran)`,
    };
  }
  return { port: checked.port };
}

export function discoverLegacy(fromArg: string, opts: { legacyPort?: number } = {}): LegacyLayout {
  const root = path.resolve(fromArg);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new Error(`${root} is not a folder (FROM= must be the old clt-v8-service folder)`);
  }
  const configDir = existsSync(path.join(root, 'config')) ? path.join(root, 'config') : root;
  const rel = (p: string) => path.relative(root, p) || '.';
  const problems: string[] = [];
  const notes: string[] = [];

  // 1. The ecosystem file: ports and names of the PM2 apps.
  const found = ECOSYSTEM_NAMES.map((n) => path.join(root, n)).filter((p) => existsSync(p));
  const ecosystemFile = found[0];
  for (const other of found.slice(1))
    notes.push(`${rel(other)} also exists; only ${rel(found[0] as string)} was read`);
  const apps = new Map<number, EcosystemApp>();
  let legacyAppPort: number | undefined;
  if (!ecosystemFile) {
    notes.push('no PM2 ecosystem file found: ports taken from the config file names');
  } else {
    try {
      const eco = readEcosystem(readFileSync(ecosystemFile, 'utf8'));
      for (const n of eco.notes) notes.push(`${rel(ecosystemFile)}: ${n}`);
      for (const app of eco.apps) {
        const opaque = app.opaqueEnv.filter((k) => !k.endsWith('.PORT'));
        if (opaque.length > 0) {
          notes.push(
            `${rel(ecosystemFile)}: PM2 app ${app.name ?? app.index}: ${opaque.join(', ')}: not a literal value, not read (never evaluated)`,
          );
        }
        const r = appPort(app);
        // Other PM2 apps of the same file (cron jobs, workers) are not clients.
        const isClientApp = app.name === undefined || app.name.startsWith(APP_PREFIX);
        if (r.problem) (isClientApp ? problems : notes).push(`${rel(ecosystemFile)}: ${r.problem}`);
        if (r.port === undefined) continue;
        if (apps.has(r.port)) {
          problems.push(
            `${rel(ecosystemFile)}: two apps use port ${r.port}; the first (${apps.get(r.port)?.name}) is used`,
          );
          continue;
        }
        apps.set(r.port, app);
        if (app.name === APP_PREFIX) legacyAppPort = r.port;
      }
    } catch (err) {
      problems.push(
        `${rel(ecosystemFile)} could not be read (${(err as Error).message}); ports taken from the config file names`,
      );
    }
  }

  // 2. The config files.
  const files = new Map<number, string>();
  for (const name of readdirSync(configDir)) {
    const m = /^config-(\d+)\.env$/.exec(name);
    if (!m) continue;
    const checked = parsePort(m[1]);
    if (!checked.ok) {
      problems.push(`${rel(path.join(configDir, name))}: ${checked.error}; skipped`);
      continue;
    }
    files.set(checked.port, path.join(configDir, name));
  }
  const legacyFile = path.join(configDir, 'config.env');
  if (existsSync(legacyFile)) {
    const legacyPort = opts.legacyPort ?? DEFAULT_LEGACY_PORT;
    if (opts.legacyPort === undefined && legacyAppPort !== undefined && legacyAppPort !== legacyPort) {
      notes.push(
        `PM2 app ${APP_PREFIX} (the one that read config.env) ran on ${legacyAppPort}; config.env is migrated as ${legacyPort}. Use LEGACY_PORT=${legacyAppPort} if that is its port`,
      );
    }
    if (files.has(legacyPort)) {
      notes.push(
        `${rel(legacyFile)} not migrated: ${rel(files.get(legacyPort) as string)} exists and is the file of port ${legacyPort}`,
      );
    } else files.set(legacyPort, legacyFile);
  }

  // 3. One client per config file; PM2 apps give names and env.
  const clients: LegacyClient[] = [];
  for (const [port, abs] of [...files].sort(([a], [b]) => a - b)) {
    const app = apps.get(port);
    if (ecosystemFile && !app)
      notes.push(`port ${port}: ${rel(abs)} has no app in the PM2 ecosystem file (was it running?)`);
    clients.push({
      port,
      file: rel(abs),
      abs,
      appName: app?.name,
      ecosystemEnv: app ? app.env : undefined,
      mode: statSync(abs).mode & 0o777,
    });
  }
  for (const [port, app] of apps) {
    if (!files.has(port)) {
      problems.push(
        `PM2 app ${app.name ?? port} (port ${port}) has no ${rel(path.join(configDir, `config-${port}.env`))}: nothing to migrate for it`,
      );
    }
  }
  return { root, ecosystemFile: ecosystemFile ? rel(ecosystemFile) : undefined, clients, problems, notes };
}
