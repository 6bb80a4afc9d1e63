import type { V8Client, V8Simulation } from '../adapters/v8/v8-client.ts';
import type { V8Provider } from '../config/app-config.ts';

export interface SimulateCommand {
  readonly consultId: string;
  readonly configId: string;
  readonly installments: number;
  readonly installmentValue?: number | undefined;
  readonly disbursedAmount?: number | undefined;
  readonly provider?: V8Provider | undefined;
}

export function simulate(
  v8: V8Client,
  cmd: SimulateCommand,
  ctx: { readonly defaultProvider: V8Provider },
): Promise<V8Simulation> {
  return v8.simulate({ ...cmd, provider: cmd.provider ?? ctx.defaultProvider });
}
