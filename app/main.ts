import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import closeWithGrace from 'close-with-grace';
import { systemClock } from './adapters/clock.ts';
import { loadEffectiveConfig } from './config/effective-config.ts';
import { ConfigError, readProcessSettings } from './config/load-config.ts';
import { createLogger } from './logging/logger.ts';
import { composeRuntime, registerConfigSecrets } from './runtime.ts';
import { DEFAULT_GRACE_MS, startService } from './service.ts';

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
  const service = await startService(runtime, { port: config.port, host: '0.0.0.0', logger });
  logger.info('listening', {
    port: config.port,
    configFile: config.configFile,
    version: config.version,
    // Whose X-Forwarded-For is believed: an operator can see at once whether the list fits the proxy.
    trustedProxies: config.http.trustProxy.length > 0 ? config.http.trustProxy : 'none',
  });

  // SIGTERM/SIGINT (and a crash) stop the service in its safe order; past the delay the process
  // exits anyway, before compose's stop_grace_period (15 s) turns into a SIGKILL.
  closeWithGrace(
    { delay: DEFAULT_GRACE_MS + 4000, logger: { error: (m: unknown) => logger.error(String(m)) } },
    async ({ signal, err }) => {
      if (err) logger.error('stopping after an unexpected error', { error: err.message, stack: err.stack });
      logger.info('shutting down', { signal: signal ?? 'error' });
      await service.stop();
      logger.info('stopped');
      await close();
    },
  );
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
