import type { Clock } from '../adapters/clock.ts';
import type { AppConfig } from '../config/app-config.ts';
import { maskUsername } from '../config/mask.ts';

export interface HealthReport {
  status: 'ok';
  port: number;
  client: string;
  configFile: string;
  v8Username: string | null;
  version: string;
  uptimeS: number;
  startedAt: string;
}

export function describeHealth(config: AppConfig, clock: Clock, startedAt: number): HealthReport {
  return {
    status: 'ok',
    port: config.port,
    client: config.clientName,
    configFile: config.configFile,
    v8Username: maskUsername(config.v8.username),
    version: config.version,
    uptimeS: Math.round((clock.now() - startedAt) / 1000),
    startedAt: new Date(startedAt).toISOString(),
  };
}
