import { DEFAULT_ACCOUNTS, DEFAULT_AUDIENCE, DEFAULT_CLIENT_ID, type FakeV8Account } from './accounts.ts';
import type { TimeSource } from './fake-clock.ts';
import type { Scenario, ScenarioResolver } from './scenarios.ts';

/** Settings that can also be changed while running (`configure()` / `PATCH /__admin/config`). */
export interface RuntimeConfig {
  /** Bearer token lifetime in seconds (`expires_in`). */
  tokenTtlS: number;
  /** Max BFF requests per second per account (sliding 1 s window); 0 = unlimited. */
  maxRps: number;
  /**
   * Max consult creations per account per rolling `consultQuotaWindowS` (the "250/h" quota; the name
   * predates the configurable window); 0 = unlimited. Past it: 429 with Retry-After.
   */
  consultsPerHour: number;
  /** Window of the consult quota, seconds (default 3600; short in tests and benches). */
  consultQuotaWindowS: number;
  /** Delay between consult lifecycle steps after authorize. */
  stepMs: number;
  /** Delay between operation status steps. */
  operationStepMs: number;
  /** Shape of GET /simulation/configs: `{configs:[...]}` or a plain array. */
  configsShape: 'object' | 'array';
  /** Shape of GET /operation: `{data:[...]}`, `{items:[...]}` or a plain array. */
  operationListShape: 'data' | 'items' | 'array';
  /** Body of a successful authorize: the text `Successful response` or empty. */
  authorizeBody: 'text' | 'empty';
  /** Status for a wrong username/password (the sources disagree: 403 Auth0 default, 401 logged). */
  wrongPasswordStatus: 401 | 403;
  /** 429 body: JSON `{message}` or the plain text. */
  rateLimitBody: 'json' | 'text';
  /**
   * `GET /consult/{id}`: `on`; `404`/`405` answer as if V8 had no such route (most integrators read
   * the list instead); `no-margin` answers without availableMarginValue and simulationLimit.
   */
  consultDetailRoute: 'on' | '404' | '405' | 'no-margin';
  /** Reject a simulation identical to an earlier one with 400 simulation_already_exists. */
  rejectDuplicateSimulations: boolean;
  /** Consult create rejects CPFs with wrong check digits (400 validation). */
  validateCpf: boolean;
  /** A non-failed consult blocks a new one for the same account+CPF for this many days. */
  consultActiveDays: number;
  webhookTimeoutMs: number;
  /** Attempts per webhook (1 = no redelivery on non-2xx/network error). */
  webhookMaxAttempts: number;
  /** Delay before redelivery attempt n is n × this. */
  webhookRetryMs: number;
}

export interface FakeV8Options extends Partial<RuntimeConfig> {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Base of `formalization_url` links; default the listening URL. */
  publicUrl?: string;
  accounts?: readonly FakeV8Account[];
  /** Client id of accounts that do not name one. */
  clientId?: string;
  audience?: string;
  /** false: lifecycle steps only fire through `advance()` (deterministic tests). Default true. */
  autoAdvance?: boolean;
  /** Merged over DEFAULT_SCENARIOS. */
  scenarios?: Record<string, Scenario>;
  /** Consulted for CPFs not in the table, before the 9th-digit rule. */
  scenarioFor?: ScenarioResolver;
  /** Time for tokens, dates and quotas (lifecycle delays use real timers). */
  clock?: TimeSource;
  /** Called once per finished request and per webhook attempt, without secrets. */
  onLog?: (line: Record<string, unknown>) => void;
  /** Cap of the in-memory request and webhook logs (oldest dropped). Default 10000. */
  maxLogEntries?: number;
}

export const DEFAULT_RUNTIME: Readonly<RuntimeConfig> = {
  tokenTtlS: 86_400,
  maxRps: 0,
  consultsPerHour: 0,
  consultQuotaWindowS: 3600,
  stepMs: 1000,
  operationStepMs: 5000,
  configsShape: 'object',
  operationListShape: 'data',
  authorizeBody: 'text',
  wrongPasswordStatus: 403,
  rateLimitBody: 'json',
  consultDetailRoute: 'on',
  rejectDuplicateSimulations: false,
  validateCpf: true,
  consultActiveDays: 30,
  webhookTimeoutMs: 2000,
  webhookMaxAttempts: 3,
  webhookRetryMs: 1000,
};

export const RUNTIME_KEYS = Object.keys(DEFAULT_RUNTIME) as (keyof RuntimeConfig)[];

/** Runtime settings out of the start options; throws on an unacceptable value. */
export function runtimeFrom(opts: Partial<RuntimeConfig>): RuntimeConfig {
  const out: RuntimeConfig = { ...DEFAULT_RUNTIME };
  const picked = Object.fromEntries(
    Object.entries(opts).filter(([k]) => (RUNTIME_KEYS as string[]).includes(k)),
  );
  const rejected = applyRuntime(out, picked);
  if (rejected.length > 0) throw new Error(`fake V8: invalid option value for ${rejected.join(', ')}`);
  return out;
}

const CHOICES: Partial<Record<keyof RuntimeConfig, readonly unknown[]>> = {
  configsShape: ['object', 'array'],
  operationListShape: ['data', 'items', 'array'],
  authorizeBody: ['text', 'empty'],
  wrongPasswordStatus: [401, 403],
  rateLimitBody: ['json', 'text'],
  consultDetailRoute: ['on', '404', '405', 'no-margin'],
};

function acceptable(key: keyof RuntimeConfig, value: unknown): boolean {
  const choices = CHOICES[key];
  if (choices) return choices.includes(value);
  if (typeof DEFAULT_RUNTIME[key] === 'number')
    return typeof value === 'number' && Number.isFinite(value) && value >= 0;
  return typeof value === typeof DEFAULT_RUNTIME[key];
}

/** Copies known keys with acceptable values; returns the keys it rejected. */
export function applyRuntime(target: RuntimeConfig, patch: Record<string, unknown>): string[] {
  const rejected: string[] = [];
  const t = target as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (!(RUNTIME_KEYS as string[]).includes(key) || !acceptable(key as keyof RuntimeConfig, value)) {
      rejected.push(key);
      continue;
    }
    t[key] = value;
  }
  return rejected;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  accounts: DEFAULT_ACCOUNTS,
  clientId: DEFAULT_CLIENT_ID,
  audience: DEFAULT_AUDIENCE,
  maxLogEntries: 10_000,
} as const;
