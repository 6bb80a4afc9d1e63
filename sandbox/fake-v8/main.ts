/**
 * Container entry point of the fake V8 (compose `sandbox` profile). Environment:
 *
 *   FAKE_V8_PORT               listen port (default 8080)
 *   FAKE_V8_HOST               listen address (default 0.0.0.0)
 *   FAKE_V8_ACCOUNTS           partner logins, `username:password[:clientId]` comma list
 *                              (default: the two DEFAULT_ACCOUNTS). With 3+ `:` parts the last is the clientId.
 *   FAKE_V8_CLIENT_ID          client_id of accounts that name none (default DEFAULT_CLIENT_ID)
 *   FAKE_V8_AUDIENCE           required `audience` (default https://bff.v8sistema.com)
 *   FAKE_V8_MAX_RPS            BFF requests/second per account before 429 (default 0 = unlimited)
 *   FAKE_V8_CONSULTS_PER_HOUR  consult creations per account per rolling hour (default 0 = unlimited)
 *   FAKE_V8_STEP_MS            delay between consult lifecycle steps (default 1000)
 *   FAKE_V8_OPERATION_STEP_MS  delay between operation status steps (default 5000)
 *   FAKE_V8_TOKEN_TTL_S        access token lifetime / expires_in (default 86400)
 *   FAKE_V8_PUBLIC_URL         base of formalization_url links (default http://localhost:<port>)
 *
 * Logs one JSON line per request and per webhook attempt to stdout: method, path, query, status,
 * account (username), duration; CPFs in paths/queries masked, webhook URLs without their query.
 * Never bodies, headers, passwords or tokens.
 */
import { parseAccounts } from './accounts.ts';
import { startFakeV8 } from './fake-v8-server.ts';
import type { FakeV8Options } from './options.ts';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
}

function textEnv(name: string): string | undefined {
  const v = process.env[name]?.trim();
  return v ? v : undefined;
}

/** FAKE_V8_CONSULT_DETAIL_ROUTE: on | 404 | 405 | no-margin (see RuntimeConfig.consultDetailRoute). */
function detailRouteEnv(): Pick<FakeV8Options, 'consultDetailRoute'> {
  const v = textEnv('FAKE_V8_CONSULT_DETAIL_ROUTE');
  if (v === undefined) return {};
  if (v !== 'on' && v !== '404' && v !== '405' && v !== 'no-margin') {
    throw new Error('FAKE_V8_CONSULT_DETAIL_ROUTE must be on, 404, 405 or no-margin');
  }
  return { consultDetailRoute: v };
}

const log = (line: Record<string, unknown>) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
};

async function main(): Promise<void> {
  const port = intEnv('FAKE_V8_PORT', 8080);
  const accountsSpec = textEnv('FAKE_V8_ACCOUNTS');
  const clientId = textEnv('FAKE_V8_CLIENT_ID');
  const audience = textEnv('FAKE_V8_AUDIENCE');
  const options: FakeV8Options = {
    host: textEnv('FAKE_V8_HOST') ?? '0.0.0.0',
    port,
    publicUrl: textEnv('FAKE_V8_PUBLIC_URL') ?? `http://localhost:${port}`,
    maxRps: intEnv('FAKE_V8_MAX_RPS', 0),
    consultsPerHour: intEnv('FAKE_V8_CONSULTS_PER_HOUR', 0),
    consultQuotaWindowS: intEnv('FAKE_V8_CONSULT_QUOTA_WINDOW_S', 3600),
    stepMs: intEnv('FAKE_V8_STEP_MS', 1000),
    operationStepMs: intEnv('FAKE_V8_OPERATION_STEP_MS', 5000),
    tokenTtlS: intEnv('FAKE_V8_TOKEN_TTL_S', 86_400),
    ...detailRouteEnv(),
    onLog: log,
    ...(accountsSpec ? { accounts: parseAccounts(accountsSpec) } : {}),
    ...(clientId ? { clientId } : {}),
    ...(audience ? { audience } : {}),
  };
  const fake = await startFakeV8(options);
  const cfg = fake.config();
  log({
    kind: 'startup',
    message: 'fake V8 listening',
    port: fake.port,
    accounts: options.accounts?.map((a) => a.username) ?? ['(defaults)'],
    maxRps: cfg.maxRps,
    stepMs: cfg.stepMs,
    operationStepMs: cfg.operationStepMs,
    tokenTtlS: cfg.tokenTtlS,
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log({ kind: 'shutdown', signal });
    void fake.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  log({ kind: 'fatal', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
