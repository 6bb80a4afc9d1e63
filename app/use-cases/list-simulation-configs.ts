import type { V8Client, V8SimulationConfig } from '../adapters/v8/v8-client.ts';

export async function listSimulationConfigs(v8: V8Client): Promise<{ configs: V8SimulationConfig[] }> {
  return { configs: await v8.listSimulationConfigs() };
}
