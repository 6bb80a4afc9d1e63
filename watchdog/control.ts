// Host side of `make watchdog`: starts, updates or stops the watchdog container
// (docker-compose.watchdog.yml). Not mounted code of the watchdog itself: it runs in the CLI.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from '../scripts/lib/cli-error.ts';
import { giveFolderToService } from '../scripts/lib/client-files.ts';
import type { OpsContext } from '../scripts/lib/context.ts';
import { containerState, run } from '../scripts/lib/docker.ts';

export const watchdogName = (ctx: OpsContext) => `${ctx.prefix}-watchdog`;
export const watchdogLogDir = (ctx: OpsContext) => path.join(ctx.home, 'logs', 'watchdog');

function socketPath(): string {
  const host = process.env.DOCKER_HOST;
  if (host && !host.startsWith('unix://')) {
    throw new CliError(
      `DOCKER_HOST=${host}: the watchdog needs the engine's local unix socket`,
      'unset DOCKER_HOST or point it at unix:///var/run/docker.sock',
    );
  }
  return host ? host.slice('unix://'.length) : process.env.DOCKER_SOCKET || '/var/run/docker.sock';
}

const SETTINGS = [
  'WATCHDOG_UNHEALTHY_S',
  'WATCHDOG_INTERVAL_S',
  'WATCHDOG_STOP_TIMEOUT_S',
  'WATCHDOG_MAX_DELAY_S',
] as const;

/**
 * Settings given now win; otherwise those of the running watchdog are kept (a `make upgrade` or a
 * second `make watchdog` must not silently reset them to the defaults).
 */
async function effectiveSettings(ctx: OpsContext): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const r = await run('docker', ['inspect', '--format', '{{json .Config.Env}}', watchdogName(ctx)]);
  const current = new Map<string, string>();
  if (r.code === 0) {
    for (const kv of JSON.parse(r.stdout) as string[]) {
      const i = kv.indexOf('=');
      current.set(kv.slice(0, i), kv.slice(i + 1));
    }
  }
  for (const k of SETTINGS) {
    const v = process.env[k] || current.get(k);
    if (v) out[k] = v;
  }
  return out;
}

function composeWatchdog(
  ctx: OpsContext,
  args: readonly string[],
  gid = '0',
  settings: Record<string, string> = {},
) {
  return run(
    'docker',
    ['compose', '-f', path.join(ctx.repo, 'docker-compose.watchdog.yml'), '-p', watchdogName(ctx), ...args],
    {
      ...process.env,
      ...settings,
      CLT_V8_PREFIX: ctx.prefix,
      CLT_V8_IMAGE: ctx.image,
      CLT_V8_HOME: ctx.home,
      DOCKER_SOCKET: socketPath(),
      DOCKER_GID: gid,
    },
  );
}

export async function watchdogRunning(ctx: OpsContext): Promise<boolean> {
  return (await containerState(watchdogName(ctx))).state === 'running';
}

/** Creates or updates (new settings, new image) the watchdog container and checks it started. */
export async function watchdogUp(ctx: OpsContext, out: (l: string) => void): Promise<void> {
  const socket = socketPath();
  if (!existsSync(socket) || !statSync(socket).isSocket()) {
    throw new CliError(`${socket} is not the Docker socket`, 'set DOCKER_SOCKET= to its path');
  }
  const gid = String(statSync(socket).gid);
  const logDir = watchdogLogDir(ctx);
  mkdirSync(logDir, { recursive: true, mode: 0o750 });
  giveFolderToService(logDir);
  const settings = await effectiveSettings(ctx);
  const r = await composeWatchdog(ctx, ['up', '-d', '--no-build', '--remove-orphans'], gid, settings);
  if (r.code !== 0) throw new CliError(`could not start the watchdog: ${r.stderr.trim()}`);
  // It logs one "start" line, then looks at the clients; a bad socket permission shows at once.
  for (let i = 0; i < 25; i++) {
    const st = await containerState(watchdogName(ctx));
    if (st.state !== 'running' && st.state !== 'created') {
      const logs = await run('docker', ['logs', '--tail', '5', watchdogName(ctx)]);
      throw new CliError(`the watchdog stopped (${st.state}): ${`${logs.stdout}${logs.stderr}`.trim()}`);
    }
    const logs = await run('docker', ['logs', '--tail', '5', watchdogName(ctx)]);
    if (/"event":"docker_api","error"/.test(logs.stdout)) {
      throw new CliError(`the watchdog cannot use the Docker API: ${logs.stdout.trim().split('\n').at(-1)}`);
    }
    if (/"event":"start"/.test(logs.stdout) && i >= 3) break;
    await sleep(200);
  }
  out(
    `watchdog ${watchdogName(ctx)} running: restarts a client unhealthy for ${settings.WATCHDOG_UNHEALTHY_S || 120} s; log in ${path.relative(ctx.home, logDir) || logDir}/watchdog.log`,
  );
}

export async function watchdogDown(ctx: OpsContext, out: (l: string) => void): Promise<void> {
  // --volumes: the shared volume only ever holds the proxy's socket.
  const r = await composeWatchdog(ctx, ['down', '--volumes', '--remove-orphans']);
  if (r.code !== 0) throw new CliError(`could not stop the watchdog: ${r.stderr.trim()}`);
  out(`watchdog ${watchdogName(ctx)} stopped`);
}

/** `make watchdog [STOP=1]`. */
export async function watchdog(ctx: OpsContext, stop: boolean, out: (l: string) => void): Promise<void> {
  if (stop) await watchdogDown(ctx, out);
  else await watchdogUp(ctx, out);
}
