import type { OperationBorrower, V8Client, V8OperationCreated } from '../adapters/v8/v8-client.ts';
import type { V8Provider } from '../config/app-config.ts';

export interface CreateOperationCommand {
  readonly simulationId: string;
  readonly provider?: V8Provider | undefined;
  readonly borrower: OperationBorrower;
}

/** Creates the proposal (CCB). Never repeated on failure: a second call could create a second contract. */
export function createOperation(
  v8: V8Client,
  cmd: CreateOperationCommand,
  ctx: { readonly defaultProvider: V8Provider },
): Promise<V8OperationCreated> {
  return v8.createOperation({ ...cmd, provider: cmd.provider ?? ctx.defaultProvider });
}
