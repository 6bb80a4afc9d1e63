/**
 * File copies for root-run operator commands in folders a client's container can write to
 * (logs/<PORT>): a container could plant a symlink, a FIFO or a device there, e.g. a link to another
 * client's config.env. Sources are opened without following a symlink and checked on the open
 * descriptor (no check-then-open race); destinations are created exclusively, without following.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

/** Opens a regular file for reading; undefined when the path is a symlink or not a regular file. */
export function openRegularFile(file: string): number | undefined {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO someone planted must not hang the command.
    fd = openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENXIO' || code === 'EISDIR') return undefined;
    throw err;
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    return undefined;
  }
  return fd;
}

/**
 * Creates `file` for writing: exclusive (never an existing file, never through a symlink: O_EXCL
 * fails on any existing name, a dangling link included) with `mode`.
 */
export function createExclusive(file: string, mode = 0o600): number {
  return openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
}

/**
 * Copies a regular file. Returns false (nothing written) when `src` is a symlink or anything but a
 * regular file. Whatever sits at `dst` that is not a directory is removed first (a planted symlink is
 * removed, its target is not touched).
 */
export function copyRegularFile(src: string, dst: string, mode = 0o600): boolean {
  const from = openRegularFile(src);
  if (from === undefined) return false;
  try {
    removeNonDirectory(dst);
    const to = createExclusive(dst, mode);
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const n = readSync(from, buf, 0, buf.length, null);
        if (n === 0) break;
        for (let off = 0; off < n; ) off += writeSync(to, buf, off, n - off);
      }
    } finally {
      closeSync(to);
    }
    return true;
  } finally {
    closeSync(from);
  }
}

function removeNonDirectory(p: string): void {
  try {
    if (!lstatSync(p).isDirectory()) unlinkSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Removes everything under `dir` that is neither a directory nor a regular file (never following a
 * link) and returns what it removed, relative to `dir`.
 */
export function pruneNonRegular(dir: string, base = dir): string[] {
  const removed: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const st = lstatSync(p);
    if (st.isDirectory()) removed.push(...pruneNonRegular(p, base));
    else if (!st.isFile()) {
      rmSync(p, { force: true });
      removed.push(path.relative(base, p));
    }
  }
  return removed;
}

/**
 * Members of a tar archive (plain or gzip) that are not regular files or directories: symlinks,
 * hard links, devices, FIFOs. GNU tar's verbose listing starts every line with the member's type
 * and escapes control characters in names, so one line is one member.
 */
export function nonRegularMembers(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['-tvf', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`cannot read ${file}: ${stderr.trim() || `tar exit ${code}`}`));
        return;
      }
      resolve(stdout.split('\n').filter((l) => l !== '' && l[0] !== '-' && l[0] !== 'd'));
    });
  });
}
