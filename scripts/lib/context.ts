import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { subnetForPort } from './ports.ts';

/** Where the operator's files live and how the per-client Compose projects are named. */
export interface OpsContext {
  /** Repository root: docker-compose.yml and the template. */
  readonly repo: string;
  /** Folder holding clients/ and logs/ (CLT_V8_HOME; the repository by default). */
  readonly home: string;
  readonly prefix: string;
  readonly image: string;
  readonly baseImage: string | undefined;
  readonly bindAddress: string;
  readonly healthTimeoutS: number;
}

export function opsContext(env: NodeJS.ProcessEnv = process.env): OpsContext {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  return {
    repo,
    home: path.resolve(env.CLT_V8_HOME || repo),
    prefix: env.CLT_V8_PREFIX || 'clt-v8',
    image: env.CLT_V8_IMAGE || 'clt-v8-service:latest',
    baseImage: env.BASE_IMAGE || undefined,
    bindAddress: env.BIND_ADDRESS || '0.0.0.0',
    healthTimeoutS: Number(env.HEALTH_TIMEOUT_S || 60),
  };
}

export const clientDir = (ctx: OpsContext, port: number) => path.join(ctx.home, 'clients', String(port));
export const clientConfigFile = (ctx: OpsContext, port: number) =>
  path.join(clientDir(ctx, port), 'config.env');
export const clientSandboxFile = (ctx: OpsContext, port: number) =>
  path.join(clientDir(ctx, port), 'sandbox.env');
export const clientLogDir = (ctx: OpsContext, port: number) => path.join(ctx.home, 'logs', String(port));
export const projectName = (ctx: OpsContext, port: number) => `${ctx.prefix}-${port}`;
export const containerName = (ctx: OpsContext, port: number) => `${ctx.prefix}-${port}`;
export const dataVolume = (ctx: OpsContext, port: number) => `${projectName(ctx, port)}_data`;

/** Where the operator's machine reaches a client's /health (the published port). */
export function healthProbe(ctx: OpsContext, port: number): { host: string; port: number } {
  const host = ctx.bindAddress === '0.0.0.0' || ctx.bindAddress === '::' ? '127.0.0.1' : ctx.bindAddress;
  return { host, port };
}

/** Variables docker-compose.yml interpolates for one client. */
export function composeEnv(ctx: OpsContext, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: String(port),
    SUBNET: subnetForPort(port),
    CLT_V8_HOME: ctx.home,
    CLT_V8_PREFIX: ctx.prefix,
    CLT_V8_IMAGE: ctx.image,
    BIND_ADDRESS: ctx.bindAddress,
    ...(ctx.baseImage ? { BASE_IMAGE: ctx.baseImage } : {}),
  };
}
