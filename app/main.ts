import { appendFileSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { systemClock } from './adapters/clock.ts';
import { loadEffectiveConfig } from './config/effective-config.ts';
import { ConfigError, readProcessSettings } from './config/load-config.ts';
import { createLogger } from './logging/logger.ts';
import { composeRuntime, registerConfigSecrets } from './runtime.ts';

/** Time we give in-flight requests after SIGTERM; compose's stop_grace_period is longer. */
const SHUTDOWN_GRACE_MS = 8000;

async function main(): Promise<void> {
  const settings = readProcessSettings();
  // The config file plus the overrides saved from the /config-v8 console (data volume).
  const { effective, notices } = loadEffectiveConfig(settings);
  const config = effective.current();
  const loaded = config.loaded;
  const { logger, redactor, close } = createLogger({
    port: config.port,
    clientName: config.clientName,
    level: config.log.level,
    logDir: config.logDir,
    maxSizeMb: config.log.maxSizeMb,
    maxFiles: config.log.maxFiles,
  });
  registerConfigSecrets(redactor, config);
  if (loaded.unknownKeys.length > 0) {
    logger.warn('unknown keys in config file were ignored', {
      file: config.configFile,
      keys: loaded.unknownKeys,
    });
  }
  for (const r of loaded.renamed) logger.info('old config key accepted', { from: r.from, to: r.to });
  for (const n of notices) logger.log(n.level, n.message, n.meta);

  const runtime = composeRuntime({ config, effective, logger, redactor, clock: systemClock });
  const { app, store, webhooks } = runtime;
  const server: Server = app.listen(config.port, '0.0.0.0');
  server.requestTimeout = 60_000;
  // Longer than the idle timeout of clients and proxies in front (docker-proxy keeps the client
  // side open): the client must be the one that closes an idle connection, never us mid-reuse.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  logger.info('listening', {
    port: config.port,
    configFile: config.configFile,
    version: config.version,
    // Whose X-Forwarded-For is believed: an operator can see at once whether the list fits the proxy.
    trustedProxies: config.http.trustProxy.length > 0 ? config.http.trustProxy : 'none',
  });
  const workers = runtime.startWorkers();
  // Events stored but not processed before a stop (or a crash) are processed now.
  void webhooks.replay().then((r) => {
    if (r.found > 0) logger.info('V8 webhooks left from the last run processed', { ...r });
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const force = setTimeout(() => {
      logger.warn('shutdown grace period over, closing remaining connections');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    // Workers finish their current item (flows keep their state and resume at the next start) while
    // the server drains; the store closes only after both and after background webhook processing.
    const workersStopped = new Promise<void>((resolve) => {
      setTimeout(resolve, SHUTDOWN_GRACE_MS).unref();
      void workers.stop().then(resolve);
    });
    const stopped = Promise.allSettled([
      workersStopped,
      new Promise<void>((resolve) => server.close(() => resolve())),
    ]);
    server.closeIdleConnections();
    void stopped
      .then(() => webhooks.drain())
      .then(() => {
        clearTimeout(force);
        store.close();
        logger.info('stopped');
        return close();
      })
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  // Before the logger exists, the one line goes to stderr and to this client's error log as JSON:
  // the file and the keys, never a value.
  const line = JSON.stringify({
    level: 'error',
    ...(err instanceof ConfigError
      ? { message: 'configuration rejected, not starting', file: err.file, issues: err.issues }
      : { message: 'startup failed', error: err instanceof Error ? err.message : String(err) }),
    timestamp: new Date().toISOString(),
  });
  process.stderr.write(`${line}\n`);
  try {
    const { port, logDir } = readProcessSettings();
    mkdirSync(logDir, { recursive: true });
    for (const name of ['error', 'combined'])
      appendFileSync(path.join(logDir, `${name}-${port}.log`), `${line}\n`);
  } catch {
    // No usable PORT or log volume: stderr (docker logs) is all there is.
  }
  process.exit(1);
});
