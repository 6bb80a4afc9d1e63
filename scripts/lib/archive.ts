/**
 * Moving a client's data volume in and out of tar streams, and the backup archive itself.
 *
 * The volume is only ever touched from a throw-away container of the service image (its uid, no
 * network, no capabilities, read-only root): the host never needs to read the service's files,
 * and the copy of the SQLite store is made by SQLite itself (`VACUUM INTO`, one read transaction:
 * a consistent snapshot even while the client keeps writing, WAL included).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { SERVICE_GID, SERVICE_UID, SERVICE_USER } from './client-files.ts';
import { containerName, dataVolume, type OpsContext } from './context.ts';
import { run } from './docker.ts';

/** Where the volume is mounted in the throw-away container (the image creates it owned by the service). */
const MOUNT = '/app/data';
const SNAP_DIR = `${MOUNT}/.clt-v8-backup`;

/** Consistent copy of the store (VACUUM INTO), then the other files of the volume as they are. */
const SNAPSHOT_JS = `
const { DatabaseSync } = require('node:sqlite');
const src = '${MOUNT}/store.sqlite';
let db;
try { db = new DatabaseSync(src, { readOnly: true, timeout: 15000 }); db.exec('SELECT count(*) FROM sqlite_master'); }
catch { db?.close(); db = new DatabaseSync(src, { timeout: 15000 }); }
db.exec("VACUUM INTO '${SNAP_DIR}/store.snapshot'");
db.close();
`;

// The store's own files are left out and its snapshot goes in under the store's name.
const SNAPSHOT_SH = `set -e
cd ${MOUNT}
rm -rf ${SNAP_DIR}
mkdir -m 700 ${SNAP_DIR}
trap 'rm -rf ${SNAP_DIR}' EXIT
EXTRA=
if [ -f store.sqlite ]; then node -e "$SNAPSHOT_JS" >&2; EXTRA="-C ${SNAP_DIR} store.snapshot"; fi
tar -cf - --exclude=./store.sqlite --exclude=./store.sqlite-wal --exclude=./store.sqlite-shm --exclude=./.clt-v8-backup --transform='s,^store[.]snapshot$,./store.sqlite,' -C ${MOUNT} . $EXTRA
`;

const RESTORE_SH = `set -e
cd ${MOUNT}
find . -mindepth 1 -delete
tar -xf - -C ${MOUNT}
`;

function helperArgs(
  ctx: OpsContext,
  port: number,
  image: string,
  user: string,
  interactive: boolean,
  script: string,
): string[] {
  return [
    'run',
    '--rm',
    ...(interactive ? ['-i'] : []),
    '--network',
    'none',
    '--user',
    user,
    '--read-only',
    '--tmpfs',
    '/tmp:size=16m',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--label',
    `org.clt-v8.helper-of=${port}`,
    '-e',
    `SNAPSHOT_JS=${SNAPSHOT_JS}`,
    '-v',
    `${dataVolume(ctx, port)}:${MOUNT}`,
    '--entrypoint',
    'sh',
    image,
    '-c',
    script,
  ];
}

interface StreamResult {
  readonly code: number;
  readonly stderr: string;
}

/** Runs a command with stdout written to `outFile` (created 0600, must not exist). */
export function runToFile(cmd: string, args: readonly string[], outFile: string): Promise<StreamResult> {
  return new Promise((resolve, reject) => {
    let fd: number;
    try {
      fd = openSync(outFile, 'wx', 0o600);
    } catch (err) {
      reject(err);
      return;
    }
    const sink = createWriteStream('', { fd, autoClose: true });
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.pipe(sink);
    let code = 1;
    let pending = 2;
    const done = () => {
      if (--pending === 0) resolve({ code, stderr });
    };
    child.on('error', (err) => {
      stderr += String(err);
      code = 127;
      sink.end();
    });
    child.on('close', (c) => {
      code = c ?? 1;
      done();
    });
    sink.on('close', done);
    sink.on('error', (err) => {
      stderr += String(err);
      done();
    });
  });
}

/** Runs a command with `inFile` as its stdin. */
export function runFromFile(cmd: string, args: readonly string[], inFile: string): Promise<StreamResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const src = createReadStream(inFile);
    src.on('error', (err) => {
      stderr += String(err);
      child.stdin.end();
    });
    child.stdin.on('error', () => {
      /* the child exited early: its code says why */
    });
    src.pipe(child.stdin);
    child.on('error', (err) => resolve({ code: 127, stderr: stderr + String(err) }));
    child.on('close', (c) => resolve({ code: c ?? 1, stderr }));
  });
}

/** Tar of the client's data volume (store copied with VACUUM INTO) written to `outFile`. */
export async function snapshotDataVolume(
  ctx: OpsContext,
  port: number,
  image: string,
  outFile: string,
): Promise<void> {
  const user = await volumeUser(ctx, port);
  const r = await runToFile('docker', helperArgs(ctx, port, image, user, false, SNAPSHOT_SH), outFile);
  if (r.code !== 0) {
    throw new Error(
      `could not copy the data volume of client ${port}: ${r.stderr.trim() || `exit ${r.code}`}`,
    );
  }
}

/** Replaces the whole content of the client's data volume with the tar in `inFile`. */
export async function restoreDataVolume(
  ctx: OpsContext,
  port: number,
  image: string,
  inFile: string,
): Promise<void> {
  const user = await volumeUser(ctx, port);
  const r = await runFromFile('docker', helperArgs(ctx, port, image, user, true, RESTORE_SH), inFile);
  if (r.code !== 0) {
    throw new Error(
      `could not fill the data volume of client ${port}: ${r.stderr.trim() || `exit ${r.code}`}`,
    );
  }
}

/**
 * The user the helper runs as: that of the client's container when it has one (a client created when
 * the service ran as uid 1000 keeps that uid until it is recreated), else the service's.
 */
async function volumeUser(ctx: OpsContext, port: number): Promise<string> {
  const r = await run('docker', ['inspect', '--format', '{{.Config.User}}', containerName(ctx, port)]);
  const user = r.code === 0 ? r.stdout.trim() : '';
  return /^\d+(:\d+)?$/.test(user) ? user : SERVICE_USER;
}

const CHOWN_SH = `[ "$(stat -c %u:%g ${MOUNT})" = "${SERVICE_USER}" ] || chown -R ${SERVICE_USER} ${MOUNT}`;

/**
 * Hands a client's data volume to the service's uid/gid (volumes of clients created when it ran as
 * uid 1000). Only while its container is stopped or about to be recreated. Skipped at once when the
 * host can see the volume's folder and it is already the service's; otherwise a throw-away root
 * container with only CHOWN and DAC_READ_SEARCH does it (chown -R never follows a link).
 */
export async function ensureVolumeOwner(ctx: OpsContext, port: number, image: string): Promise<void> {
  const vol = await run('docker', [
    'volume',
    'inspect',
    '--format',
    '{{.Mountpoint}}',
    dataVolume(ctx, port),
  ]);
  if (vol.code !== 0) return;
  try {
    const st = statSync(vol.stdout.trim());
    if (st.uid === SERVICE_UID && st.gid === SERVICE_GID) return;
  } catch {
    // Not visible from here (not root, remote engine): the helper checks it.
  }
  const r = await run('docker', [
    'run',
    '--rm',
    '--network',
    'none',
    '--user',
    '0:0',
    '--read-only',
    '--cap-drop',
    'ALL',
    '--cap-add',
    'CHOWN',
    '--cap-add',
    'DAC_READ_SEARCH',
    '--security-opt',
    'no-new-privileges',
    '--label',
    `org.clt-v8.helper-of=${port}`,
    '-v',
    `${dataVolume(ctx, port)}:${MOUNT}`,
    '--entrypoint',
    'sh',
    image,
    '-c',
    CHOWN_SH,
  ]);
  if (r.code !== 0) {
    throw new Error(
      `could not hand the data volume of client ${port} to uid ${SERVICE_UID}: ${r.stderr.trim()}`,
    );
  }
}

/** Host tar: `dir` (its content) into a gzip archive created 0600. */
export async function createTarGz(dir: string, outFile: string): Promise<void> {
  const r = await runToFile('tar', ['-czf', '-', '-C', dir, '.'], outFile);
  if (r.code !== 0) throw new Error(`tar failed: ${r.stderr.trim()}`);
}

/** Host tar: `file` (plain or gzip tar) extracted into `dir`. */
export async function extractTar(file: string, dir: string): Promise<void> {
  const r = await new Promise<StreamResult>((resolve) => {
    const child = spawn('tar', ['-xf', file, '-C', dir, '--no-same-owner'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', (err) => resolve({ code: 127, stderr: String(err) }));
    child.on('close', (c) => resolve({ code: c ?? 1, stderr }));
  });
  if (r.code !== 0) throw new Error(`cannot extract ${file}: ${r.stderr.trim()}`);
}

/** Host tar: the content of `dir` as a plain tar (to stream into a volume). */
export async function createTar(dir: string, outFile: string): Promise<void> {
  const r = await runToFile('tar', ['-cf', '-', '-C', dir, '.'], outFile);
  if (r.code !== 0) throw new Error(`tar failed: ${r.stderr.trim()}`);
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * Every regular file under `dir` (relative paths, sorted). Anything else (a symlink, a device) is
 * refused: an archive must not point outside itself.
 */
export function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const st = lstatSync(p);
    if (st.isDirectory()) out.push(...listFiles(p, base));
    else if (st.isFile()) out.push(path.relative(base, p));
    else throw new Error(`${path.relative(base, p)} is not a regular file`);
  }
  return out.sort();
}
