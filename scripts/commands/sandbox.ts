import { existsSync } from 'node:fs';
import { clientConfigFile, type OpsContext } from '../lib/context.ts';
import { addClient } from './add-client.ts';
import { up } from './lifecycle.ts';

export const SANDBOX_PORTS = [4000, 5000] as const;

/** The README's first command: two sandbox clients wired to their own fake V8 and fake Kentro. */
export async function sandbox(ctx: OpsContext, out: (l: string) => void): Promise<void> {
  for (const port of SANDBOX_PORTS) {
    if (existsSync(clientConfigFile(ctx, port))) await up(ctx, String(port), out);
    else await addClient(ctx, { port: String(port), name: `Sandbox ${port}`, sandbox: true }, out);
  }
}
