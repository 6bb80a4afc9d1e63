// Self-healing for the per-client containers. Docker reports a container `unhealthy` but never
// restarts it for that; this small service does, once a client has stayed unhealthy for
// WATCHDOG_UNHEALTHY_S, and writes one JSON line per decision.
//
// It runs in its own container (same image, this file bind-mounted read-only, no network: it only
// talks to the Docker Engine API over the mounted socket). Only node: built-ins are used so the
// file runs as is (Node's type stripping) without being part of the image build.
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface WatchdogConfig {
  /** Containers named `<prefix>-<port>` with the client-port label are watched. */
  readonly prefix: string;
  /** How long a client may stay unhealthy before it is restarted (s). */
  readonly unhealthyS: number;
  /** Time between two looks (s). */
  readonly intervalS: number;
  /** Grace given to the process on restart before it is killed (s), like stop_grace_period. */
  readonly stopTimeoutS: number;
  /** Longest wait between two restarts of a client that keeps failing (s). */
  readonly maxDelayS: number;
  readonly socketPath: string;
  readonly logFile: string | undefined;
  readonly heartbeatFile: string | undefined;
}

const num = (v: string | undefined, def: number, min: number): number => {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n >= min ? n : def;
};

export function readConfig(env: NodeJS.ProcessEnv): WatchdogConfig {
  return {
    prefix: env.WATCHDOG_PREFIX || 'clt-v8',
    unhealthyS: num(env.WATCHDOG_UNHEALTHY_S, 120, 1),
    intervalS: num(env.WATCHDOG_INTERVAL_S, 15, 0.2),
    stopTimeoutS: num(env.WATCHDOG_STOP_TIMEOUT_S, 15, 0),
    maxDelayS: num(env.WATCHDOG_MAX_DELAY_S, 3600, 1),
    socketPath: env.DOCKER_SOCKET || '/var/run/docker.sock',
    logFile: env.WATCHDOG_LOG_FILE || undefined,
    heartbeatFile: env.WATCHDOG_HEARTBEAT_FILE || undefined,
  };
}

/** What the watchdog knows of one client container at one look. */
export interface Observed {
  readonly id: string;
  readonly name: string;
  readonly port: number;
  readonly health: 'healthy' | 'unhealthy' | 'starting' | 'none';
  /** When it became unhealthy according to Docker's health log, if the log reaches back that far (ms). */
  readonly unhealthySinceFromLog?: number | undefined;
}

/** Per container: since when it is unhealthy, restarts made without a healthy state in between. */
export interface Track {
  since: number | undefined;
  restarts: number;
  lastRestartAt: number | undefined;
}

export interface RestartDecision {
  readonly id: string;
  readonly name: string;
  readonly port: number;
  readonly since: number;
  /** Consecutive restart number (1 = first since it was last healthy). */
  readonly attempt: number;
}

/** Delay before restart number n+1 of a client that keeps failing: unhealthyS, then doubling. */
export function requiredUnhealthyMs(
  cfg: Pick<WatchdogConfig, 'unhealthyS' | 'maxDelayS'>,
  restarts: number,
): number {
  return Math.min(cfg.unhealthyS * 2 ** restarts, Math.max(cfg.maxDelayS, cfg.unhealthyS)) * 1000;
}

/** Pure: updates the tracks with one look and says which containers to restart now. */
export function decide(
  tracks: Map<string, Track>,
  observed: readonly Observed[],
  now: number,
  cfg: Pick<WatchdogConfig, 'unhealthyS' | 'maxDelayS'>,
): RestartDecision[] {
  const seen = new Set<string>();
  const restart: RestartDecision[] = [];
  for (const o of observed) {
    seen.add(o.id);
    let t = tracks.get(o.id);
    if (!t) {
      t = { since: undefined, restarts: 0, lastRestartAt: undefined };
      tracks.set(o.id, t);
    }
    if (o.health !== 'unhealthy') {
      t.since = undefined;
      if (o.health === 'healthy') t.restarts = 0;
      continue;
    }
    if (t.since === undefined) {
      // Docker's log can tell it was unhealthy before we looked; never earlier than our last restart.
      const fromLog = o.unhealthySinceFromLog;
      t.since = fromLog !== undefined && fromLog <= now ? fromLog : now;
      if (t.lastRestartAt !== undefined && t.since < t.lastRestartAt) t.since = now;
    }
    if (now - t.since >= requiredUnhealthyMs(cfg, t.restarts)) {
      t.restarts++;
      restart.push({ id: o.id, name: o.name, port: o.port, since: t.since, attempt: t.restarts });
      t.lastRestartAt = now;
      t.since = undefined;
    }
  }
  for (const id of tracks.keys()) if (!seen.has(id)) tracks.delete(id);
  return restart;
}

interface HealthLogEntry {
  readonly Start: string;
  readonly End: string;
  readonly ExitCode: number;
  readonly Output: string;
}

/**
 * When the container turned unhealthy: the end of the `retries`-th failure of the current streak,
 * if Docker's log (its last 5 checks) still holds the start of the streak.
 */
export function unhealthySinceFromLog(
  log: readonly HealthLogEntry[],
  failingStreak: number,
  retries: number,
): number | undefined {
  if (failingStreak < retries || failingStreak > log.length) return undefined;
  const entry = log[log.length - failingStreak + retries - 1];
  const t = entry ? Date.parse(entry.End) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
}

/** The Docker Engine API over its unix socket (no docker CLI in the image). */
export function dockerApi(
  socketPath: string,
  method: string,
  path: string,
  timeoutMs = 30_000,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {}
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`docker API ${method} ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

const CLIENT_LABEL = 'org.clt-v8.client-port';

interface ListedContainer {
  readonly Id: string;
  readonly Names: readonly string[];
  readonly State: string;
  readonly Status: string;
  readonly Labels: Readonly<Record<string, string>>;
}

function healthOf(status: string): Observed['health'] {
  if (/\(unhealthy\)/.test(status)) return 'unhealthy';
  if (/\(healthy\)/.test(status)) return 'healthy';
  if (/health: starting/.test(status)) return 'starting';
  return 'none';
}

export class Watchdog {
  private readonly cfg: WatchdogConfig;
  private readonly tracks = new Map<string, Track>();
  private readonly details = new Map<string, { failingStreak: number; lastCheck?: HealthLogEntry }>();
  private readonly write: (line: string) => void;

  constructor(cfg: WatchdogConfig, write: (line: string) => void) {
    this.cfg = cfg;
    this.write = write;
  }

  log(fields: Record<string, unknown>): void {
    this.write(JSON.stringify({ time: new Date().toISOString(), ...fields }));
  }

  /** Running client containers of this prefix, with health. */
  async look(): Promise<Observed[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: [CLIENT_LABEL], status: ['running'] }));
    const r = await dockerApi(this.cfg.socketPath, 'GET', `/containers/json?filters=${filters}`);
    if (r.status !== 200 || !Array.isArray(r.body)) throw new Error(`docker API list: HTTP ${r.status}`);
    const nameRe = new RegExp(`^/${this.cfg.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`);
    const out: Observed[] = [];
    for (const c of r.body as ListedContainer[]) {
      const name = c.Names.find((n) => nameRe.test(n));
      if (!name) continue;
      const port = Number(nameRe.exec(name)?.[1]);
      if (String(port) !== c.Labels[CLIENT_LABEL]) continue;
      const health = healthOf(c.Status);
      let since: number | undefined;
      if (health === 'unhealthy') since = await this.inspectHealth(c.Id);
      out.push({ id: c.Id, name: name.slice(1), port, health, unhealthySinceFromLog: since });
    }
    return out;
  }

  private async inspectHealth(id: string): Promise<number | undefined> {
    const r = await dockerApi(this.cfg.socketPath, 'GET', `/containers/${id}/json`);
    const b = r.body as {
      State?: { Health?: { FailingStreak?: number; Log?: HealthLogEntry[] } };
      Config?: { Healthcheck?: { Retries?: number } };
    };
    const h = b?.State?.Health;
    if (!h) return undefined;
    const log = h.Log ?? [];
    this.details.set(id, {
      failingStreak: h.FailingStreak ?? 0,
      ...(log.length > 0 ? { lastCheck: log[log.length - 1] as HealthLogEntry } : {}),
    });
    return unhealthySinceFromLog(log, h.FailingStreak ?? 0, b?.Config?.Healthcheck?.Retries || 3);
  }

  async tick(now = Date.now()): Promise<void> {
    const observed = await this.look();
    const decisions = decide(this.tracks, observed, now, this.cfg);
    for (const d of decisions) {
      const detail = this.details.get(d.id);
      const base = {
        level: 'warn',
        decidedAt: new Date(now).toISOString(),
        event: 'restart',
        container: d.name,
        port: d.port,
        unhealthySince: new Date(d.since).toISOString(),
        unhealthyForS: Math.round((now - d.since) / 1000),
        thresholdS: requiredUnhealthyMs(this.cfg, d.attempt - 1) / 1000,
        attempt: d.attempt,
        failingStreak: detail?.failingStreak,
        lastCheck: detail?.lastCheck
          ? { exitCode: detail.lastCheck.ExitCode, output: detail.lastCheck.Output.trim().slice(0, 300) }
          : undefined,
        action: 'restart',
        reason: `unhealthy for ${Math.round((now - d.since) / 1000)} s (limit ${requiredUnhealthyMs(this.cfg, d.attempt - 1) / 1000} s)`,
      };
      try {
        const r = await dockerApi(
          this.cfg.socketPath,
          'POST',
          `/containers/${d.id}/restart?t=${Math.round(this.cfg.stopTimeoutS)}`,
          (this.cfg.stopTimeoutS + 60) * 1000,
        );
        if (r.status !== 204) throw new Error(`HTTP ${r.status} ${JSON.stringify(r.body)}`);
        this.log({ ...base, result: 'restarted' });
      } catch (err) {
        this.log({ ...base, level: 'error', result: 'failed', error: (err as Error).message });
      }
    }
    for (const id of this.details.keys()) if (!this.tracks.has(id)) this.details.delete(id);
  }

  async run(signal?: AbortSignal): Promise<void> {
    this.log({
      level: 'info',
      event: 'start',
      prefix: this.cfg.prefix,
      unhealthyS: this.cfg.unhealthyS,
      intervalS: this.cfg.intervalS,
      stopTimeoutS: this.cfg.stopTimeoutS,
      maxDelayS: this.cfg.maxDelayS,
    });
    let failing = false;
    while (!signal?.aborted) {
      try {
        await this.tick();
        if (failing) this.log({ level: 'info', event: 'docker_api', result: 'reachable again' });
        failing = false;
        if (this.cfg.heartbeatFile) writeFileSync(this.cfg.heartbeatFile, new Date().toISOString());
      } catch (err) {
        if (!failing) this.log({ level: 'error', event: 'docker_api', error: (err as Error).message });
        failing = true;
      }
      await sleep(this.cfg.intervalS * 1000, undefined, { signal }).catch(() => {});
    }
  }
}

if (import.meta.main) {
  const cfg = readConfig(process.env);
  const write = (line: string) => {
    process.stdout.write(`${line}\n`);
    if (cfg.logFile) {
      try {
        appendFileSync(cfg.logFile, `${line}\n`);
      } catch {}
    }
  };
  const stop = new AbortController();
  for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, () => stop.abort());
  // Started together with its socket proxy: give the proxy a few seconds to open its socket.
  for (let i = 0; i < 50 && !existsSync(cfg.socketPath); i++) await sleep(200);
  await new Watchdog(cfg, write).run(stop.signal);
}
