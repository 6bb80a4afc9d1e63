import cookieParser from 'cookie-parser';
import type { RequestHandler } from 'express';
import { systemClock } from '../../adapters/clock.ts';
import { CircuitBreaker } from '../../adapters/v8/circuit-breaker.ts';
import { Pacer } from '../../adapters/v8/pacer.ts';
import { passwordGrant } from '../../adapters/v8/v8-auth.ts';
import { guardedLookup, type HostResolver, systemResolver } from '../../adapters/v8/v8-host-guard.ts';
import type { FetchToken } from '../../adapters/v8/v8-token-cache.ts';
import { V8Transport } from '../../adapters/v8/v8-transport.ts';
import { EffectiveConfig } from '../../config/effective-config.ts';
import type { CredentialsDeps } from '../../use-cases/console/save-v8-credentials.ts';
import { fileV8Hosts } from '../../use-cases/console/v8-url-change.ts';
import type { AppDeps } from '../app-deps.ts';
import { type ConsoleCsrf, consoleCsrf } from '../middleware/csrf.ts';
import { DEFAULT_SESSION_OPTIONS, loadSession, SessionStore } from '../middleware/session.ts';
import { attemptLimit } from '../middleware/session-login-limit.ts';

/** What the console, the legacy /config/v8 routes and the config API share inside one app. */
export interface ConsoleContext {
  readonly deps: AppDeps;
  readonly port: number;
  readonly effective: EffectiveConfig;
  readonly sessions: SessionStore;
  readonly csrf: ConsoleCsrf;
  readonly probe: FetchToken;
  /** Where a V8 URL typed into the console resolves (refused unless public). */
  readonly resolveHost: HostResolver;
  readonly credentials: CredentialsDeps;
  /**
   * Limit of "Testar conexão" (console and old /config/v8/testar share it): each test is a login at
   * V8, and a runaway page must not hammer V8 with them. A test refused before it reaches V8 (a
   * 400: bad field, URL not allowed) costs V8 nothing and is not counted.
   */
  readonly testLimit: RequestHandler;
  /** cookie-parser + the session lookup, for every console and legacy route. */
  readonly identify: readonly RequestHandler[];
}

/**
 * "Testar conexão" logs in through the same password grant and transport code as the token cache,
 * but on a transport of its own (fresh pacer and breaker per test): a test against a wrong URL
 * must not open the breaker of the client's real V8 traffic, nor queue behind it. Its answer is
 * capped (a token answer is a few hundred bytes), and it connects to internal addresses only for
 * the config file's own hosts (checked at connect time, after the URL was accepted).
 */
export const PROBE_MAX_RESPONSE_BYTES = 64 * 1024;

export function v8Probe(deps: AppDeps, effective: EffectiveConfig, resolveHost: HostResolver): FetchToken {
  return (creds) => {
    const trusted = fileV8Hosts(effective);
    const transport = new V8Transport({
      timeoutMs: effective.current().v8.timeoutMs,
      maxResponseBytes: PROBE_MAX_RESPONSE_BYTES,
      dnsLookup: guardedLookup(resolveHost, (host) => trusted.has(host)),
      pacer: new Pacer({ maxRps: 1, maxConcurrency: 1, clock: systemClock }),
      breaker: new CircuitBreaker(deps.clock, {}, deps.logger),
      logger: deps.logger,
    });
    return passwordGrant(transport)(creds);
  };
}

export function consoleContext(deps: AppDeps): ConsoleContext {
  const effective = deps.effective ?? EffectiveConfig.fixed(deps.config);
  const port = deps.config.port;
  const resolveHost = deps.resolveHost ?? systemResolver;
  const sessions = new SessionStore({
    clock: deps.clock,
    ...DEFAULT_SESSION_OPTIONS,
    ...deps.consoleSessions,
    ...(deps.store ? { repository: deps.store.sessions } : {}),
  });
  return {
    deps,
    port,
    effective,
    sessions,
    csrf: consoleCsrf(port),
    probe: deps.v8Probe ?? v8Probe(deps, effective, resolveHost),
    resolveHost,
    credentials: {
      effective,
      resolveHost,
      tokens: deps.v8?.tokens,
      redactor: deps.redactor,
      clock: deps.clock,
      logger: deps.logger,
    },
    testLimit: attemptLimit({
      limit: 20,
      windowMs: 5 * 60_000,
      countSuccessful: true,
      skipRefused: true,
      logger: deps.logger,
      message: 'muitos testes de conexão seguidos: aguarde {min} min e tente de novo',
    }),
    identify: [cookieParser(), loadSession(sessions, port)],
  };
}
