import { chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseConfigText } from '../../app/config/load-config.ts';
import { clientConfigFile, type OpsContext } from './context.ts';

/** uid/gid of the `node` user the container runs as: it must be able to read the 0600 config. */
export const CONTAINER_UID = 1000;

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

/** As root, hand the files to the container user; otherwise they already belong to the operator. */
export function giveToContainerUser(paths: readonly string[]): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  for (const p of paths) chownSync(p, CONTAINER_UID, CONTAINER_UID);
}
