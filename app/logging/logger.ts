import { mkdirSync } from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import { Redactor } from './redact.ts';
import { currentRequestId } from './request-context.ts';

export interface LoggerOptions {
  readonly port: number;
  readonly clientName: string;
  readonly level: string;
  /** Directory of this client's log volume; undefined logs to stdout only (tests, CLI). */
  readonly logDir?: string | undefined;
  readonly maxSizeMb?: number;
  readonly maxFiles?: number;
  readonly stdout?: boolean;
  readonly redactor?: Redactor;
}

export type Logger = winston.Logger;

export interface LoggerBundle {
  readonly logger: Logger;
  readonly redactor: Redactor;
  /** Flushes file transports; call before exit. */
  close(): Promise<void>;
}

const onlyLevels = (levels: readonly string[]) =>
  winston.format((info) => (levels.includes(info.level) ? info : false))();

export function createLogger(opts: LoggerOptions): LoggerBundle {
  const redactor = opts.redactor ?? new Redactor();
  const redact = winston.format((info) => {
    const { level, message, ...rest } = info;
    const cleaned = redactor.value(rest) as Record<string, unknown>;
    const out = Object.assign(info, cleaned);
    out.message = typeof message === 'string' ? redactor.text(message) : redactor.value(message);
    out.level = level;
    return out;
  });
  const context = winston.format((info) => {
    info.port = opts.port;
    info.client = opts.clientName;
    const requestId = currentRequestId();
    if (requestId && !info.requestId) info.requestId = requestId;
    return info;
  });
  const base = winston.format.combine(
    winston.format.errors({ stack: false }),
    context(),
    redact(),
    winston.format.timestamp(),
    winston.format.json(),
  );
  const transports: winston.transport[] = [];
  if (opts.stdout ?? true) transports.push(new winston.transports.Console());
  if (opts.logDir) {
    mkdirSync(opts.logDir, { recursive: true });
    const fileOpts = {
      maxsize: (opts.maxSizeMb ?? 10) * 1024 * 1024,
      maxFiles: opts.maxFiles ?? 5,
      tailable: true,
    };
    const file = (name: string) => path.join(opts.logDir as string, `${name}-${opts.port}.log`);
    transports.push(
      new winston.transports.File({
        ...fileOpts,
        filename: file('out'),
        format: onlyLevels(['warn', 'info', 'http', 'verbose', 'debug', 'silly']),
      }),
      new winston.transports.File({
        ...fileOpts,
        filename: file('error'),
        format: onlyLevels(['error', 'warn']),
      }),
      new winston.transports.File({ ...fileOpts, filename: file('combined') }),
    );
  }
  const logger = winston.createLogger({ level: opts.level, format: base, transports, exitOnError: false });
  return {
    logger,
    redactor,
    close: () =>
      new Promise<void>((resolve) => {
        logger.on('finish', () => resolve());
        logger.end();
        setTimeout(resolve, 2000).unref();
      }),
  };
}
