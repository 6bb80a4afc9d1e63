import { existsSync } from 'node:fs';
import { ensureVolumeOwner } from '../lib/archive.ts';
import { CliError } from '../lib/cli-error.ts';
import { listClientPorts, SERVICE_USER, secureClientFiles } from '../lib/client-files.ts';
import { clientConfigFile, composeEnv, containerName, healthProbe, type OpsContext } from '../lib/context.ts';
import { compose, composeArgs, run, runInherit } from '../lib/docker.ts';
import { parsePort } from '../lib/ports.ts';
import { waitHealthy } from '../lib/wait-healthy.ts';
import { ensureImage } from './build.ts';

const UP_CONCURRENCY = 4;

async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(lanes);
}

/** PORT= given: that client, which must exist; otherwise every client under clients/. */
export function selectPorts(ctx: OpsContext, portArg: string | undefined): number[] {
  if (portArg === undefined || portArg === '') return listClientPorts(ctx);
  const checked = parsePort(portArg);
  if (!checked.ok) throw new CliError(checked.error);
  if (!existsSync(clientConfigFile(ctx, checked.port))) {
    throw new CliError(
      `client ${checked.port} does not exist`,
      `create it with make add-client PORT=${checked.port}`,
    );
  }
  return [checked.port];
}

/**
 * Before a client's container is (re)created: its files and data volume belong to the service's
 * uid/gid. A container still running as another uid (made before the service had its own) is
 * stopped first, so nothing is taken from under a running process; it is recreated right after.
 */
export async function prepareForService(ctx: OpsContext, port: number): Promise<void> {
  secureClientFiles(ctx, port);
  const r = await run('docker', ['inspect', '--format', '{{.Config.User}}', containerName(ctx, port)]);
  if (r.code === 0 && r.stdout.trim() !== SERVICE_USER) await compose(ctx, port, ['stop']);
  await ensureVolumeOwner(ctx, port, ctx.image);
}

export async function up(
  ctx: OpsContext,
  portArg: string | undefined,
  out: (l: string) => void,
): Promise<void> {
  const ports = selectPorts(ctx, portArg);
  if (ports.length === 0) throw new CliError('no client yet', 'create one with make add-client PORT=6000');
  await ensureImage(ctx, out);
  // A few projects at a time: compose itself is mostly waiting on the engine.
  const failures: string[] = [];
  await eachLimited(ports, UP_CONCURRENCY, async (port) => {
    await prepareForService(ctx, port);
    const r = await compose(ctx, port, ['up', '-d', '--no-build']);
    if (r.code !== 0) failures.push(`client ${port}: docker compose up failed: ${r.stderr.trim()}`);
  });
  if (failures.length > 0)
    throw new CliError(failures.join('\n'), 'see make status and make logs PORT=<port>');
  // Health is awaited after all are started so their start-ups overlap.
  const results = await Promise.all(
    ports.map(
      async (p) =>
        [p, await waitHealthy(containerName(ctx, p), ctx.healthTimeoutS, healthProbe(ctx, p))] as const,
    ),
  );
  const failed = results.filter(([, w]) => !w.ok);
  for (const [p, w] of results)
    out(`client ${p}: ${w.ok ? `healthy (${(w.ms / 1000).toFixed(1)} s)` : 'NOT healthy'}`);
  if (failed.length > 0) {
    throw new CliError(
      `${failed.length} client(s) not healthy: ${failed.map(([p]) => p).join(', ')}`,
      'see make logs PORT=<port> and make status',
    );
  }
}

export async function down(
  ctx: OpsContext,
  portArg: string | undefined,
  out: (l: string) => void,
): Promise<void> {
  for (const port of selectPorts(ctx, portArg)) {
    const r = await compose(ctx, port, ['down', '--remove-orphans']);
    if (r.code !== 0) throw new CliError(`client ${port}: docker compose down failed: ${r.stderr.trim()}`);
    out(`client ${port}: stopped (config, logs and data kept)`);
  }
}

/** Recreates the container so an edited config file applies. */
export async function restart(
  ctx: OpsContext,
  portArg: string | undefined,
  out: (l: string) => void,
): Promise<void> {
  if (!portArg) throw new CliError('PORT is required: make restart PORT=6000');
  const [port] = selectPorts(ctx, portArg) as [number];
  await prepareForService(ctx, port);
  // Only the api container is recreated: a sandbox client's fakes keep their data.
  for (const args of [
    ['up', '-d', '--no-build'],
    ['up', '-d', '--no-build', '--force-recreate', '--no-deps', 'api'],
  ]) {
    const r = await compose(ctx, port, args);
    if (r.code !== 0) throw new CliError(`client ${port}: docker compose up failed: ${r.stderr.trim()}`);
  }
  const w = await waitHealthy(containerName(ctx, port), ctx.healthTimeoutS, healthProbe(ctx, port));
  if (!w.ok)
    throw new CliError(
      `client ${port} is not healthy after restart (${w.state}/${w.health})`,
      `see make logs PORT=${port}`,
    );
  out(`client ${port}: recreated and healthy (${(w.ms / 1000).toFixed(1)} s)`);
}

export async function logs(
  ctx: OpsContext,
  portArg: string | undefined,
  lines: string | undefined,
): Promise<void> {
  if (!portArg) throw new CliError('PORT is required: make logs PORT=6000 [LINES=20]');
  const [port] = selectPorts(ctx, portArg) as [number];
  const n = lines && /^\d+$/.test(lines) ? lines : '20';
  const code = await runInherit(
    'docker',
    composeArgs(ctx, port, ['logs', '--no-color', '--tail', n, 'api']),
    composeEnv(ctx, port),
  );
  if (code !== 0) throw new CliError(`docker compose logs failed for client ${port}`);
}
