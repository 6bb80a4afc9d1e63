import { existsSync, readFileSync } from 'node:fs';
import { parseConfigText } from '../../app/config/load-config.ts';
import { CliError } from '../lib/cli-error.ts';
import { clientConfigFile, healthProbe, type OpsContext } from '../lib/context.ts';
import { addClient } from './add-client.ts';
import { buildImage } from './build.ts';
import { up } from './lifecycle.ts';

export const SANDBOX_PORTS = [4000, 5000] as const;

/** The README's first command: two sandbox clients wired to their own fake V8 and fake Kentro. */
export async function sandbox(ctx: OpsContext, out: (l: string) => void): Promise<void> {
  // A demo must run the code of this checkout: build (layer cache makes an unchanged tree quick).
  await buildImage(ctx, out);
  for (const port of SANDBOX_PORTS) {
    if (existsSync(clientConfigFile(ctx, port))) await up(ctx, String(port), out);
    else await addClient(ctx, { port: String(port), name: `Sandbox ${port}`, sandbox: true }, out);
    await registerWebhooks(ctx, port, out);
  }
}

/**
 * The fake V8 keeps webhook registrations in memory, so they are made again at every start, the
 * way an operator does once for a real client (POST /api/v1/v8/webhooks/register).
 */
async function registerWebhooks(ctx: OpsContext, port: number, out: (l: string) => void): Promise<void> {
  const token = parseConfigText(readFileSync(clientConfigFile(ctx, port), 'utf8'), 'config.env').raw
    .API_TOKEN;
  const { host } = healthProbe(ctx, port);
  const res = await fetch(`http://${host}:${port}/api/v1/v8/webhooks/register`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok)
    throw new CliError(`client ${port}: webhook registration at the fake V8 failed (HTTP ${res.status})`);
  out(`client ${port}: V8 webhooks registered (margin results arrive by webhook)`);
}
