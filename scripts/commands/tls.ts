// The optional TLS front (docker-compose.tls.yml): one Caddy terminating TLS for every client.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from '../lib/cli-error.ts';
import { replaceConfigFile } from '../lib/client-files.ts';
import { clientConfigFile, type OpsContext } from '../lib/context.ts';
import { containerState, imageExists, run, runInherit } from '../lib/docker.ts';
import { parsePort } from '../lib/ports.ts';
import { restart, selectPorts } from './lifecycle.ts';

export const tlsName = (ctx: OpsContext) => `${ctx.prefix}-tls`;
export const tlsDir = (ctx: OpsContext) => path.join(ctx.home, 'tls');
const tlsImage = (ctx: OpsContext) => `${ctx.image.replace(/:[^/:]*$/, '')}-tls:latest`;
/** Where Caddy keeps its internal CA's root certificate (the one browsers and callers trust). */
export const TLS_ROOT_CERT = '/data/caddy/pki/authorities/local/root.crt';

const GLOBAL = `# Written by make tls-up; one file per client in sites/ (make tls-add-client PORT=).
{
	# No admin endpoint (with host networking it would listen on the host): changes restart Caddy.
	admin off
	# Only the TLS ports: nothing listens on :80.
	auto_https disable_redirects
	skip_install_trust
}
import sites/*.caddy
`;

function composeTls(ctx: OpsContext, args: readonly string[]) {
  return run(
    'docker',
    ['compose', '-f', path.join(ctx.repo, 'docker-compose.tls.yml'), '-p', tlsName(ctx), ...args],
    {
      ...process.env,
      CLT_V8_PREFIX: ctx.prefix,
      CLT_V8_HOME: ctx.home,
      CLT_V8_TLS_IMAGE: tlsImage(ctx),
      ...(ctx.baseImage ? { BASE_IMAGE: ctx.baseImage } : {}),
    },
  );
}

function writeGlobal(ctx: OpsContext): void {
  mkdirSync(path.join(tlsDir(ctx), 'sites'), { recursive: true, mode: 0o755 });
  writeFileSync(path.join(tlsDir(ctx), 'Caddyfile'), GLOBAL, { mode: 0o644 });
}

/** Caddy refuses an import matching no file (or an empty one): a comment-only file keeps it valid. */
function ensureSitesNotEmpty(ctx: OpsContext): void {
  const dir = path.join(tlsDir(ctx), 'sites');
  if (!readdirSync(dir).some((f) => f.endsWith('.caddy'))) {
    writeFileSync(path.join(dir, '_none.caddy'), '# no client yet (make tls-add-client PORT=)\n');
  }
}

/** Until Caddy says it serves the configuration it read at its current start (not an earlier one). */
async function waitRunning(ctx: OpsContext): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const st = await containerState(tlsName(ctx));
    if (st.state === 'running' && st.startedAt) {
      const logs = await run('docker', ['logs', '--since', st.startedAt, tlsName(ctx)]);
      if (/serving initial configuration/.test(`${logs.stdout}${logs.stderr}`)) return;
    } else if (st.exists && st.state !== 'created' && st.state !== 'restarting') {
      break;
    }
    await sleep(200);
  }
  const logs = await run('docker', ['logs', '--tail', '10', tlsName(ctx)]);
  throw new CliError(`the TLS front did not start: ${`${logs.stdout}${logs.stderr}`.trim()}`);
}

/** `make tls-up`: builds the Caddy image when missing and starts (or restarts) the TLS front. */
export async function tlsUp(ctx: OpsContext, out: (l: string) => void): Promise<void> {
  writeGlobal(ctx);
  ensureSitesNotEmpty(ctx);
  if (!(await imageExists(tlsImage(ctx)))) {
    out(`building ${tlsImage(ctx)} (Caddy from Debian's package)...`);
    const code = await runInherit('docker', [
      'build',
      '-t',
      tlsImage(ctx),
      ...(ctx.baseImage ? ['--build-arg', `BASE_IMAGE=${ctx.baseImage}`] : []),
      path.join(ctx.repo, 'docker/tls'),
    ]);
    if (code !== 0) throw new CliError(`docker build of the TLS front failed (exit ${code})`);
  }
  const r = await composeTls(ctx, ['up', '-d', '--no-build', '--force-recreate']);
  if (r.code !== 0) throw new CliError(`could not start the TLS front: ${r.stderr.trim()}`);
  await waitRunning(ctx);
  const sites = readdirSync(path.join(tlsDir(ctx), 'sites')).filter((f) => /^\d+\.caddy$/.test(f));
  out(
    `TLS front ${tlsName(ctx)} running with ${sites.length} client(s); add one with make tls-add-client PORT=`,
  );
  out(`its CA's root certificate (give it to callers to trust): make tls-ca > clt-v8-root.crt`);
}

export async function tlsDown(ctx: OpsContext, out: (l: string) => void): Promise<void> {
  const r = await composeTls(ctx, ['down']);
  if (r.code !== 0) throw new CliError(`could not stop the TLS front: ${r.stderr.trim()}`);
  out(`TLS front ${tlsName(ctx)} stopped (its CA is kept in its volume)`);
}

const HOST_RE =
  /^(localhost|(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+)$/i;

/**
 * `make tls-add-client PORT= [HOST=] [TLS_PORT=]`: https://HOST:TLS_PORT (default localhost and
 * PORT+10000) proxied to the client's port on 127.0.0.1. The client gets TRUST_PROXY=true (it then
 * believes X-Forwarded-* headers: publish its own port on 127.0.0.1 only, BIND_ADDRESS=127.0.0.1)
 * and is restarted when running; the TLS front is restarted to load the site.
 */
export async function tlsAddClient(
  ctx: OpsContext,
  input: { port: string | undefined; host: string | undefined; tlsPort: string | undefined },
  out: (l: string) => void,
): Promise<void> {
  if (!input.port)
    throw new CliError('PORT is required: make tls-add-client PORT=6000 [HOST=api.example.com] [TLS_PORT=]');
  const [port] = selectPorts(ctx, input.port) as [number];
  const host = (input.host ?? 'localhost').trim().toLowerCase();
  if (!HOST_RE.test(host)) throw new CliError(`HOST "${host}" is not a host name`);
  const tp = parsePort(input.tlsPort ?? String(port + 10000));
  if (!tp.ok) throw new CliError(`TLS_PORT: ${tp.error}`, 'give TLS_PORT= explicitly (1024-65535)');
  if (tp.port === port) throw new CliError('TLS_PORT must differ from PORT');
  if (!existsSync(path.join(tlsDir(ctx), 'Caddyfile'))) {
    throw new CliError('the TLS front is not set up', 'run make tls-up first');
  }
  const sitesDir = path.join(tlsDir(ctx), 'sites');
  for (const f of readdirSync(sitesDir).filter((n) => /^\d+\.caddy$/.test(n) && n !== `${port}.caddy`)) {
    if (readFileSync(path.join(sitesDir, f), 'utf8').includes(`:${tp.port} {`)) {
      throw new CliError(`TLS_PORT ${tp.port} is already used by client ${f.replace('.caddy', '')}`);
    }
  }
  writeFileSync(
    path.join(sitesDir, `${port}.caddy`),
    `# client ${port}\nhttps://${host}:${tp.port} {\n\ttls internal\n\treverse_proxy 127.0.0.1:${port}\n}\n`,
    { mode: 0o644 },
  );

  const file = clientConfigFile(ctx, port);
  const text = readFileSync(file, 'utf8');
  if (!/^TRUST_PROXY=true$/m.test(text)) {
    const next = /^TRUST_PROXY=.*$/m.test(text)
      ? text.replace(/^TRUST_PROXY=.*$/m, 'TRUST_PROXY=true')
      : `${text.trimEnd()}\n# Behind the TLS front (make tls-add-client): X-Forwarded-Proto says https.\nTRUST_PROXY=true\n`;
    replaceConfigFile(file, next);
    out(`client ${port}: TRUST_PROXY=true (keep its own port on 127.0.0.1: BIND_ADDRESS=127.0.0.1)`);
    const st = await containerState(`${ctx.prefix}-${port}`);
    if (st.state === 'running') await restart(ctx, String(port), out);
  }
  const running = (await containerState(tlsName(ctx))).state === 'running';
  if (running) {
    const r = await composeTls(ctx, ['restart']);
    if (r.code !== 0) throw new CliError(`could not restart the TLS front: ${r.stderr.trim()}`);
    await waitRunning(ctx);
  }
  out(
    `client ${port}: https://${host}:${tp.port}/ -> 127.0.0.1:${port}${running ? '' : ' (starts with make tls-up)'}`,
  );
}

/** `make tls-ca`: the internal CA's root certificate (PEM) on stdout. */
export async function tlsCa(ctx: OpsContext, out: (l: string) => void): Promise<void> {
  const r = await run('docker', ['exec', tlsName(ctx), 'cat', TLS_ROOT_CERT]);
  if (r.code !== 0)
    throw new CliError(
      `no root certificate yet: ${r.stderr.trim()}`,
      'make tls-up, then make tls-add-client PORT=',
    );
  out(r.stdout.trimEnd());
}
