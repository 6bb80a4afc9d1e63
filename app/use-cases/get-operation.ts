import type { V8Client, V8Operation } from '../adapters/v8/v8-client.ts';
import type { V8Provider } from '../config/app-config.ts';
import { isTerminalOperationStatus } from '../domain/v8-status.ts';

export async function getOperation(
  v8: V8Client,
  operationId: string,
  provider?: V8Provider,
): Promise<V8Operation & { readonly terminal: boolean }> {
  const op = await v8.getOperation(operationId, provider);
  return { ...op, terminal: isTerminalOperationStatus(op.status) };
}
