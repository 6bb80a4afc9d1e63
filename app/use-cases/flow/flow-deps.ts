import type { Clock } from '../../adapters/clock.ts';
import type { KentroClient } from '../../adapters/kentro/kentro-client.ts';
import { missingSettings } from '../../adapters/kentro/kentro-transport.ts';
import type { Store } from '../../adapters/store/store.ts';
import type { V8Client } from '../../adapters/v8/v8-client.ts';
import { missingV8Keys, type V8CredentialsProvider } from '../../adapters/v8/v8-credentials.ts';
import type { AppConfig, KentroSettings, V8Provider } from '../../config/app-config.ts';
import { AppError } from '../../domain/app-error.ts';
import type { QuotaRule } from '../../domain/consult-quota.ts';
import type { DeliveryBackoff } from '../../domain/delivery-retry.ts';
import type { SimulationPolicyName } from '../../domain/simulation-policy.ts';
import type { StageMovePolicy } from '../../domain/stage-order.ts';
import type { Logger } from '../../logging/logger.ts';
import type { ConsultReadState } from './read-v8-consult.ts';

/** How flows behave; built from the config (FLOW_*, SIMULATION_POLICY, KENTRO_STAGE_*). */
export interface FlowSettings {
  readonly policy: SimulationPolicyName;
  readonly concurrency: number;
  /** Bound of the margin wait (webhook or polling), from the first wait. */
  readonly marginTimeoutMs: number;
  readonly pollFirstMs: number;
  readonly pollMaxMs: number;
  readonly consultValidDays: number;
  readonly placeholderEmailDomain: string;
  /** 8-digit mobile numbers get their leading 9 (PHONE_ADD_MOBILE_NINE). */
  readonly addMobileNine: boolean;
  readonly stages: KentroSettings['stages'];
  /** Stage moves only go forward (KENTRO_STAGE_ORDER), within the pipeline of the stages. */
  readonly stagePolicy?: StageMovePolicy | undefined;
  readonly waTemplateId: number | undefined;
  /** KENTRO_WA_TEMPLATE_FORMALIZATION_ID (undefined: no signing-link message). */
  readonly waFormalizationTemplateId?: number | undefined;
  /** V8 simulate calls one flow may make (candidate terms/tables). */
  readonly maxSimulationAttempts: number;
  /** Transient failures (V8/Kentro unavailable, 429, timeout) of one step before the flow gives up. */
  readonly stepRetry: DeliveryBackoff & { readonly maxAttempts: number };
  /** Backoff of the CRM outbox (never gives up). */
  readonly outboxBackoff: DeliveryBackoff;
  /** Authorize calls repeated while V8 still says WAITING_CONSENT (FLOW_REAUTHORIZE_MAX). */
  readonly reauthorizeMax: number;
  /** Consent evidence older than this is removed (EVIDENCE_RETENTION_DAYS). */
  readonly evidenceRetentionDays: number;
  /** New V8 consults per login per window (V8_CONSULT_QUOTA, V8_CONSULT_QUOTA_WINDOW_S). */
  readonly consultQuota: QuotaRule;
}

/** Everything the flow, the webhook processing, the outbox relay and the workers need. */
export interface FlowDeps {
  readonly store: Store;
  readonly v8: V8Client;
  readonly kentro: KentroClient;
  readonly settings: FlowSettings;
  /** The V8 provider of this client (read on every use: the console may change it). */
  readonly provider: () => V8Provider;
  /** The V8 login (username) the consult quota is counted for; read on every use. */
  readonly v8Login: () => string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Config keys still missing for flows to run (names only); empty when ready. */
  readonly missing: () => string[];
  /** Whether V8's consult detail route proved missing (reads then go to the list). */
  readonly consultReads: ConsultReadState;
}

export const DEFAULT_STEP_RETRY = { baseMs: 2000, maxMs: 60_000, maxAttempts: 15 } as const;
export const DEFAULT_MAX_SIMULATION_ATTEMPTS = 6;

export function flowSettingsFrom(config: AppConfig, over: Partial<FlowSettings> = {}): FlowSettings {
  return {
    policy: config.flow.simulationPolicy,
    concurrency: config.flow.concurrency,
    marginTimeoutMs: config.flow.marginTimeoutMs,
    pollFirstMs: config.flow.pollFirstMs,
    pollMaxMs: config.flow.pollMaxMs,
    consultValidDays: config.flow.consultValidDays,
    placeholderEmailDomain: config.flow.placeholderEmailDomain,
    addMobileNine: config.flow.addMobileNine,
    stages: config.kentro.stages,
    stagePolicy: { order: config.kentro.stageOrder ?? [], pipelineId: config.kentro.pipelineId },
    waTemplateId: config.kentro.waTemplateId,
    waFormalizationTemplateId: config.kentro.waTemplateFormalizationId,
    maxSimulationAttempts: DEFAULT_MAX_SIMULATION_ATTEMPTS,
    stepRetry: DEFAULT_STEP_RETRY,
    outboxBackoff: { baseMs: 2000, maxMs: config.flow.outboxRetryMaxMs },
    reauthorizeMax: config.flow.reauthorizeMax,
    evidenceRetentionDays: config.evidence.retentionDays,
    consultQuota: { limit: config.v8.consultQuota, windowMs: config.v8.consultQuotaWindowMs },
    ...over,
  };
}

export interface BuildFlowDepsOptions {
  readonly config: AppConfig;
  readonly store: Store;
  readonly v8: { readonly client: V8Client; readonly credentials: V8CredentialsProvider };
  readonly kentro: KentroClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Test knobs (retry timings etc.). */
  readonly settings?: Partial<FlowSettings>;
}

export function buildFlowDeps(o: BuildFlowDepsOptions): FlowDeps {
  return {
    store: o.store,
    v8: o.v8.client,
    kentro: o.kentro,
    settings: flowSettingsFrom(o.config, o.settings),
    provider: () => o.v8.credentials().provider,
    v8Login: () => o.v8.credentials().username ?? '',
    clock: o.clock,
    logger: o.logger,
    missing: () => [...missingV8Keys(o.v8.credentials()), ...missingSettings(o.config.kentro)],
    consultReads: { detailUnavailableUntil: 0 },
  };
}

/** The flow runtime of an app, or 503 not_configured. */
export function requireFlowDeps(flow: FlowDeps | undefined): FlowDeps {
  if (!flow)
    throw new AppError('not_configured', 'the CLT flow is not available in this build of the service');
  return flow;
}
