import { readFileSync } from 'node:fs';
import { toAppConfig } from '../../app/config/app-config.ts';
import { parseConfigText } from '../../app/config/load-config.ts';
import { configTable, describeConfig } from '../../app/use-cases/console/describe-config.ts';
import { CliError } from '../lib/cli-error.ts';
import { clientConfigFile, containerName, type OpsContext } from '../lib/context.ts';
import { containerState, run } from '../lib/docker.ts';
import { selectPorts } from './lifecycle.ts';

/**
 * `make config PORT=`: the client's effective configuration, masked, with each value's source.
 * Asked of the running container (it alone can read the console overrides in its data volume);
 * when it is not running, the config file alone is shown, and said so.
 */
export async function showConfig(
  ctx: OpsContext,
  portArg: string | undefined,
  json: boolean,
  out: (l: string) => void,
): Promise<void> {
  if (!portArg) throw new CliError('PORT is required: make config PORT=6000');
  const [port] = selectPorts(ctx, portArg) as [number];
  const name = containerName(ctx, port);
  const state = await containerState(name);
  if (state.state === 'running') {
    const r = await run('docker', [
      'exec',
      name,
      'node',
      'dist/app/cli/show-config.js',
      ...(json ? ['--json'] : []),
    ]);
    if (r.code !== 0) {
      throw new CliError(
        `could not read the configuration of client ${port}: ${r.stderr.trim() || `exit ${r.code}`}`,
        `make logs PORT=${port}`,
      );
    }
    if (r.stderr.trim()) process.stderr.write(r.stderr);
    for (const line of r.stdout.trimEnd().split('\n')) out(line);
    return;
  }

  const file = clientConfigFile(ctx, port);
  const loaded = parseConfigText(readFileSync(file, 'utf8'), file);
  const config = toAppConfig(loaded, { port, configDir: '', dataDir: '', logDir: '' });
  const view = describeConfig(config, {
    location: '(data volume: not read, the container is not running)',
    updatedAt: null,
  });
  if (json) {
    out(JSON.stringify(view, null, 2));
    return;
  }
  out(`note: container ${name} is ${state.state}; showing clients/${port}/config.env alone.`);
  out('      Values saved from the /config-v8 console (if any) apply on top of these; start it to see them.');
  for (const line of configTable(view)) out(line);
}
