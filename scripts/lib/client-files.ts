import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { parseConfigText } from '../../app/config/load-config.ts';
import { CliError } from './cli-error.ts';
import { clientConfigFile, clientDir, clientLogDir, clientSandboxFile, type OpsContext } from './context.ts';

/**
 * uid/gid the service runs as (Dockerfile, docker-compose.yml): a dedicated id no login uses, so
 * the host's first user (uid 1000 on most machines) cannot read a client's credentials.
 */
export const SERVICE_UID = 10001;
export const SERVICE_GID = 10001;
export const SERVICE_USER = `${SERVICE_UID}:${SERVICE_GID}`;

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

export function listClientPorts(ctx: OpsContext): number[] {
  const dir = `${ctx.home}/clients`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d+$/.test(e.name) && existsSync(`${dir}/${e.name}/config.env`))
    .map((e) => Number(e.name))
    .sort((a, b) => a - b);
}

/** Reads a client's config for display; undefined fields when the file is invalid. */
export function readClientSummary(
  ctx: OpsContext,
  port: number,
): { name: string; v8Username?: string; metricsToken?: string; error?: string } {
  const file = clientConfigFile(ctx, port);
  try {
    const loaded = parseConfigText(readFileSync(file, 'utf8'), file);
    const metricsToken = loaded.raw.METRICS_TOKEN || loaded.raw.API_TOKEN;
    return {
      name: loaded.raw.CLIENT_NAME,
      ...(loaded.raw.V8_USERNAME ? { v8Username: loaded.raw.V8_USERNAME } : {}),
      ...(metricsToken ? { metricsToken } : {}),
    };
  } catch (err) {
    return { name: '?', error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Owner and mode set on the open descriptor of `p`, never following a link (a link planted where a
 * file is expected makes this fail instead of handing its target over).
 */
function setOwnerAndMode(p: string, uid: number, gid: number, mode: number, dir: boolean): void {
  const fd = openSync(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | (dir ? O_DIRECTORY : 0));
  try {
    const st = fstatSync(fd);
    if (dir ? !st.isDirectory() : !st.isFile())
      throw new CliError(`${p} is not a regular ${dir ? 'folder' : 'file'}`);
    if (st.uid !== uid || st.gid !== gid) fchownSync(fd, uid, gid);
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

function notRootHint(what: string): CliError {
  return new CliError(
    `cannot give ${what} to the service's group ${SERVICE_GID}`,
    `run make as root (sudo), or add your user to group ${SERVICE_GID} (the service's uid/gid)`,
  );
}

/**
 * The ownership a client's files must have: clients/<PORT>/ root-owned 0700, config.env
 * root:<service gid> 0640 (the service reads it through its bind mount, nobody else), sandbox.env
 * root-only 0600 (only compose reads it), logs/<PORT>/ the service's own (it writes there).
 * Run as root; otherwise the operator keeps the files and the service's group is set where allowed.
 * Also moves installs made when the service ran as uid 1000.
 */
export function secureClientFiles(ctx: OpsContext, port: number): void {
  const me = isRoot() ? 0 : (process.getuid?.() ?? 0);
  const myGid = isRoot() ? 0 : (process.getgid?.() ?? 0);
  const dir = clientDir(ctx, port);
  const config = clientConfigFile(ctx, port);
  const sandbox = clientSandboxFile(ctx, port);
  const logDir = clientLogDir(ctx, port);
  try {
    if (existsSync(dir)) setOwnerAndMode(dir, me, myGid, 0o700, true);
    if (existsSync(config)) setOwnerAndMode(config, me, SERVICE_GID, 0o640, false);
    if (existsSync(sandbox)) setOwnerAndMode(sandbox, me, myGid, 0o600, false);
    if (existsSync(logDir)) {
      if (isRoot()) {
        setOwnerAndMode(logDir, SERVICE_UID, SERVICE_GID, 0o750, true);
        // Log files an earlier uid wrote must stay appendable; links and the like are left alone.
        for (const f of readdirSync(logDir)) {
          const p = path.join(logDir, f);
          if (lstatSync(p).isFile()) setOwnerAndMode(p, SERVICE_UID, SERVICE_GID, 0o640, false);
        }
      } else {
        setOwnerAndMode(logDir, me, SERVICE_GID, 0o770, true);
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') throw notRootHint(`clients/${port}`);
    throw err;
  }
}

/** A folder the service writes into (logs/watchdog): the service's own as root, else its group's. */
export function giveFolderToService(dir: string): void {
  try {
    if (isRoot()) setOwnerAndMode(dir, SERVICE_UID, SERVICE_GID, 0o750, true);
    else setOwnerAndMode(dir, process.getuid?.() ?? 0, SERVICE_GID, 0o770, true);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') throw notRootHint(dir);
    throw err;
  }
}

/**
 * Replaces a client's config file atomically: a temporary file with a random name next to it,
 * created exclusively and never through a link (a fixed name let a planted link make a root-run
 * command overwrite and chown any file), given root:<service gid> 0640, then renamed over it.
 */
export function replaceConfigFile(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    try {
      const buf = Buffer.from(text, 'utf8');
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
      fchownSync(fd, isRoot() ? 0 : (process.getuid?.() ?? 0), SERVICE_GID);
      fchmodSync(fd, 0o640);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'EPERM') throw notRootHint(file);
    throw err;
  }
}
