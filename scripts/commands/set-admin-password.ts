import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseConfigText } from '../../app/config/load-config.ts';
import { hashPassword } from '../../app/domain/password-hash.ts';
import { CliError } from '../lib/cli-error.ts';
import { giveToContainerUser } from '../lib/client-files.ts';
import { clientConfigFile, containerName, type OpsContext } from '../lib/context.ts';
import { containerState } from '../lib/docker.ts';
import { restart, selectPorts } from './lifecycle.ts';

/** Replaces ADMIN_PASSWORD_HASH in the client's file (the password itself is never stored). */
export async function setAdminPassword(
  ctx: OpsContext,
  portArg: string | undefined,
  password: string | undefined,
  out: (l: string) => void,
): Promise<void> {
  if (!portArg) throw new CliError('PORT is required: make set-admin-password PORT=6000 [PASSWORD=...]');
  const [port] = selectPorts(ctx, portArg) as [number];
  const chosen = password ?? randomBytes(12).toString('base64url');
  if (chosen.length < 10) throw new CliError('the console password must have at least 10 characters');
  const file = clientConfigFile(ctx, port);
  const text = readFileSync(file, 'utf8');
  const line = `ADMIN_PASSWORD_HASH=${hashPassword(chosen)}`;
  const next = /^ADMIN_PASSWORD_HASH=.*$/m.test(text)
    ? text.replace(/^ADMIN_PASSWORD_HASH=.*$/m, line)
    : `${text.trimEnd()}\n${line}\n`;
  parseConfigText(next, file);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, next, { mode: 0o600 });
  giveToContainerUser([tmp]);
  renameSync(tmp, file);
  out(password ? 'console password changed' : `new console password (shown only now): ${chosen}`);
  // A stopped client reads it at its next start; setting a password must not start it.
  const state = await containerState(containerName(ctx, port));
  if (state.state === 'running' || state.state === 'restarting') await restart(ctx, String(port), out);
  else out(`client ${port} is not running: the password applies at its next start (make up PORT=${port})`);
}
