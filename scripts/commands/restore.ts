import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseConfigText } from '../../app/config/load-config.ts';
import { createTar, extractTar, listFiles, restoreDataVolume, sha256File } from '../lib/archive.ts';
import { CliError } from '../lib/cli-error.ts';
import { secureClientFiles } from '../lib/client-files.ts';
import {
  clientConfigFile,
  clientDir,
  clientLogDir,
  clientSandboxFile,
  containerName,
  dataVolume,
  healthProbe,
  type OpsContext,
} from '../lib/context.ts';
import { compose, containerState, hostPortInUse, volumeExists } from '../lib/docker.ts';
import { parsePort } from '../lib/ports.ts';
import { copyRegularFile, nonRegularMembers } from '../lib/safe-files.ts';
import { waitHealthy } from '../lib/wait-healthy.ts';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  type BackupManifest,
  backupClient,
  defaultBackupDir,
} from './backup.ts';
import { ensureImage } from './build.ts';

/**
 * A restored client starts with nobody signed in to its console: a session that was valid when the
 * backup was taken (or stolen with the archive) must not come back to life with it.
 */
function signOutEveryone(storeFile: string): void {
  if (!existsSync(storeFile)) return;
  const db = new DatabaseSync(storeFile);
  try {
    const has = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'console_sessions'")
      .get();
    if (has) db.exec('DELETE FROM console_sessions');
  } finally {
    db.close();
  }
}

export interface RestoreInput {
  readonly file: string | undefined;
  /** Replace an existing, stopped client (a backup of it is made first). */
  readonly force: boolean;
  /** When given, must be the port of the archive (a guard against restoring the wrong file). */
  readonly port?: string | undefined;
}

function readManifest(stage: string, file: string): BackupManifest {
  const p = path.join(stage, 'manifest.json');
  if (!existsSync(p)) throw new CliError(`${file} is not a clt-v8 backup (no manifest.json)`);
  let m: BackupManifest;
  try {
    m = JSON.parse(readFileSync(p, 'utf8')) as BackupManifest;
  } catch {
    throw new CliError(`${file}: manifest.json is not valid JSON`);
  }
  if (m.format !== BACKUP_FORMAT)
    throw new CliError(`${file} is not a clt-v8 backup (format ${String(m.format)})`);
  if (m.version !== BACKUP_VERSION) {
    throw new CliError(
      `${file}: backup format version ${m.version} is not supported (this CLI reads ${BACKUP_VERSION})`,
    );
  }
  const checked = parsePort(String(m.port));
  if (!checked.ok) throw new CliError(`${file}: manifest has no valid port`);
  // Every file listed, present and intact; nothing unlisted.
  const present = listFiles(stage).filter((f) => f !== 'manifest.json');
  const listed = Object.keys(m.files ?? {}).sort();
  const extra = present.filter((f) => !(f in m.files));
  const missing = listed.filter((f) => !present.includes(f));
  if (extra.length > 0 || missing.length > 0) {
    throw new CliError(
      `${file} does not match its manifest (${[...missing.map((f) => `missing ${f}`), ...extra.map((f) => `unlisted ${f}`)].join(', ')})`,
    );
  }
  for (const f of listed) {
    if (sha256File(path.join(stage, f)) !== m.files[f])
      throw new CliError(`${file}: ${f} is corrupt (checksum)`);
  }
  if (!present.includes('client/config.env')) throw new CliError(`${file} holds no client/config.env`);
  return m;
}

/**
 * `make restore FILE=`: brings a client back from a backup archive, here or on another machine:
 * config, logs and the data volume content, then starts it and waits until it is healthy. It never
 * replaces an existing client silently: a running one is refused, a stopped one only with FORCE=1
 * (after a backup of it).
 */
export async function restore(ctx: OpsContext, input: RestoreInput, out: (l: string) => void): Promise<void> {
  if (!input.file)
    throw new CliError('FILE is required: make restore FILE=backups/clt-v8-6000-<time>.tar.gz');
  const file = path.resolve(input.file);
  if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(`${file} does not exist`);

  const stage = mkdtempSync(path.join(os.tmpdir(), 'cltv8-restore-'));
  try {
    try {
      // Our backups hold regular files and folders only: anything else means a forged archive.
      const odd = await nonRegularMembers(file);
      if (odd.length > 0) {
        throw new CliError(
          `${file} holds members that are not regular files (links, devices); nothing was changed: ${odd.slice(0, 3).join('; ')}`,
        );
      }
      await extractTar(file, stage);
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError((err as Error).message);
    }
    const m = readManifest(stage, file);
    const port = m.port;
    if (input.port) {
      const c = parsePort(input.port);
      if (!c.ok) throw new CliError(c.error);
      if (c.port !== port) {
        throw new CliError(
          `${file} is a backup of client ${port}, not ${c.port}`,
          'restoring under another port is not supported',
        );
      }
    }
    const configText = readFileSync(path.join(stage, 'client', 'config.env'), 'utf8');
    try {
      const loaded = parseConfigText(configText, `${file}:client/config.env`);
      if (loaded.raw.PORT !== port)
        throw new CliError(`${file}: its config.env declares PORT=${loaded.raw.PORT}, not ${port}`);
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`${file}: its config.env is not valid here: ${(err as Error).message}`);
    }

    // Never over an existing client silently.
    const name = containerName(ctx, port);
    const state = await containerState(name);
    const hasDir = existsSync(clientDir(ctx, port));
    const hasVolume = await volumeExists(dataVolume(ctx, port));
    if (state.exists && (state.state === 'running' || state.state === 'restarting')) {
      throw new CliError(
        `client ${port} exists and is running; a restore never replaces a running client`,
        `stop it first (make down PORT=${port}), then make restore FILE=... FORCE=1`,
      );
    }
    let safety: string | undefined;
    if (hasDir || state.exists || hasVolume) {
      if (!input.force) {
        throw new CliError(
          `client ${port} already exists (${[hasDir && `clients/${port}/`, state.exists && `container ${state.state}`, hasVolume && 'data volume'].filter(Boolean).join(', ')}); nothing was changed`,
          `FORCE=1 replaces a stopped client (its current state is backed up first), or make remove-client PORT=${port}`,
        );
      }
      if (existsSync(clientConfigFile(ctx, port))) {
        safety = await backupClient(ctx, port, defaultBackupDir(ctx), out);
        out(`client ${port}: its current state was backed up to ${safety} before being replaced`);
      }
      const down = await compose(ctx, port, ['down', '--volumes', '--remove-orphans']);
      if (down.code !== 0)
        throw new CliError(`docker compose down failed for client ${port}: ${down.stderr.trim()}`);
      rmSync(clientDir(ctx, port), { recursive: true, force: true });
      rmSync(clientLogDir(ctx, port), { recursive: true, force: true });
    }
    if (await hostPortInUse(port)) {
      throw new CliError(
        `port ${port} is already in use on this host`,
        'stop what listens there (ss -ltnp), then retry',
      );
    }
    await ensureImage(ctx, out);

    const dir = clientDir(ctx, port);
    const logDir = clientLogDir(ctx, port);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // Created exclusively, never through a link: logs/<PORT> may hold links its container planted.
      copyRegularFile(path.join(stage, 'client', 'config.env'), clientConfigFile(ctx, port));
      if (existsSync(path.join(stage, 'client', 'sandbox.env'))) {
        copyRegularFile(path.join(stage, 'client', 'sandbox.env'), clientSandboxFile(ctx, port));
      }
      mkdirSync(logDir, { recursive: true, mode: 0o750 });
      const stagedLogs = path.join(stage, 'logs');
      if (existsSync(stagedLogs)) {
        for (const f of readdirSync(stagedLogs)) {
          copyRegularFile(path.join(stagedLogs, f), path.join(logDir, f), 0o640);
        }
      }
      // Whatever modes the archive carried: the service's ownership and modes.
      secureClientFiles(ctx, port);

      // Network, volume and container first (stopped), then the volume content, then start.
      const created = await compose(ctx, port, ['create', '--no-build']);
      if (created.code !== 0) throw new CliError(`docker compose create failed: ${created.stderr.trim()}`);
      const dataDir = path.join(stage, 'data');
      mkdirSync(dataDir, { recursive: true });
      signOutEveryone(path.join(dataDir, 'store.sqlite'));
      const dataTar = path.join(stage, 'data.tar');
      await createTar(dataDir, dataTar);
      await restoreDataVolume(ctx, port, ctx.image, dataTar);

      out(`starting client ${port} (${m.client}) from the backup of ${m.createdAt}...`);
      const upR = await compose(ctx, port, ['up', '-d', '--no-build']);
      if (upR.code !== 0)
        throw new CliError(`docker compose up failed for client ${port}: ${upR.stderr.trim()}`);
      const w = await waitHealthy(name, ctx.healthTimeoutS, healthProbe(ctx, port));
      if (!w.ok) {
        const logs = await compose(ctx, port, ['logs', '--no-color', '--tail', '20', 'api']);
        throw new CliError(
          `client ${port} did not become healthy after the restore (state ${w.state}, health ${w.health}); last log lines:\n${logs.stdout.trim()}`,
        );
      }
      out(
        `client ${port} restored from ${path.basename(file)} and healthy after ${(w.ms / 1000).toFixed(1)} s`,
      );
    } catch (err) {
      await compose(ctx, port, ['down', '--volumes', '--remove-orphans']);
      rmSync(dir, { recursive: true, force: true });
      rmSync(logDir, { recursive: true, force: true });
      const hint = safety
        ? `nothing of the restore was kept; the client it replaced is in ${safety} (make restore FILE=${safety})`
        : 'nothing of the restore was kept';
      if (err instanceof CliError) throw new CliError(err.message, err.hint ?? hint);
      throw new CliError(`restore failed: ${(err as Error).message}`, hint);
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
