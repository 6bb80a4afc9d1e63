/**
 * The only door from the watchdog to the Docker API: a unix-socket HTTP proxy that forwards exactly
 * what the watchdog needs (list containers, inspect one, restart a client container) and answers 403
 * to everything else (exec, create, images, volumes, the engine's own settings...). Whoever takes
 * over the watchdog can then at most restart client containers, not become root on the host.
 *
 * Dependency-free, like the watchdog; no kept socket-proxy image is available offline on the
 * machines this project is built on, and the allow list is three routes. Restarts are checked too:
 * the target must carry the client label (org.clt-v8.client-port).
 */
import { chmodSync, rmSync } from 'node:fs';
import http from 'node:http';

const VERSION = '(?:/v[0-9]+\\.[0-9]+)?';
const ID = '[A-Za-z0-9][A-Za-z0-9_.-]{0,127}';

/** Method and raw path (query included) of the requests that pass; the rest is refused. */
export const ALLOWED: readonly { method: string; path: RegExp; restart?: true }[] = [
  { method: 'GET', path: new RegExp(`^${VERSION}/_ping$`) },
  { method: 'GET', path: new RegExp(`^${VERSION}/containers/json(?:\\?[A-Za-z0-9_.=&%-]*)?$`) },
  { method: 'GET', path: new RegExp(`^${VERSION}/containers/${ID}/json$`) },
  {
    method: 'POST',
    path: new RegExp(`^${VERSION}/containers/(${ID})/restart(?:\\?t=[0-9]{1,4})?$`),
    restart: true,
  },
];

export function allowed(method: string, path: string): { ok: boolean; restartOf?: string } {
  for (const rule of ALLOWED) {
    if (rule.method !== method) continue;
    const m = rule.path.exec(path);
    if (m) return rule.restart ? { ok: true, restartOf: m[1] as string } : { ok: true };
  }
  return { ok: false };
}

function upstream(
  socketPath: string,
  method: string,
  path: string,
  headers: http.OutgoingHttpHeaders = {},
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, headers }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function isClientContainer(socketPath: string, id: string): Promise<boolean> {
  const res = await upstream(socketPath, 'GET', `/containers/${id}/json`);
  let body = '';
  for await (const chunk of res) body += chunk;
  if (res.statusCode !== 200) return false;
  const labels = (JSON.parse(body) as { Config?: { Labels?: Record<string, string> } }).Config?.Labels ?? {};
  return /^\d+$/.test(labels['org.clt-v8.client-port'] ?? '');
}

const log = (fields: Record<string, unknown>) =>
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), service: 'docker-socket-proxy', ...fields })}\n`,
  );

export function startProxy(listenPath: string, dockerSocket: string): http.Server {
  const server = http.createServer(async (req, res) => {
    const method = req.method ?? '';
    const path = req.url ?? '';
    const deny = (why: string) => {
      log({ event: 'denied', method, path: path.slice(0, 200), why });
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `denied by the clt-v8 socket proxy: ${why}` }));
    };
    const verdict = allowed(method, path);
    if (!verdict.ok) return deny('only list, inspect and restart are allowed');
    try {
      if (verdict.restartOf && !(await isClientContainer(dockerSocket, verdict.restartOf))) {
        return deny('only client containers may be restarted');
      }
      // Nothing of the caller's request but method and path goes on (no body, no upgrade headers).
      const up = await upstream(dockerSocket, method, path, { host: 'docker' });
      res.writeHead(up.statusCode ?? 502, {
        'content-type': up.headers['content-type'] ?? 'application/json',
      });
      up.pipe(res);
      if (verdict.restartOf) log({ event: 'restart', container: verdict.restartOf, status: up.statusCode });
    } catch (err) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `docker API: ${(err as Error).message}` }));
    }
  });
  rmSync(listenPath, { force: true });
  server.listen(listenPath, () => {
    chmodSync(listenPath, 0o600);
    log({ event: 'start', listen: listenPath, allowed: ALLOWED.map((r) => `${r.method} ${r.path.source}`) });
  });
  return server;
}

if (import.meta.main) {
  const server = startProxy(
    process.env.PROXY_SOCKET || '/run/clt-v8-docker/docker.sock',
    process.env.DOCKER_SOCKET || '/var/run/docker.sock',
  );
  for (const sig of ['SIGTERM', 'SIGINT'] as const)
    process.on(sig, () => server.close(() => process.exit(0)));
}
