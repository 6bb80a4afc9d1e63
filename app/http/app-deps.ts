import type { Clock } from '../adapters/clock.ts';
import type { KentroClient } from '../adapters/kentro/kentro-client.ts';
import type { Metrics } from '../adapters/metrics/metrics.ts';
import type { Store } from '../adapters/store/store.ts';
import type { V8Access } from '../adapters/v8/create-v8.ts';
import type { HostResolver } from '../adapters/v8/v8-host-guard.ts';
import type { FetchToken } from '../adapters/v8/v8-token-cache.ts';
import type { AppConfig } from '../config/app-config.ts';
import type { EffectiveConfig } from '../config/effective-config.ts';
import type { Logger } from '../logging/logger.ts';
import type { Redactor } from '../logging/redact.ts';
import type { FlowDeps } from '../use-cases/flow/flow-deps.ts';
import type { WebhookProcessor } from '../use-cases/webhooks/webhook-processor.ts';
import type { SessionOptions } from './middleware/session.ts';

/** Everything the HTTP layer needs, built by the launcher (or by a test) and handed in. */
export interface AppDeps {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly clock: Clock;
  readonly startedAt: number;
  /** This client's V8 stack (client + token cache); without it the V8 routes answer 503. */
  readonly v8?: V8Access;
  /**
   * Config file + /config-v8 overrides (the V8 credentials provider must read it too); without it
   * the console shows `config` and cannot save.
   */
  readonly effective?: EffectiveConfig;
  /** Password grant used by "Testar conexão"; by default a real one on its own V8 transport. */
  readonly v8Probe?: FetchToken;
  /** Name resolution used to check V8 URLs typed into the console; the system resolver by default. */
  readonly resolveHost?: HostResolver;
  readonly consoleSessions?: Partial<Omit<SessionOptions, 'clock'>>;
  /** This client's durable store (flows, consults, simulations per CPF, webhook log, CRM outbox). */
  readonly store?: Store;
  readonly kentro?: KentroClient;
  /** What the CLT flow needs (store, V8, Kentro, settings); without it the flow routes answer 503. */
  readonly flow?: FlowDeps;
  /** Background processing of stored V8 webhooks; without it events are stored for a later replay. */
  readonly webhooks?: WebhookProcessor;
  /** Prometheus metrics; without them /metrics answers 404. */
  readonly metrics?: Metrics;
}
