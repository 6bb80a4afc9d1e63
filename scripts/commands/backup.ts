import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTarGz, extractTar, listFiles, sha256File, snapshotDataVolume } from '../lib/archive.ts';
import { CliError } from '../lib/cli-error.ts';
import { listClientPorts, readClientSummary } from '../lib/client-files.ts';
import {
  clientConfigFile,
  clientDir,
  clientLogDir,
  clientSandboxFile,
  containerName,
  dataVolume,
  type OpsContext,
} from '../lib/context.ts';
import { run, volumeExists } from '../lib/docker.ts';
import { parsePort } from '../lib/ports.ts';
import { copyRegularFile, pruneNonRegular } from '../lib/safe-files.ts';
import { ensureImage } from './build.ts';

export const BACKUP_FORMAT = 'clt-v8-backup';
export const BACKUP_VERSION = 1;

/** manifest.json at the root of every backup archive. */
export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: number;
  readonly port: number;
  readonly client: string;
  readonly createdAt: string;
  /** Image the client ran (or the helper used) when the backup was made. */
  readonly image: string;
  readonly store: 'VACUUM INTO (online consistent snapshot)' | 'none';
  /** sha256 of every file of the archive but the manifest. */
  readonly files: Readonly<Record<string, string>>;
}

export const defaultBackupDir = (ctx: OpsContext) => path.join(ctx.home, 'backups');

/** The image the helper container runs: the client's own when it has a container, else the current one. */
async function helperImage(ctx: OpsContext, port: number, out: (l: string) => void): Promise<string> {
  const r = await run('docker', ['inspect', '--format', '{{.Image}}', containerName(ctx, port)]);
  if (r.code === 0 && r.stdout.trim()) return r.stdout.trim();
  await ensureImage(ctx, out);
  return ctx.image;
}

/**
 * One archive (tar.gz, mode 0600) with the client's config.env (+ sandbox.env), its logs and its data
 * volume: the SQLite store copied by SQLite itself (VACUUM INTO, consistent while the client runs),
 * the console overrides and the token cache as they are. The client keeps running.
 */
export async function backupClient(
  ctx: OpsContext,
  port: number,
  outDir: string,
  out: (l: string) => void,
): Promise<string> {
  if (!existsSync(clientConfigFile(ctx, port))) {
    throw new CliError(`client ${port} does not exist (no clients/${port}/config.env)`);
  }
  const stage = mkdtempSync(path.join(os.tmpdir(), `cltv8-backup-${port}-`));
  try {
    mkdirSync(path.join(stage, 'client'), { mode: 0o700 });
    if (!copyRegularFile(clientConfigFile(ctx, port), path.join(stage, 'client', 'config.env'))) {
      throw new CliError(
        `clients/${port}/config.env is not a regular file (a symlink?): nothing was archived`,
      );
    }
    if (existsSync(clientSandboxFile(ctx, port))) {
      if (!copyRegularFile(clientSandboxFile(ctx, port), path.join(stage, 'client', 'sandbox.env'))) {
        throw new CliError(
          `clients/${port}/sandbox.env is not a regular file (a symlink?): nothing was archived`,
        );
      }
    }
    // logs/<PORT> is writable by the client's container: only its regular files are taken, never
    // what a link points to (a link to another client's config.env would leak its secrets).
    mkdirSync(path.join(stage, 'logs'), { mode: 0o700 });
    const logDir = clientLogDir(ctx, port);
    if (existsSync(logDir) && lstatSync(logDir).isDirectory()) {
      for (const f of readdirSync(logDir)) {
        if (!copyRegularFile(path.join(logDir, f), path.join(stage, 'logs', f))) {
          out(`client ${port}: skipped logs/${port}/${f}: not a regular file (links are never archived)`);
        }
      }
    }
    mkdirSync(path.join(stage, 'data'), { mode: 0o700 });
    const image = await helperImage(ctx, port, out);
    let store: BackupManifest['store'] = 'none';
    if (await volumeExists(dataVolume(ctx, port))) {
      const dataTar = path.join(stage, 'data.tar');
      await snapshotDataVolume(ctx, port, image, dataTar);
      await extractTar(dataTar, path.join(stage, 'data'));
      rmSync(dataTar);
      // The volume is the container's too: a link or device planted there is not archived.
      for (const f of pruneNonRegular(path.join(stage, 'data'))) {
        out(`client ${port}: skipped data/${f}: not a regular file (links are never archived)`);
      }
      if (existsSync(path.join(stage, 'data', 'store.sqlite')))
        store = 'VACUUM INTO (online consistent snapshot)';
    } else {
      out(`client ${port}: no data volume yet (never started): the archive holds config and logs only`);
    }

    const files = Object.fromEntries(listFiles(stage).map((f) => [f, sha256File(path.join(stage, f))]));
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      port,
      client: readClientSummary(ctx, port).name,
      createdAt: new Date().toISOString(),
      image,
      store,
      files,
    };
    writeFileSync(path.join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, {
      mode: 0o600,
    });

    mkdirSync(outDir, { recursive: true, mode: 0o700 });
    const stamp = manifest.createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    let file = path.join(outDir, `clt-v8-${port}-${stamp}.tar.gz`);
    for (let i = 2; existsSync(file); i++) file = path.join(outDir, `clt-v8-${port}-${stamp}-${i}.tar.gz`);
    try {
      await createTarGz(stage, file);
    } catch (err) {
      rmSync(file, { force: true });
      throw err;
    }
    return file;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** `make backup PORT= [OUT=dir]`: one archive per client (every client when PORT is empty). */
export async function backup(
  ctx: OpsContext,
  portArg: string | undefined,
  outArg: string | undefined,
  out: (l: string) => void,
): Promise<void> {
  let ports: number[];
  if (portArg) {
    const c = parsePort(portArg);
    if (!c.ok) throw new CliError(c.error);
    ports = [c.port];
  } else {
    ports = listClientPorts(ctx);
    if (ports.length === 0) throw new CliError('no client to back up', 'make add-client PORT=6000 first');
  }
  const outDir = path.resolve(outArg || defaultBackupDir(ctx));
  for (const port of ports) {
    if (!existsSync(clientDir(ctx, port))) throw new CliError(`client ${port} does not exist`);
    const file = await backupClient(ctx, port, outDir, out);
    out(`client ${port}: backup written to ${file} (mode 0600; holds its credentials, keep it safe)`);
  }
}
