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
}

export interface KentroSettings {
  readonly baseUrl: string | undefined;
  readonly apiKey: string | undefined;
  readonly queueId: number | undefined;
  readonly pipelineId: number | undefined;
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
  };
  readonly formFields: Readonly<Partial<Record<FormFieldName, string>>>;
  readonly lookup: 'mainmail' | 'formfield';
  readonly waTemplateId: number | undefined;
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
    readonly trustProxy: boolean;
    readonly publicBaseUrl: string | undefined;
  };
  readonly admin: { readonly passwordHash: string | undefined };
  readonly webhook: {
    readonly secret: string | undefined;
    /** Calls accepted per minute and client address. */
    readonly rateLimitPerMin: number;
    readonly retentionDays: number;
  };
  readonly v8: V8Settings;
  readonly kentro: KentroSettings;
  readonly flow: FlowConfig;
  /** Consent evidence (domain/evidence-chain.ts). */
  readonly evidence: { readonly retentionDays: number };
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
    admin: { passwordHash: r.ADMIN_PASSWORD_HASH },
    webhook: {
      secret: r.WEBHOOK_SECRET,
      rateLimitPerMin: r.WEBHOOK_RATE_LIMIT_PER_MIN,
      retentionDays: r.WEBHOOK_EVENTS_RETENTION_DAYS,
    },
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
      tokenMarginS: r.V8_TOKEN_MARGIN_S,
    },
    kentro: {
      baseUrl: r.KENTRO_BASE_URL,
      apiKey: r.KENTRO_API_KEY,
      queueId: r.KENTRO_QUEUE_ID,
      pipelineId: r.KENTRO_PIPELINE_ID,
      responsibleId: r.KENTRO_RESPONSIBLE_ID,
      stages: {
        marginFound: r.KENTRO_STAGE_MARGIN_FOUND,
        noMargin: r.KENTRO_STAGE_NO_MARGIN,
        simulated: r.KENTRO_STAGE_SIMULATED,
        proposal: r.KENTRO_STAGE_PROPOSAL,
        paid: r.KENTRO_STAGE_PAID,
        failed: r.KENTRO_STAGE_FAILED,
        needsData: r.KENTRO_STAGE_NEEDS_DATA,
      },
      formFields: r.KENTRO_FORM_FIELDS,
      lookup: r.KENTRO_LOOKUP,
      waTemplateId: r.KENTRO_WA_TEMPLATE_ID,
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
      outboxRetryMaxMs: r.OUTBOX_RETRY_MAX_S * 1000,
      reauthorizeMax: r.FLOW_REAUTHORIZE_MAX,
    },
    evidence: { retentionDays: r.EVIDENCE_RETENTION_DAYS },
    loaded,
  };
}
