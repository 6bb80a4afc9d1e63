import type { BreakerOptions } from '../../domain/breaker-policy.ts';
import type { RetryPolicy } from '../../domain/retry-policy.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Redactor } from '../../logging/redact.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { CallObserver } from '../metrics/call-observer.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { Pacer, type Scheduler } from './pacer.ts';
import { passwordGrant } from './v8-auth.ts';
import type { V8Client } from './v8-client.ts';
import type { V8CredentialsProvider } from './v8-credentials.ts';
import { type Sleep, V8HttpClient } from './v8-http-client.ts';
import { FileV8TokenCache, type V8TokenCache } from './v8-token-cache.ts';
import { V8Transport } from './v8-transport.ts';

/** Everything the HTTP layer needs to talk to V8 for this client. */
export interface V8Access {
  readonly client: V8Client;
  readonly tokens: V8TokenCache;
  readonly credentials: V8CredentialsProvider;
  /** The pacer's queue, for observability and for tests that drive its time. */
  readonly pacer: Pick<Pacer, 'waiting' | 'running'>;
  /** The breaker's current state (metrics). */
  readonly breakerState: () => string;
}

export interface CreateV8Options {
  readonly credentials: V8CredentialsProvider;
  readonly limits: {
    readonly maxRps: number;
    readonly maxConcurrency: number;
    readonly timeoutMs: number;
    readonly tokenMarginS: number;
  };
  /** This client's data volume: the token file lives there. */
  readonly dataDir: string;
  readonly clock: Clock;
  readonly redactor: Redactor;
  readonly logger: Logger;
  /** Pacing is about real time even when tests move `clock` (token expiry, breaker cool-down). */
  readonly pacerClock?: Clock;
  readonly pacerSchedule?: Scheduler;
  readonly pacerWindowMs?: number;
  readonly breaker?: Partial<BreakerOptions>;
  readonly retry?: RetryPolicy;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  /** Told about every V8 call (metrics). */
  readonly observe?: CallObserver;
}

/** Builds one client's V8 stack: pacer + breaker + transport, token cache, BFF client. No I/O here. */
export function createV8(o: CreateV8Options): V8Access {
  const pacer = new Pacer({
    maxRps: o.limits.maxRps,
    maxConcurrency: o.limits.maxConcurrency,
    clock: o.pacerClock ?? systemClock,
    ...(o.pacerSchedule ? { schedule: o.pacerSchedule } : {}),
    ...(o.pacerWindowMs !== undefined ? { windowMs: o.pacerWindowMs } : {}),
  });
  const breaker = new CircuitBreaker(o.clock, o.breaker, o.logger);
  const transport = new V8Transport({
    timeoutMs: o.limits.timeoutMs,
    pacer,
    breaker,
    logger: o.logger,
    ...(o.observe ? { observe: o.observe } : {}),
  });
  const tokens = new FileV8TokenCache({
    credentials: o.credentials,
    fetchToken: passwordGrant(transport),
    dataDir: o.dataDir,
    clock: o.clock,
    marginS: o.limits.tokenMarginS,
    redactor: o.redactor,
    logger: o.logger,
  });
  const client = new V8HttpClient({
    credentials: o.credentials,
    transport,
    tokens,
    clock: o.clock,
    logger: o.logger,
    ...(o.retry ? { retry: o.retry } : {}),
    ...(o.sleep ? { sleep: o.sleep } : {}),
    ...(o.random ? { random: o.random } : {}),
  });
  return { client, tokens, credentials: o.credentials, pacer, breakerState: () => breaker.current.kind };
}
