import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { clientSandboxFile, composeEnv, type OpsContext, projectName } from './context.ts';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Streams output to the terminal (logs -f, build). */
export function runInherit(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: 'inherit' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

export function composeArgs(ctx: OpsContext, port: number, args: readonly string[]): string[] {
  const profiles = existsSync(clientSandboxFile(ctx, port)) ? ['--profile', 'sandbox'] : [];
  return [
    'compose',
    '-f',
    `${ctx.repo}/docker-compose.yml`,
    '-p',
    projectName(ctx, port),
    ...profiles,
    ...args,
  ];
}

export function compose(ctx: OpsContext, port: number, args: readonly string[]): Promise<RunResult> {
  return run('docker', composeArgs(ctx, port, args), composeEnv(ctx, port));
}

export interface ContainerState {
  readonly exists: boolean;
  readonly state: string;
  readonly health: string;
  readonly startedAt: string | undefined;
}

export async function containerState(name: string): Promise<ContainerState> {
  const r = await run('docker', [
    'inspect',
    '--format',
    '{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}|{{.State.StartedAt}}',
    name,
  ]);
  if (r.code !== 0) return { exists: false, state: 'absent', health: '-', startedAt: undefined };
  const [state = '?', health = '?', startedAt] = r.stdout.trim().split('|');
  return { exists: true, state, health, startedAt };
}

export async function volumeExists(name: string): Promise<boolean> {
  return (await run('docker', ['volume', 'inspect', name])).code === 0;
}

export async function imageExists(image: string): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', image])).code === 0;
}

/** True when something on this host already listens on the port (any address). */
export function hostPortInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code === 'EADDRINUSE' || err.code === 'EACCES'),
    );
    server.once('listening', () => server.close(() => resolve(false)));
    server.listen({ port, host: '0.0.0.0', exclusive: true });
  });
}
