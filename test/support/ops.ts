// Drives the operator CLI (the same code `make` runs) against a throw-away CLT_V8_HOME.
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './wait.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEST_IMAGE = process.env.CLT_V8_TEST_IMAGE || 'clt-v8-service:test';
export const TEST_PREFIX = 'cltv8t';

export interface CtlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class OpsHome {
  readonly dir: string;
  private readonly ports = new Set<number>();

  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'cltv8-home-'));
  }

  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      CLT_V8_HOME: this.dir,
      CLT_V8_PREFIX: TEST_PREFIX,
      CLT_V8_IMAGE: TEST_IMAGE,
      BIND_ADDRESS: '127.0.0.1',
      HEALTH_TIMEOUT_S: '90',
    };
  }

  ctl(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CtlResult> {
    const port = args[args.indexOf('--port') + 1];
    if (args.includes('--port') && port && /^\d+$/.test(port)) this.ports.add(Number(port));
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [path.join(REPO, 'scripts/clientctl.ts'), ...args],
        { env: { ...this.env(), ...extraEnv }, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
        },
      );
    });
  }

  /**
   * A started client whose console the test signs in to over plain HTTP through the published port:
   * inside the container that comes from the network's gateway, not loopback, so the client's config
   * allows it (CONSOLE_ALLOW_INSECURE_HTTP). Returns add-client's answer (it holds the password).
   */
  async addConsoleClient(port: number, name: string): Promise<CtlResult> {
    const added = await this.ctl(['add-client', '--port', String(port), '--name', name, '--no-start']);
    if (added.code !== 0) return added;
    const file = this.configFile(port);
    writeFileSync(file, setConfigKeys(file, { CONSOLE_ALLOW_INSECURE_HTTP: 'true' }));
    const up = await this.ctl(['up', '--port', String(port)]);
    return up.code === 0 ? added : up;
  }

  configFile(port: number): string {
    return path.join(this.dir, 'clients', String(port), 'config.env');
  }

  logFile(port: number, kind: 'out' | 'error' | 'combined'): string {
    return path.join(this.dir, 'logs', String(port), `${kind}-${port}.log`);
  }

  readLog(port: number, kind: 'out' | 'error' | 'combined'): string {
    try {
      return readFileSync(this.logFile(port, kind), 'utf8');
    } catch {
      return '';
    }
  }

  async cleanup(): Promise<void> {
    for (const port of this.ports) await this.ctl(['remove-client', '--port', String(port), '--purge']);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A port nobody listens on now, from a range per caller to keep parallel test files apart. */
export async function freePort(from = 20000 + Math.floor(Math.random() * 30000)): Promise<number> {
  for (let p = from; p < 65000; p++) {
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.once('listening', () => s.close(() => resolve(true)));
      s.listen({ port: p, host: '0.0.0.0', exclusive: true });
    });
    if (free) return p;
  }
  throw new Error('no free port found');
}

export function docker(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function dockerJson<T>(args: string[]): T {
  const r = docker(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export function setConfigKeys(file: string, keys: Record<string, string>): string {
  let text = readFileSync(file, 'utf8');
  for (const [k, v] of Object.entries(keys)) {
    const re = new RegExp(`^${k}=.*$`, 'm');
    text = re.test(text) ? text.replace(re, `${k}=${v}`) : `${text.trimEnd()}\n${k}=${v}\n`;
  }
  return text;
}

/**
 * Waits until a client's log files hold everything logged so far: one refused request with a unique
 * request id is logged to out, error and combined, and lines are written in order, so once its
 * marker is in a file, every earlier line is too. Replaces "sleep a bit and hope the logs flushed".
 */
export async function settleLogs(home: OpsHome, port: number): Promise<void> {
  const marker = `settle-${randomUUID()}`;
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/settle-logs`, {
    headers: { 'x-request-id': marker },
  });
  await r.arrayBuffer();
  await waitUntil(
    () => (['out', 'error', 'combined'] as const).every((kind) => home.readLog(port, kind).includes(marker)),
    30_000,
    () => `request ${marker} to appear in the out, error and combined logs of ${port}`,
    100,
  );
}
