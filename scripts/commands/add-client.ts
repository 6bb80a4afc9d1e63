import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfigText } from '../../app/config/load-config.ts';
import { hashPassword } from '../../app/domain/password-hash.ts';
import { CliError } from '../lib/cli-error.ts';
import { secureClientFiles } from '../lib/client-files.ts';
import {
  clientConfigFile,
  clientDir,
  clientLogDir,
  clientSandboxFile,
  containerName,
  dataVolume,
  healthProbe,
  type OpsContext,
} from '../lib/context.ts';
import { compose, containerState, hostPortInUse, volumeExists } from '../lib/docker.ts';
import { parsePort } from '../lib/ports.ts';
import { sandboxValues } from '../lib/sandbox-values.ts';
import { renderTemplate } from '../lib/template.ts';
import { waitHealthy } from '../lib/wait-healthy.ts';
import { ensureImage } from './build.ts';

export interface AddClientInput {
  readonly port: string | undefined;
  readonly name: string | undefined;
  readonly sandbox: boolean;
  /** Only write the files (a later `make up` starts it); nothing is started or awaited. */
  readonly noStart?: boolean;
}

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

/** The old 8-step runbook in one command; on any failure nothing it created is left behind. */
export async function addClient(
  ctx: OpsContext,
  input: AddClientInput,
  out: (line: string) => void,
): Promise<void> {
  const checked = parsePort(input.port);
  if (!checked.ok) throw new CliError(checked.error);
  const port = checked.port;
  const name = (input.name ?? `Cliente ${port}`).trim();
  if (name.length === 0 || name.length > 80) throw new CliError('NAME must have 1 to 80 characters');

  const dir = clientDir(ctx, port);
  if (existsSync(dir)) {
    throw new CliError(
      `client ${port} already exists (${path.relative(ctx.home, dir)}/)`,
      `use make restart PORT=${port} to apply changes, or make remove-client PORT=${port} first`,
    );
  }
  if (
    (await containerState(containerName(ctx, port))).exists ||
    (await volumeExists(dataVolume(ctx, port)))
  ) {
    throw new CliError(
      `a container or data volume of an earlier client ${port} still exists`,
      `remove it with make remove-client PORT=${port} PURGE=1, or choose another port`,
    );
  }
  if (await hostPortInUse(port)) {
    throw new CliError(
      `port ${port} is already in use on this host`,
      'choose a free port (ss -ltn shows used ones)',
    );
  }
  await ensureImage(ctx, out);

  const adminPassword = token(12);
  const sandbox = input.sandbox ? sandboxValues(port) : undefined;
  const values: Record<string, string> = {
    PORT: String(port),
    CLIENT_NAME: name,
    API_TOKEN: token(32),
    WEBHOOK_SECRET: token(24),
    ADMIN_PASSWORD_HASH: hashPassword(adminPassword),
    ...sandbox?.config,
  };
  const template = readFileSync(path.join(ctx.repo, 'clients/template/config.env.template'), 'utf8');
  const configText = renderTemplate(template, values);
  // The template and the schema must agree before anything is written.
  parseConfigText(configText, clientConfigFile(ctx, port));

  const logDir = clientLogDir(ctx, port);
  const createdLogDir = !existsSync(logDir);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(clientConfigFile(ctx, port), configText, { mode: 0o600, flag: 'wx' });
    if (sandbox) {
      const lines = Object.entries(sandbox.fakes).map(([k, v]) => `${k}=${v}`);
      writeFileSync(clientSandboxFile(ctx, port), `${lines.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
    }
    mkdirSync(logDir, { recursive: true, mode: 0o750 });
    secureClientFiles(ctx, port);

    if (input.noStart) {
      out(`client ${port} (${name}) created, not started: make up PORT=${port}`);
      out(`Console password for /config-v8 (shown only now, keep it safe): ${adminPassword}`);
      return;
    }
    out(`starting client ${port} (${name})${sandbox ? ' in sandbox mode' : ''}...`);
    const up = await compose(ctx, port, ['up', '-d', '--no-build']);
    if (up.code !== 0) throw new CliError(`docker compose up failed for client ${port}: ${up.stderr.trim()}`);
    const waited = await waitHealthy(containerName(ctx, port), ctx.healthTimeoutS, healthProbe(ctx, port));
    if (!waited.ok) {
      const logs = await compose(ctx, port, ['logs', '--no-color', '--tail', '20', 'api']);
      throw new CliError(
        `client ${port} did not become healthy (state ${waited.state}, health ${waited.health}); last log lines:\n${logs.stdout.trim()}`,
        'fix the cause above and run make add-client again',
      );
    }
    out(`client ${port} is healthy after ${(waited.ms / 1000).toFixed(1)} s`);
  } catch (err) {
    await compose(ctx, port, ['down', '--volumes', '--remove-orphans']);
    rmSync(dir, { recursive: true, force: true });
    if (createdLogDir) rmSync(logDir, { recursive: true, force: true });
    throw err;
  }

  out('');
  out(
    `Console password for http://<host>:${port}/config-v8 (shown only now, keep it safe): ${adminPassword}`,
  );
  out(`API token: API_TOKEN in clients/${port}/config.env (send it as "Authorization: Bearer <API_TOKEN>")`);
  if (sandbox) {
    out('Sandbox: V8 and Kentro are fakes inside this client project; try the curl examples in README.md.');
  } else {
    out('Next steps:');
    out(
      `  1. Fill in V8_CLIENT_ID, V8_USERNAME, V8_PASSWORD (or save them at /config-v8) and the KENTRO_* keys`,
    );
    out(`     in clients/${port}/config.env (documented in docs/CONFIG.md)`);
    out(`  2. Set PUBLIC_BASE_URL, then make restart PORT=${port}`);
    out(`  3. Register the V8 webhooks: POST /api/v1/v8/webhooks/register`);
  }
}
