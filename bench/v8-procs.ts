// Local processes for the V8 benchmarks (bench/v8-token.ts, bench/v8-latency.ts), all on 127.0.0.1:
// the fake V8 (sandbox/fake-v8/main.ts), the service (the launcher's composition root,
// app/runtime.ts) and a bare node:http proxy. Run as a child with `--serve-service` /
// `--serve-proxy`; the parent only spawns, waits for /health and stops them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/ops.ts';
import { launch, waitHttp } from './processes.ts';

export { machine, stopAll } from './processes.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);

export const ACCOUNT = {
  username: 'bench@corban.example',
  password: 'bench-password-0123456789',
  clientId: 'BenchClientId000000000000000001',
};
export const API_TOKEN = 'bench-api-token-0123456789abcdefghij';
const AUDIENCE = 'https://bff.v8sistema.com';
/** Ports above the fake/test ranges of the container tests, below the ephemeral range. */
const PORT_FROM = 31500;

export interface Proc {
  readonly url: string;
  readonly pid: number;
}

export async function startFake(): Promise<Proc> {
  const port = await freePort(PORT_FROM);
  const child = launch([path.join(REPO, 'sandbox/fake-v8/main.ts')], {
    FAKE_V8_HOST: '127.0.0.1',
    FAKE_V8_PORT: String(port),
    FAKE_V8_ACCOUNTS: `${ACCOUNT.username}:${ACCOUNT.password}:${ACCOUNT.clientId}`,
    FAKE_V8_AUDIENCE: AUDIENCE,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/health`);
  return { url, pid: child.pid ?? 0 };
}

/**
 * The service as its container runs it, from a config file in a temp dir. `maxRps` above 100 (the
 * schema's cap for V8_MAX_RPS) is handed to createV8 directly so the pacer never throttles the bench.
 */
export async function startService(fakeUrl: string, maxRps: number): Promise<Proc> {
  const port = await freePort(PORT_FROM + 100);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cltv8-bench-v8-'));
  for (const sub of ['data', 'logs']) mkdirSync(path.join(dir, sub));
  const config = {
    PORT: String(port),
    CLIENT_NAME: 'Bench',
    API_TOKEN,
    LOG_LEVEL: 'info',
    V8_AUTH_URL: `${fakeUrl}/oauth/token`,
    V8_BASE_URL: fakeUrl,
    V8_CLIENT_ID: ACCOUNT.clientId,
    V8_USERNAME: ACCOUNT.username,
    V8_PASSWORD: ACCOUNT.password,
    V8_MAX_RPS: String(Math.min(maxRps, 100)),
    V8_MAX_CONCURRENCY: '64',
  };
  writeFileSync(
    path.join(dir, `config-${port}.env`),
    `${Object.entries(config)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
  );
  const child = launch([SELF, '--serve-service'], {
    PORT: String(port),
    CONFIG_DIR: dir,
    DATA_DIR: path.join(dir, 'data'),
    LOG_DIR: path.join(dir, 'logs'),
    BENCH_MAX_RPS: String(maxRps),
  });
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/health`);
  return { url, pid: child.pid ?? 0 };
}

export async function startProxy(fakeUrl: string): Promise<Proc> {
  const port = await freePort(PORT_FROM + 200);
  const child = launch([SELF, '--serve-proxy'], { PORT: String(port), FAKE_URL: fakeUrl });
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/health`);
  return { url, pid: child.pid ?? 0 };
}

/** Stops every child this process started (by its own handle), waiting for each to exit. */
/** An access token for ACCOUNT straight from the fake (what the proxy and direct calls use). */
export async function fakeToken(fakeUrl: string): Promise<string> {
  const r = await fetch(`${fakeUrl}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      username: ACCOUNT.username,
      password: ACCOUNT.password,
      audience: AUDIENCE,
      scope: 'offline_access',
      client_id: ACCOUNT.clientId,
    }),
  });
  const body = (await r.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`fake V8 gave no token (${r.status})`);
  return body.access_token;
}

// ---- child modes ---------------------------------------------------------------------------

async function serveService(): Promise<void> {
  const { systemClock } = await import('../app/adapters/clock.ts');
  const { toAppConfig } = await import('../app/config/app-config.ts');
  const { loadConfig, readProcessSettings } = await import('../app/config/load-config.ts');
  const { createLogger } = await import('../app/logging/logger.ts');
  const { composeRuntime, registerConfigSecrets } = await import('../app/runtime.ts');
  const settings = readProcessSettings();
  const config = toAppConfig(loadConfig(settings), settings);
  const { logger, redactor } = createLogger({
    port: config.port,
    clientName: config.clientName,
    level: config.log.level,
    logDir: config.logDir,
    maxSizeMb: config.log.maxSizeMb,
    maxFiles: config.log.maxFiles,
  });
  registerConfigSecrets(redactor, config);
  // The launcher's composition root; only the pacer limit is raised past what the config accepts
  // (100/s), so 200 requests/s are measured, not throttled. No workers: nothing to do here.
  const { app } = composeRuntime({
    config,
    logger,
    redactor,
    clock: systemClock,
    v8: { limits: { ...config.v8, maxRps: Number(process.env.BENCH_MAX_RPS) || config.v8.maxRps } },
  });
  const server = app.listen(config.port, '127.0.0.1');
  server.keepAliveTimeout = 65_000;
  process.on('SIGTERM', () => process.exit(0));
}

/** Same forwarding as the service's GET /api/v1/simulation-configs, and nothing else. */
async function serveProxy(): Promise<void> {
  const fake = new URL(process.env.FAKE_URL ?? '');
  const token = await fakeToken(fake.origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    if (req.url === '/health') {
      res.end('ok');
      return;
    }
    const up = http.request(
      {
        host: fake.hostname,
        port: fake.port,
        path: '/private-consignment/simulation/configs',
        method: 'GET',
        agent,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, {
          'content-type': answer.headers['content-type'] ?? 'text/plain',
        });
        answer.pipe(res);
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    up.end();
  });
  server.keepAliveTimeout = 65_000;
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
}

if (process.argv[2] === '--serve-service') await serveService();
else if (process.argv[2] === '--serve-proxy') await serveProxy();
