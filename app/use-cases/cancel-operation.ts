import type { V8Client } from '../adapters/v8/v8-client.ts';
import type { V8Provider } from '../config/app-config.ts';

export interface CancelOperationCommand {
  readonly reason: string;
  readonly description?: string | undefined;
  readonly provider?: V8Provider | undefined;
}

export async function cancelOperation(
  v8: V8Client,
  operationId: string,
  cmd: CancelOperationCommand,
  ctx: { readonly defaultProvider: V8Provider },
): Promise<{ id: string; cancelRequested: true }> {
  await v8.cancelOperation(operationId, { ...cmd, provider: cmd.provider ?? ctx.defaultProvider });
  return { id: operationId, cancelRequested: true };
}
