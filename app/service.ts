import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logging/logger.ts';
import type { Runtime } from './runtime.ts';
import type { Workers, WorkerTicks } from './workers/workers.ts';

export interface ServiceOptions {
  readonly port: number;
  readonly host: string;
  readonly logger?: Logger;
  /** Start the background workers (default true); some tests drive the flow by hand. */
  readonly workers?: boolean;
  readonly ticks?: Partial<WorkerTicks>;
  /** Runs once the port listens and before the workers start (tests register webhooks here). */
  readonly beforeWorkers?: (url: string) => Promise<void>;
  /** How long in-flight requests get at stop before their connections are closed (default 8 s). */
  readonly graceMs?: number;
  /** How long the workers get to finish their current item at stop (default 8 s). */
  readonly workerGraceMs?: number;
}

export interface RunningService {
  readonly url: string;
  readonly server: Server;
  readonly workers: Workers | undefined;
  /** Settles when the webhook events left by the previous run have been processed. */
  readonly replayed: Promise<void>;
  /**
   * Stops in the one safe order: no new requests, workers finish their current item (flows keep their
   * state and resume at the next start) while the server drains, background webhook processing ends,
   * then the store closes. Idempotent.
   */
  stop(): Promise<void>;
}

/** Time we give in-flight requests at stop; compose's stop_grace_period is longer. */
export const DEFAULT_GRACE_MS = 8000;

/**
 * The one way a runtime is served and stopped: the launcher, the end-to-end app, the component
 * harness and the benchmarks all go through here, so what they exercise starts like production.
 */
export async function startService(runtime: Runtime, o: ServiceOptions): Promise<RunningService> {
  const { app, store, webhooks } = runtime;
  const server: Server = app.listen(o.port, o.host);
  server.requestTimeout = 60_000;
  // Longer than the idle timeout of clients and proxies in front (docker-proxy keeps the client
  // side open): the client must be the one that closes an idle connection, never us mid-reuse.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${o.host === '0.0.0.0' ? '127.0.0.1' : o.host}:${port}`;
  await o.beforeWorkers?.(url);
  const workers = o.workers === false ? undefined : runtime.startWorkers(o.ticks);
  // Events stored but not processed before a stop (or a crash) are processed now.
  const replayed = webhooks.replay().then((r) => {
    if (r.found > 0) o.logger?.info('V8 webhooks left from the last run processed', { ...r });
  });

  const graceMs = o.graceMs ?? DEFAULT_GRACE_MS;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const force = setTimeout(() => {
        o.logger?.warn('shutdown grace period over, closing remaining connections');
        server.closeAllConnections();
      }, graceMs);
      force.unref();
      const workersStopped = new Promise<void>((resolve) => {
        setTimeout(resolve, o.workerGraceMs ?? DEFAULT_GRACE_MS).unref();
        void (workers?.stop() ?? Promise.resolve()).then(resolve);
      });
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.allSettled([workersStopped, closed, replayed]);
      await webhooks.stop();
      clearTimeout(force);
      store.close();
    })();
    return stopping;
  };
  return { url, server, workers, replayed, stop };
}
