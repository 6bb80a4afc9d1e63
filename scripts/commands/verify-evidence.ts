import { CliError } from '../lib/cli-error.ts';
import { containerName, dataVolume, type OpsContext } from '../lib/context.ts';
import { containerState, run, volumeExists } from '../lib/docker.ts';
import { selectPorts } from './lifecycle.ts';

const CHECK = ['node', 'dist/app/cli/verify-evidence.js'];

/**
 * `make verify-evidence PORT=`: checks a client's whole consent evidence chain. Asked of the running
 * container; a stopped client's data volume is checked by a throw-away container of its image
 * (no network). Prints the check's line; a broken chain (or no answer) exits non-zero.
 */
export async function verifyEvidence(
  ctx: OpsContext,
  portArg: string | undefined,
  out: (l: string) => void,
): Promise<void> {
  if (!portArg) throw new CliError('PORT is required: make verify-evidence PORT=6000');
  const [port] = selectPorts(ctx, portArg) as [number];
  const name = containerName(ctx, port);
  const state = await containerState(name);
  let r: Awaited<ReturnType<typeof run>>;
  if (state.state === 'running') {
    r = await run('docker', ['exec', name, ...CHECK]);
  } else {
    const volume = dataVolume(ctx, port);
    if (!(await volumeExists(volume))) {
      throw new CliError(`client ${port} has no data volume (never started): no evidence to check`);
    }
    const image = await run('docker', ['inspect', '--format', '{{.Image}}', name]);
    r = await run('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      '-e',
      `PORT=${port}`,
      '-v',
      `${volume}:/app/data`,
      image.code === 0 && image.stdout.trim() ? image.stdout.trim() : ctx.image,
      ...CHECK,
    ]);
  }
  for (const line of r.stdout.trimEnd().split('\n')) if (line) out(line);
  if (r.code === 1) throw new CliError(`client ${port}: the consent evidence chain is broken (see above)`);
  if (r.code !== 0) {
    throw new CliError(
      `could not check the consent evidence of client ${port}: ${r.stderr.trim() || `exit ${r.code}`}`,
      `make logs PORT=${port}`,
    );
  }
}
