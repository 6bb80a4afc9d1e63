import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfigText } from '../../app/config/load-config.ts';
import { hashPassword } from '../../app/domain/password-hash.ts';
import { CliError } from '../lib/cli-error.ts';
import { secureClientFiles } from '../lib/client-files.ts';
import {
  clientConfigFile,
  clientDir,
  clientLogDir,
  containerName,
  dataVolume,
  type OpsContext,
} from '../lib/context.ts';
import { containerState, hostPortInUse, volumeExists } from '../lib/docker.ts';
import { type MigratedConfig, mapLegacyConfig, renderMigratedConfig } from '../lib/legacy-config.ts';
import { discoverLegacy } from '../lib/legacy-layout.ts';
import { parsePort } from '../lib/ports.ts';
import { up } from './lifecycle.ts';

export interface MigrateInput {
  /** The old clt-v8-service folder (holding config/ and the PM2 ecosystem file). */
  readonly from: string | undefined;
  readonly dryRun: boolean;
  /** Start the migrated clients (the `make up` path) once written. */
  readonly start: boolean;
  /** Only this port. */
  readonly port?: string | undefined;
  /** Port of the single legacy config/config.env (default 4000). */
  readonly legacyPort?: string | undefined;
}

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

function list(label: string, items: readonly string[], out: (l: string) => void): void {
  if (items.length > 0) out(`  ${label} (${items.length}): ${items.join(', ')}`);
}

/**
 * `make migrate FROM=<old folder>`: one client per old config file, written like `make add-client`
 * writes them (template, generated secrets, 0600, uid 1000). The old files are only read; the PM2
 * ecosystem file is parsed as text, never executed. Nothing is written when anything is wrong.
 */
export async function migrate(ctx: OpsContext, input: MigrateInput, out: (l: string) => void): Promise<void> {
  if (!input.from) {
    throw new CliError(
      'FROM is required: make migrate FROM=/opt/clt-v8-service [DRY_RUN=1] [START=1] [PORT=5000]',
    );
  }
  let legacyPort: number | undefined;
  if (input.legacyPort) {
    const c = parsePort(input.legacyPort);
    if (!c.ok) throw new CliError(`LEGACY_PORT: ${c.error}`);
    legacyPort = c.port;
  }
  let only: number | undefined;
  if (input.port) {
    const c = parsePort(input.port);
    if (!c.ok) throw new CliError(c.error);
    only = c.port;
  }

  let layout: ReturnType<typeof discoverLegacy>;
  try {
    layout = discoverLegacy(input.from, legacyPort === undefined ? {} : { legacyPort });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const from = layout.root;
  const clients = layout.clients.filter((c) => only === undefined || c.port === only);
  if (clients.length === 0) {
    throw new CliError(
      only === undefined
        ? `no config-<PORT>.env or config.env found in ${from}/config`
        : `port ${only} is not a client of ${from}`,
      layout.problems.join('\n') || undefined,
    );
  }

  // Refuse before anything is written: an existing client is never overwritten.
  const existing: string[] = [];
  for (const c of clients) {
    if (existsSync(clientDir(ctx, c.port))) existing.push(`${c.port} (clients/${c.port}/ exists)`);
    else if ((await containerState(containerName(ctx, c.port))).exists)
      existing.push(`${c.port} (container ${containerName(ctx, c.port)} exists)`);
    else if (await volumeExists(dataVolume(ctx, c.port)))
      existing.push(`${c.port} (data volume ${dataVolume(ctx, c.port)} exists)`);
  }
  if (existing.length > 0) {
    throw new CliError(
      `refusing to overwrite existing client(s): ${existing.join(', ')}; nothing was written`,
      `migrate the others one by one with PORT=<port>, or remove the client first (make remove-client PORT=<port>)`,
    );
  }

  const template = readFileSync(path.join(ctx.repo, 'clients/template/config.env.template'), 'utf8');
  const date = new Date().toISOString();
  const plans: { m: MigratedConfig; text: string; password: string; modeNote?: string }[] = [];
  for (const c of clients) {
    const password = token(12);
    let m: MigratedConfig;
    try {
      m = mapLegacyConfig(
        {
          port: c.port,
          file: c.file,
          text: readFileSync(c.abs, 'utf8'),
          appName: c.appName,
          ecosystemEnv: c.ecosystemEnv,
        },
        { API_TOKEN: token(32), WEBHOOK_SECRET: token(24), ADMIN_PASSWORD_HASH: hashPassword(password) },
      );
    } catch (err) {
      throw new CliError(`${c.file}: ${(err as Error).message}; nothing was written`);
    }
    const text = renderMigratedConfig(template, m, { fromDir: from, date });
    // Same schema as the service: a file it would refuse is never written.
    try {
      const loaded = parseConfigText(text, clientConfigFile(ctx, c.port));
      if (loaded.raw.PORT !== c.port) throw new Error('PORT mismatch');
    } catch (err) {
      throw new CliError(`${c.file}: the migrated file does not validate: ${(err as Error).message}`);
    }
    plans.push({
      m,
      text,
      password,
      ...(c.mode & 0o077
        ? { modeNote: `${c.file} is readable by other users (mode ${c.mode.toString(8)})` }
        : {}),
    });
  }

  // Write everything, or nothing.
  const created: string[] = [];
  if (!input.dryRun) {
    try {
      for (const p of plans) {
        const port = p.m.port;
        const dir = clientDir(ctx, port);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        created.push(dir);
        writeFileSync(clientConfigFile(ctx, port), p.text, { mode: 0o600, flag: 'wx' });
        const logDir = clientLogDir(ctx, port);
        if (!existsSync(logDir)) {
          mkdirSync(logDir, { recursive: true, mode: 0o750 });
          created.push(logDir);
        }
        secureClientFiles(ctx, port);
      }
    } catch (err) {
      for (const p of created) rmSync(p, { recursive: true, force: true });
      throw new CliError(`could not write the new clients: ${(err as Error).message}; nothing was kept`);
    }
  }

  // The report: one block per port. Never a value, only key names.
  out(`${input.dryRun ? 'DRY RUN: nothing written. ' : ''}Migration from ${from}`);
  out(`  PM2 ecosystem file: ${layout.ecosystemFile ?? '(none)'} (parsed as text, never executed)`);
  for (const n of layout.notes) out(`  note: ${n}`);
  for (const pr of layout.problems) out(`  PROBLEM: ${pr}`);
  for (const p of plans) {
    const m = p.m;
    out('');
    out(
      `client ${m.port}${m.appName ? ` (PM2 app ${m.appName})` : ''}: ${m.file} -> clients/${m.port}/config.env${input.dryRun ? ' (not written)' : ''}`,
    );
    list('imported', m.imported, out);
    list(
      'renamed',
      m.renamed.map((r) => `${r.from} -> ${r.to}${r.note ? ` (${r.note})` : ''}`),
      out,
    );
    list(
      'changed',
      m.changed.map((c) => `${c.key}: ${c.note}`),
      out,
    );
    list('generated', m.generated, out);
    if (m.commented.length > 0) {
      out(`  kept as comments in the new file (${m.commented.length}):`);
      for (const c of m.commented) out(`    - ${c.key}: ${c.reason}`);
    }
    for (const n of m.notes) out(`  note: ${n}`);
    if (p.modeNote) out(`  note: ${p.modeNote}; it holds credentials (left as is)`);
    if (m.problems.length > 0) {
      out(`  to fix (${m.problems.length}):`);
      for (const pr of m.problems) out(`    - ${pr}`);
    }
    if (!input.dryRun) {
      out(`  console password for /config-v8 (shown only now, keep it safe): ${p.password}`);
    }
  }
  out('');
  if (input.dryRun) {
    out(`dry run: ${plans.length} client(s) would be written; run again without DRY_RUN=1 to write them`);
    return;
  }
  out(
    `${plans.length} client(s) written under ${path.join(ctx.home, 'clients')}/ (mode 0600). The old files were not changed.`,
  );

  const busy: number[] = [];
  for (const p of plans) if (await hostPortInUse(p.m.port)) busy.push(p.m.port);
  if (!input.start) {
    if (busy.length > 0) {
      out(
        `note: port(s) ${busy.join(', ')} are in use on this host (the old PM2 processes?): stop them first`,
      );
    }
    out('Start them with make up (or make up PORT=<port>) after fixing what is listed above.');
    return;
  }
  const failures: string[] = [];
  for (const p of plans) {
    const port = p.m.port;
    if (busy.includes(port)) {
      failures.push(
        `client ${port}: port ${port} is in use on this host (stop the old PM2 app first: pm2 stop ...)`,
      );
      continue;
    }
    try {
      await up(ctx, String(port), out);
    } catch (err) {
      failures.push(`client ${port}: ${(err as Error).message}`);
    }
  }
  if (failures.length > 0) {
    throw new CliError(
      `migrated, but not every client started:\n${failures.join('\n')}`,
      'the files are written; fix the cause, then make up PORT=<port>',
    );
  }
}
