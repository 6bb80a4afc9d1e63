import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../lib/cli-error.ts';
import { clientDir, clientLogDir, dataVolume, type OpsContext } from '../lib/context.ts';
import { compose, run, volumeExists } from '../lib/docker.ts';
import { parsePort } from '../lib/ports.ts';

/**
 * Stops the client and frees its port. Unless PURGE=1, its config, logs and data are archived
 * under archive/<PORT>-<time>/ first, so a later client on the same port starts from nothing.
 */
export async function removeClient(
  ctx: OpsContext,
  portArg: string | undefined,
  purge: boolean,
  out: (l: string) => void,
): Promise<void> {
  const checked = parsePort(portArg);
  if (!checked.ok) throw new CliError(checked.error);
  const port = checked.port;
  const dir = clientDir(ctx, port);
  const hasVolume = await volumeExists(dataVolume(ctx, port));
  if (!existsSync(dir) && !hasVolume) throw new CliError(`client ${port} does not exist`);

  const down = await compose(ctx, port, ['down', '--remove-orphans']);
  if (down.code !== 0) throw new CliError(`docker compose down failed: ${down.stderr.trim()}`);

  if (!purge) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const archive = path.join(ctx.home, 'archive', `${port}-${stamp}`);
    mkdirSync(archive, { recursive: true, mode: 0o700 });
    if (existsSync(dir)) cpSync(dir, path.join(archive, 'client'), { recursive: true });
    if (existsSync(clientLogDir(ctx, port)))
      cpSync(clientLogDir(ctx, port), path.join(archive, 'logs'), { recursive: true });
    if (hasVolume) {
      const image = ctx.image;
      const r = await run('docker', [
        'run',
        '--rm',
        '--user',
        '0',
        '--entrypoint',
        'tar',
        '-v',
        `${dataVolume(ctx, port)}:/data:ro`,
        '-v',
        `${archive}:/out`,
        image,
        '-C',
        '/data',
        '-czf',
        '/out/data.tar.gz',
        '.',
      ]);
      if (r.code !== 0)
        throw new CliError(
          `could not archive the data volume: ${r.stderr.trim()}`,
          'nothing was deleted; retry',
        );
    }
    out(`client ${port}: archived to ${path.relative(ctx.home, archive)}/`);
  }
  await compose(ctx, port, ['down', '--volumes', '--remove-orphans']);
  rmSync(dir, { recursive: true, force: true });
  rmSync(clientLogDir(ctx, port), { recursive: true, force: true });
  out(`client ${port}: removed${purge ? ' and purged (config, logs and data deleted)' : ''}`);
}
