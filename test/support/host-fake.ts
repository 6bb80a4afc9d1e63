// A fake V8 running in the test process, reached by client containers through their own network's
// gateway, plus a small caller of a client's published API that keeps every answer it received
// (so canary tests can search them).
import { readFileSync, writeFileSync } from 'node:fs';
import {
  type FakeV8Account,
  type FakeV8Handle,
  type FakeV8Options,
  type LoggedRequest,
  startFakeV8,
} from '../../sandbox/fake-v8/fake-v8-server.ts';
import { subnetForPort } from '../../scripts/lib/ports.ts';
import { docker, freePort, type OpsHome, setConfigKeys, TEST_PREFIX } from './ops.ts';

export type { FakeV8Account, FakeV8Handle, LoggedRequest };

/**
 * Listens on 0.0.0.0 (a container reaches the host at its network's gateway address, not at
 * 127.0.0.1) on a free port of the given range.
 */
export async function startHostFake(portFrom: number, options: FakeV8Options = {}): Promise<FakeV8Handle> {
  const port = await freePort(portFrom);
  return startFakeV8({ ...options, host: '0.0.0.0', port });
}

/** First address of the client's /28 (subnetForPort): where Docker puts the bridge gateway. */
export function expectedGateway(port: number): string {
  const [net = ''] = subnetForPort(port).split('/');
  const parts = net.split('.').map(Number);
  parts[3] = (parts[3] ?? 0) + 1;
  return parts.join('.');
}

/** The gateway Docker actually gave the client container (one network per client). */
export function containerGateway(port: number): string {
  const r = docker([
    'inspect',
    '--format',
    '{{range .NetworkSettings.Networks}}{{.Gateway}} {{end}}',
    `${TEST_PREFIX}-${port}`,
  ]);
  if (r.code !== 0) throw new Error(`docker inspect failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Config keys that point a client at the host fake with one of its accounts. */
export function v8KeysFor(fake: FakeV8Handle, gateway: string, account: Required<FakeV8Account>) {
  const base = `http://${gateway}:${fake.port}`;
  return {
    V8_AUTH_URL: `${base}/oauth/token`,
    V8_BASE_URL: base,
    V8_CLIENT_ID: account.clientId,
    V8_USERNAME: account.username,
    V8_PASSWORD: account.password,
  };
}

/** Edits the client's config.env the operator's way and applies it with `restart`. */
export async function configureClient(
  home: OpsHome,
  port: number,
  keys: Record<string, string>,
): Promise<void> {
  writeFileSync(home.configFile(port), setConfigKeys(home.configFile(port), keys));
  const r = await home.ctl(['restart', '--port', String(port)]);
  if (r.code !== 0) throw new Error(`restart ${port} failed: ${r.stderr}`);
}

export function configValue(home: OpsHome, port: number, key: string): string {
  const m = new RegExp(`^${key}=(.*)$`, 'm').exec(readFileSync(home.configFile(port), 'utf8'));
  if (!m?.[1]) throw new Error(`${key} not found in the config of ${port}`);
  return m[1].trim();
}

export const bearerOf = (r: LoggedRequest): string | undefined =>
  /^Bearer (\S+)$/.exec(r.headers.authorization ?? '')?.[1];

export interface ApiAnswer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are read loosely in assertions
  readonly body: any;
  readonly headers: Headers;
}

/** Calls one client's /api/v1 on 127.0.0.1 with its API token; every answer text is kept. */
export class ClientApi {
  readonly port: number;
  readonly texts: string[] = [];
  private readonly token: string;

  constructor(home: OpsHome, port: number) {
    this.port = port;
    this.token = configValue(home, port, 'API_TOKEN');
  }

  async call(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const res = await fetch(`http://127.0.0.1:${this.port}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    this.texts.push(text, JSON.stringify([...res.headers]));
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed, headers: res.headers };
  }
}
