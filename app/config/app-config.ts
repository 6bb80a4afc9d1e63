import { readFileSync } from 'node:fs';
import type { LoadedConfig, ProcessSettings } from './load-config.ts';
import type { FORM_FIELD_NAMES } from './schema.ts';

export type FormFieldName = (typeof FORM_FIELD_NAMES)[number];
export type V8Provider = 'QI' | 'CELCOIN';

export interface V8Settings {
  readonly authUrl: string;
  readonly baseUrl: string;
  readonly clientId: string | undefined;
  readonly audience: string;
  readonly scope: 'offline_access' | 'online_access';
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly provider: V8Provider;
  readonly maxRps: number;
  readonly maxConcurrency: number;
  readonly timeoutMs: number;
  readonly tokenMarginS: number;
  /** New consults per login per window (0 = no quota). */
  readonly consultQuota: number;
  readonly consultQuotaWindowMs: number;
  /** V8_OPERATIONS_RECONCILE_S, in ms. */
  readonly operationsReconcileMs: number;
}

export interface KentroSettings {
  readonly baseUrl: string | undefined;
  readonly apiKey: string | undefined;
  readonly queueId: number | undefined;
  /** Where opportunities are created: the first of KENTRO_PIPELINE_IDS, or KENTRO_PIPELINE_ID. */
  readonly pipelineId: number | undefined;
  /** Where a CPF is looked up, in order (pipelineId first); empty when none is configured. */
  readonly pipelineIds?: readonly number[];
  /** KENTRO_STAGE_ORDER, or the default built from the configured stages. */
  readonly stageOrder?: readonly number[];
  readonly responsibleId: number | undefined;
  readonly stages: {
    readonly marginFound: number | undefined;
    readonly noMargin: number | undefined;
    readonly simulated: number | undefined;
    readonly proposal: number | undefined;
    readonly paid: number | undefined;
    readonly failed: number | undefined;
    /** needs_data / blocked_by_worker; falls back to `failed` when not configured. */
    readonly needsData?: number | undefined;
    /** Operation pending at V8 (KENTRO_STAGE_PENDENCY). */
    readonly pendency?: number | undefined;
    /** Operation canceled or rejected (KENTRO_STAGE_CANCELLED). */
    readonly cancelled?: number | undefined;
  };
  readonly formFields: Readonly<Partial<Record<FormFieldName, string>>>;
  readonly lookup: 'mainmail' | 'formfield';
  readonly waTemplateId: number | undefined;
  /** KENTRO_WA_TEMPLATE_FORMALIZATION_ID: the signing link to the borrower. */
  readonly waTemplateFormalizationId?: number | undefined;
  readonly timeoutMs: number;
}

/** The CLT flow (fluxo completo) and its CRM outbox. */
export interface FlowConfig {
  readonly simulationPolicy: 'max_amount' | 'lowest_rate';
  readonly concurrency: number;
  readonly marginTimeoutMs: number;
  readonly pollFirstMs: number;
  readonly pollMaxMs: number;
  readonly consultValidDays: number;
  readonly placeholderEmailDomain: string;
  /** PHONE_ADD_MOBILE_NINE. */
  readonly addMobileNine: boolean;
  readonly outboxRetryMaxMs: number;
  readonly reauthorizeMax: number;
}

/** The typed, validated configuration of one client, built once at start. */
export interface AppConfig {
  readonly port: number;
  readonly clientName: string;
  readonly version: string;
  readonly configFile: string;
  readonly dataDir: string;
  readonly logDir: string;
  readonly log: { readonly level: string; readonly maxSizeMb: number; readonly maxFiles: number };
  readonly http: {
    readonly apiToken: string;
    readonly metricsToken: string | undefined;
    /** Peers whose X-Forwarded-* headers are believed (addresses, CIDRs, express range names); empty: none. */
    readonly trustProxy: readonly string[];
    readonly publicBaseUrl: string | undefined;
  };
  readonly admin: {
    readonly passwordHash: string | undefined;
    readonly loginGlobalLimit: number;
    readonly allowInsecureHttp: boolean;
  };
  readonly webhook: {
    readonly secret: string | undefined;
    /** Calls accepted per minute and client address. */
    readonly rateLimitPerMin: number;
  };
  readonly v8: V8Settings;
  readonly kentro: KentroSettings;
  readonly flow: FlowConfig;
  /** Consent evidence (domain/evidence-chain.ts). */
  readonly evidence: { readonly retentionDays: number };
  /** The old service's routes (/clt, /cache, /v8). */
  readonly legacy: { readonly syncTimeoutMs: number };
  /** Days finished records are kept (flows, batches, delivered CRM updates; the webhook log). */
  readonly retention: { readonly days: number; readonly webhookEventsDays: number };
  readonly loaded: LoadedConfig;
}

let cachedVersion: string | undefined;
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    cachedVersion = pkg.version ?? '0.0.0';
  } catch {
    // dist/app/config sits one level deeper than app/config.
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
        version?: string;
      };
      cachedVersion = pkg.version ?? '0.0.0';
    } catch {
      cachedVersion = '0.0.0';
    }
  }
  return cachedVersion;
}

/**
 * Without KENTRO_STAGE_ORDER: the configured stages from the least to the most advanced outcome
 * (failed, needs data, no margin, margin found, simulated, proposal, paid). A stage configured for two
 * outcomes keeps its first place.
 */
export function defaultStageOrder(stages: readonly (number | undefined)[]): number[] {
  const order: number[] = [];
  for (const id of stages) if (id !== undefined && !order.includes(id)) order.push(id);
  return order;
}

export function toAppConfig(loaded: LoadedConfig, settings: ProcessSettings): AppConfig {
  const r = loaded.raw;
  return {
    port: r.PORT,
    clientName: r.CLIENT_NAME,
    version: packageVersion(),
    configFile: loaded.file,
    dataDir: settings.dataDir,
    logDir: settings.logDir,
    log: { level: r.LOG_LEVEL, maxSizeMb: r.LOG_MAX_SIZE_MB, maxFiles: r.LOG_MAX_FILES },
    http: {
      apiToken: r.API_TOKEN,
      metricsToken: r.METRICS_TOKEN,
      trustProxy: r.TRUST_PROXY,
      publicBaseUrl: r.PUBLIC_BASE_URL,
    },
    admin: {
      passwordHash: r.ADMIN_PASSWORD_HASH,
      loginGlobalLimit: r.CONSOLE_LOGIN_GLOBAL_LIMIT,
      allowInsecureHttp: r.CONSOLE_ALLOW_INSECURE_HTTP,
    },
    webhook: { secret: r.WEBHOOK_SECRET, rateLimitPerMin: r.WEBHOOK_RATE_LIMIT_PER_MIN },
    v8: {
      authUrl: r.V8_AUTH_URL,
      baseUrl: r.V8_BASE_URL,
      clientId: r.V8_CLIENT_ID,
      audience: r.V8_AUDIENCE,
      scope: r.V8_SCOPE,
      username: r.V8_USERNAME,
      password: r.V8_PASSWORD,
      provider: r.V8_PROVIDER,
      maxRps: r.V8_MAX_RPS,
      maxConcurrency: r.V8_MAX_CONCURRENCY,
      timeoutMs: r.V8_TIMEOUT_MS,
      operationsReconcileMs: r.V8_OPERATIONS_RECONCILE_S * 1000,
      tokenMarginS: r.V8_TOKEN_MARGIN_S,
      consultQuota: r.V8_CONSULT_QUOTA,
      consultQuotaWindowMs: r.V8_CONSULT_QUOTA_WINDOW_S * 1000,
    },
    kentro: {
      baseUrl: r.KENTRO_BASE_URL,
      apiKey: r.KENTRO_API_KEY,
      queueId: r.KENTRO_QUEUE_ID,
      pipelineId: r.KENTRO_PIPELINE_IDS?.[0] ?? r.KENTRO_PIPELINE_ID,
      pipelineIds:
        r.KENTRO_PIPELINE_IDS ?? (r.KENTRO_PIPELINE_ID !== undefined ? [r.KENTRO_PIPELINE_ID] : []),
      stageOrder:
        r.KENTRO_STAGE_ORDER ??
        defaultStageOrder([
          r.KENTRO_STAGE_FAILED,
          // needs_data/blocked_by_worker wait for the broker; any real V8 answer after the fix is ahead.
          r.KENTRO_STAGE_NEEDS_DATA,
          r.KENTRO_STAGE_NO_MARGIN,
          r.KENTRO_STAGE_MARGIN_FOUND,
          r.KENTRO_STAGE_SIMULATED,
          r.KENTRO_STAGE_PROPOSAL,
          r.KENTRO_STAGE_PENDENCY,
          r.KENTRO_STAGE_PAID,
          r.KENTRO_STAGE_CANCELLED,
        ]),
      responsibleId: r.KENTRO_RESPONSIBLE_ID,
      stages: {
        marginFound: r.KENTRO_STAGE_MARGIN_FOUND,
        noMargin: r.KENTRO_STAGE_NO_MARGIN,
        simulated: r.KENTRO_STAGE_SIMULATED,
        proposal: r.KENTRO_STAGE_PROPOSAL,
        paid: r.KENTRO_STAGE_PAID,
        failed: r.KENTRO_STAGE_FAILED,
        needsData: r.KENTRO_STAGE_NEEDS_DATA,
        pendency: r.KENTRO_STAGE_PENDENCY,
        cancelled: r.KENTRO_STAGE_CANCELLED,
      },
      formFields: r.KENTRO_FORM_FIELDS,
      lookup: r.KENTRO_LOOKUP,
      waTemplateId: r.KENTRO_WA_TEMPLATE_ID,
      waTemplateFormalizationId: r.KENTRO_WA_TEMPLATE_FORMALIZATION_ID,
      timeoutMs: r.KENTRO_TIMEOUT_MS,
    },
    flow: {
      simulationPolicy: r.SIMULATION_POLICY,
      concurrency: r.FLOW_CONCURRENCY,
      marginTimeoutMs: r.FLOW_MARGIN_TIMEOUT_S * 1000,
      pollFirstMs: r.FLOW_POLL_FIRST_MS,
      pollMaxMs: r.FLOW_POLL_MAX_MS,
      consultValidDays: r.FLOW_CONSULT_VALID_DAYS,
      placeholderEmailDomain: r.FLOW_PLACEHOLDER_EMAIL_DOMAIN,
      addMobileNine: r.PHONE_ADD_MOBILE_NINE,
      outboxRetryMaxMs: r.OUTBOX_RETRY_MAX_S * 1000,
      reauthorizeMax: r.FLOW_REAUTHORIZE_MAX,
    },
    evidence: { retentionDays: r.EVIDENCE_RETENTION_DAYS },
    legacy: { syncTimeoutMs: r.LEGACY_SYNC_TIMEOUT_S * 1000 },
    retention: { days: r.RETENTION_DAYS, webhookEventsDays: r.WEBHOOK_EVENTS_RETENTION_DAYS },
    loaded,
  };
}
