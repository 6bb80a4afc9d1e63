import { z } from 'zod';
import { parseTrustProxy } from '../domain/trust-proxy.ts';

/**
 * Every key a client's `config-<PORT>.env` may hold. This table is the single documentation of the
 * configuration: `docs/CONFIG.md`, the console and `make config` are generated from it.
 * Credentials never have a default: an empty credential means "not configured yet" and the
 * feature that needs it answers `not_configured` instead of falling back to anybody else's value.
 */
export type KeyKind = 'secret' | 'credential' | 'setting';

export interface KeyDoc {
  readonly schema: z.ZodType;
  readonly doc: string;
  /** secret: never shown (only "definido"/"vazio"); credential: shown masked; setting: shown as is. */
  readonly kind: KeyKind;
  /** Name accepted for the same key in files of the old PM2 service. */
  readonly alias?: string;
  /** Can be overridden from the /config-v8 console (stored in the data volume). */
  readonly overridable?: boolean;
}

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = () => z.preprocess(emptyToUndefined, z.string().trim().optional());
const optionalUrl = () => z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional());
const url = (def: string) => z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).default(def));
const wholeNumber = { error: 'must be a whole number' };
const int = (def: number, min: number, max: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number(wholeNumber)
      .int(wholeNumber)
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(def),
  );
const optionalInt = (min = 1) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce.number(wholeNumber).int(wholeNumber).min(min, `must be at least ${min}`).optional(),
  );
const bool = (def: boolean) =>
  z.preprocess(
    emptyToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  );
/** "4, 2" -> [4, 2]: positive ids, each once, in the order given. */
const idList = () =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be ids separated by commas, e.g. 4,2')
      .transform((s) => s.split(',').map((x) => Number(x.trim())))
      .refine((ids) => ids.every((id) => Number.isSafeInteger(id) && id > 0), 'ids must be positive')
      .refine((ids) => new Set(ids).size === ids.length, 'an id is listed twice')
      .optional(),
  );
const formFieldId = z.string().regex(/^[0-9a-f]{8}$/, 'form-field ids are 8 lowercase hex characters');

export const FORM_FIELD_NAMES = [
  'cpf',
  'birthDate',
  'motherName',
  'email',
  'phone',
  'rg',
  'cep',
  'street',
  'houseNumber',
  'neighborhood',
  'city',
  'state',
  'pixKey',
  'provider',
  'availableMargin',
  'simulatedAmount',
  'installmentValue',
  'installments',
  'formalizationUrl',
] as const;

const formFields = z.preprocess(
  (v) => {
    const s = emptyToUndefined(v);
    if (s === undefined) return undefined;
    try {
      return JSON.parse(String(s));
    } catch {
      return Symbol.for('invalid-json');
    }
  },
  z
    .partialRecord(z.enum(FORM_FIELD_NAMES), formFieldId, {
      error: `must be a JSON object mapping some of ${FORM_FIELD_NAMES.join(', ')} to 8-hex form-field ids`,
    })
    .default({}),
);

export const CONFIG_KEYS = {
  PORT: {
    schema: z.coerce
      .number(wholeNumber)
      .int(wholeNumber)
      .min(1024, 'must be between 1024 and 65535')
      .max(65535, 'must be between 1024 and 65535'),
    doc: 'Port this client listens on and is published on; must equal the port of the container that reads the file.',
    kind: 'setting',
  },
  CLIENT_NAME: {
    schema: z.string().trim().min(1).max(80),
    doc: 'Human name of the client company (shown in /health, logs and the console).',
    kind: 'setting',
  },
  LOG_LEVEL: {
    schema: z.preprocess(
      emptyToUndefined,
      z.enum(['error', 'warn', 'info', 'http', 'debug']).default('info'),
    ),
    doc: 'Lowest level written to the logs.',
    kind: 'setting',
  },
  LOG_MAX_SIZE_MB: {
    schema: int(10, 1, 1024),
    doc: 'Size at which a log file is rotated (MiB).',
    kind: 'setting',
  },
  LOG_MAX_FILES: { schema: int(5, 1, 100), doc: 'Rotated files kept per log file.', kind: 'setting' },
  PUBLIC_BASE_URL: {
    schema: optionalUrl(),
    doc: 'Public URL of this client (for example https://api.corban.com.br:6000); used to register webhooks at V8.',
    kind: 'setting',
  },
  TRUST_PROXY: {
    schema: z.preprocess(
      (v) => (typeof v === 'string' ? v : undefined),
      z
        .string()
        .optional()
        .transform((v, ctx) => {
          const r = parseTrustProxy(v);
          if (r.ok) return r.list;
          ctx.addIssue({ code: 'custom', message: r.reason });
          return z.NEVER;
        }),
    ),
    doc: 'Addresses of the reverse proxies in front of this client whose X-Forwarded-For/-Proto are believed (client IP for the sign-in limits, https for Secure cookies): a comma-separated list of IPs, CIDR ranges (172.18.0.0/16) or loopback, linklocal, uniquelocal. Empty/false: nobody (the default; right when the port is reached directly). true is accepted for old files and means loopback + private networks (never a public caller), but is unsafe when other hosts of those networks reach the port: list the proxy instead.',
    kind: 'setting',
  },
  CONSOLE_LOGIN_GLOBAL_LIMIT: {
    schema: int(30, 1, 10000),
    doc: 'Failed /config-v8 sign-ins allowed per 15 minutes from all addresses together (each address has its own limit of 5). Past it every sign-in answers 429 until the window passes: guessing stays bounded even from many addresses.',
    kind: 'setting',
  },
  CONSOLE_ALLOW_INSECURE_HTTP: {
    schema: bool(false),
    doc: 'Allow signing in to the /config-v8 console over plain HTTP from another machine (the password and session cookie then travel in clear text). Off: only over HTTPS (the TLS front, with TRUST_PROXY=true) or from the host itself (loopback). Sandbox clients turn it on.',
    kind: 'setting',
  },
  API_TOKEN: {
    schema: z.string().min(24, 'must be at least 24 characters (make add-client generates one)'),
    doc: 'Bearer token that callers of this client HTTP API must present.',
    kind: 'secret',
  },
  METRICS_TOKEN: {
    schema: optionalString().pipe(z.string().min(24, 'must be at least 24 characters').optional()),
    doc: 'Bearer token for GET /metrics only (Prometheus), so the scraper never holds API_TOKEN. API_TOKEN is accepted too.',
    kind: 'secret',
  },
  ADMIN_PASSWORD_HASH: {
    schema: optionalString().pipe(
      z
        .string()
        .regex(/^scrypt\$/, 'must be a hash made by make set-admin-password')
        .optional(),
    ),
    doc: 'scrypt hash of the /config-v8 console password (make set-admin-password PORT=...).',
    kind: 'secret',
  },
  WEBHOOK_SECRET: {
    schema: optionalString().pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    doc: 'Secret path segment of the V8 webhook URL (/webhooks/v8/<secret>).',
    kind: 'secret',
  },
  WEBHOOK_RATE_LIMIT_PER_MIN: {
    schema: int(600, 10, 100000),
    doc: 'Most webhook calls accepted per minute from one address; more are answered 429 and not stored (V8 redelivers).',
    kind: 'setting',
  },
  V8_AUTH_URL: {
    schema: url('https://auth.v8sistema.com/oauth/token'),
    doc: 'V8 OAuth token endpoint. The console may set it only to an https://*.v8sistema.com URL (or back to this file value), with the V8 password in the same request.',
    kind: 'setting',
    overridable: true,
  },
  V8_BASE_URL: {
    schema: url('https://bff.v8sistema.com'),
    doc: 'V8 BFF base URL. Same console rule as V8_AUTH_URL.',
    kind: 'setting',
    overridable: true,
  },
  V8_CLIENT_ID: {
    schema: optionalString(),
    doc: 'OAuth client_id given by V8.',
    kind: 'credential',
    overridable: true,
  },
  V8_AUDIENCE: {
    schema: url('https://bff.v8sistema.com'),
    doc: 'OAuth audience given by V8.',
    kind: 'setting',
    overridable: true,
  },
  V8_SCOPE: {
    schema: z.preprocess(
      emptyToUndefined,
      z.enum(['offline_access', 'online_access']).default('offline_access'),
    ),
    doc: 'OAuth scope.',
    kind: 'setting',
  },
  V8_USERNAME: {
    schema: optionalString(),
    doc: 'V8 login (e-mail) of this client.',
    kind: 'credential',
    overridable: true,
  },
  V8_PASSWORD: {
    schema: optionalString(),
    doc: 'V8 password of this client.',
    kind: 'secret',
    overridable: true,
  },
  V8_PROVIDER: {
    schema: z.preprocess(emptyToUndefined, z.enum(['QI', 'CELCOIN']).default('QI')),
    doc: 'Default V8 provider (bancarizadora): QI or CELCOIN.',
    kind: 'setting',
    overridable: true,
  },
  V8_MAX_RPS: {
    schema: int(2, 1, 100),
    doc: 'Most requests per second this client sends to V8.',
    kind: 'setting',
  },
  V8_MAX_CONCURRENCY: { schema: int(4, 1, 64), doc: 'Most V8 calls in flight at once.', kind: 'setting' },
  V8_TIMEOUT_MS: { schema: int(15000, 1000, 120000), doc: 'Timeout of one V8 call (ms).', kind: 'setting' },
  V8_OPERATIONS_RECONCILE_S: {
    schema: int(300, 5, 86400),
    doc: 'Every this many seconds, each operation not yet paid, cancelled or rejected is read back from V8, so a missed operation webhook is caught up.',
    kind: 'setting',
  },
  V8_CONSULT_QUOTA: {
    schema: int(250, 0, 100000),
    doc: "New V8 consults one V8 login may create per V8_CONSULT_QUOTA_WINDOW_S (integrators treat 250 per hour as V8's quota). Flows past it wait (waiting_quota) instead of failing. 0 = no quota.",
    kind: 'setting',
  },
  V8_CONSULT_QUOTA_WINDOW_S: {
    schema: int(3600, 1, 86400),
    doc: 'Window of V8_CONSULT_QUOTA in seconds (a sliding window: a consult counts until this long after it was created).',
    kind: 'setting',
  },
  V8_TOKEN_MARGIN_S: {
    schema: int(300, 0, 3600),
    doc: 'Refresh the V8 token this many seconds before it expires.',
    kind: 'setting',
  },
  KENTRO_BASE_URL: {
    schema: optionalUrl(),
    doc: 'Kentro tenant URL, for example https://empresa.atenderbem.com.',
    kind: 'setting',
    alias: 'KENTRO_API_URL',
  },
  KENTRO_API_KEY: {
    schema: optionalString(),
    doc: 'Kentro queue apiKey.',
    kind: 'secret',
    alias: 'KENTRO_TOKEN',
  },
  KENTRO_QUEUE_ID: { schema: optionalInt(), doc: 'Kentro queue id the apiKey belongs to.', kind: 'setting' },
  KENTRO_PIPELINE_ID: {
    schema: optionalInt(),
    doc: 'Kentro pipeline holding the CLT leads.',
    kind: 'setting',
  },
  KENTRO_PIPELINE_IDS: {
    schema: idList(),
    doc: 'Pipelines where the lead of a CPF is looked up, in this order (e.g. 4,2); the first one is where new opportunities are created and where the KENTRO_STAGE_* stages are. Empty: KENTRO_PIPELINE_ID alone. When both are set, this list wins. A lead found in another pipeline keeps its stage (Kentro cannot move an opportunity across pipelines): its stage moves are skipped and logged.',
    kind: 'setting',
  },
  KENTRO_STAGE_ORDER: {
    schema: idList(),
    doc: 'Stage ids from first to last (e.g. 20,26,22,21,23,24,25). A lead is only moved to a stage later in this list than the one it is in: a move to an earlier or the same stage is skipped and logged with its reason, so a rerun never moves a lead back. A lead in a stage not listed (the entry stage) may be moved to any listed stage; a move to a stage not listed is skipped. Empty: failed, needs data, no margin, margin found, simulated, proposal, paid (the KENTRO_STAGE_* that are set). Without the needs-data stage in an explicit list, needs_data and blocked_by_worker moves are skipped.',
    kind: 'setting',
  },
  KENTRO_RESPONSIBLE_ID: {
    schema: optionalInt(),
    doc: 'Kentro user set as responsible of opportunities we create.',
    kind: 'setting',
  },
  KENTRO_STAGE_MARGIN_FOUND: { schema: optionalInt(), doc: 'Stage when V8 found margin.', kind: 'setting' },
  KENTRO_STAGE_NO_MARGIN: {
    schema: optionalInt(),
    doc: 'Stage when there is no margin / rejected.',
    kind: 'setting',
  },
  KENTRO_STAGE_SIMULATED: {
    schema: optionalInt(),
    doc: 'Stage after a successful simulation.',
    kind: 'setting',
  },
  KENTRO_STAGE_PROPOSAL: {
    schema: optionalInt(),
    doc: 'Stage when a proposal (operation) exists.',
    kind: 'setting',
  },
  KENTRO_STAGE_PAID: { schema: optionalInt(), doc: 'Stage when the operation is paid.', kind: 'setting' },
  KENTRO_STAGE_NEEDS_DATA: {
    schema: optionalInt(),
    doc: "Stage when the broker must act: V8 disputes the lead's data (birth date, name) or the worker blocked margin queries; empty: the failed stage.",
    kind: 'setting',
  },
  KENTRO_STAGE_PENDENCY: {
    schema: optionalInt(),
    doc: 'Stage when V8 reports the operation pending (a pendency the broker must solve); empty: no move.',
    kind: 'setting',
  },
  KENTRO_STAGE_CANCELLED: {
    schema: optionalInt(),
    doc: 'Stage when V8 reports the operation canceled or rejected; empty: no move.',
    kind: 'setting',
  },
  KENTRO_STAGE_FAILED: {
    schema: optionalInt(),
    doc: 'Stage when the flow failed (missing data, error).',
    kind: 'setting',
  },
  KENTRO_FORM_FIELDS: {
    schema: formFields,
    doc: `JSON map from our field names (${FORM_FIELD_NAMES.join(', ')}) to this tenant form-field ids.`,
    kind: 'setting',
  },
  KENTRO_LOOKUP: {
    schema: z.preprocess(emptyToUndefined, z.enum(['mainmail', 'formfield']).default('mainmail')),
    doc: 'Where the CPF is stored on an opportunity: mainmail (old convention) or the cpf form field.',
    kind: 'setting',
  },
  KENTRO_WA_TEMPLATE_ID: {
    schema: optionalInt(),
    doc: 'WhatsApp template sent after a simulation (empty: none).',
    kind: 'setting',
  },
  KENTRO_WA_TEMPLATE_FORMALIZATION_ID: {
    schema: optionalInt(),
    doc: "WhatsApp template carrying V8's signing link to the borrower when a flow's operation reaches formalization (variables: first name, released amount, instalments, link); sent once per operation. Empty: none.",
    kind: 'setting',
  },
  KENTRO_TIMEOUT_MS: {
    schema: int(30000, 1000, 120000),
    doc: 'Timeout of one Kentro call (ms).',
    kind: 'setting',
  },
  SIMULATION_POLICY: {
    schema: z.preprocess(emptyToUndefined, z.enum(['max_amount', 'lowest_rate']).default('max_amount')),
    doc: 'How the flow picks a simulation: max_amount (longest term allowed, then lowest rate, instalment = whole margin) or lowest_rate (cheapest rate table first, then longest term).',
    kind: 'setting',
  },
  FLOW_CONCURRENCY: {
    schema: int(4, 1, 32),
    doc: 'CLT flows (fluxo completo) run in parallel by this client; V8 pacing still applies to all of them.',
    kind: 'setting',
  },
  FLOW_MARGIN_TIMEOUT_S: {
    schema: int(900, 1, 86400),
    doc: 'Longest wait for the V8 margin result (webhook or polling) before a flow ends as failed (s).',
    kind: 'setting',
  },
  FLOW_POLL_FIRST_MS: {
    schema: int(20000, 10, 600000),
    doc: 'First fallback poll of a consult after authorize when no webhook came (ms); doubles up to FLOW_POLL_MAX_MS.',
    kind: 'setting',
  },
  FLOW_POLL_MAX_MS: {
    schema: int(120000, 10, 3600000),
    doc: 'Longest interval between fallback polls of one consult (ms).',
    kind: 'setting',
  },
  FLOW_REAUTHORIZE_MAX: {
    schema: int(3, 0, 10),
    doc: 'Times a flow authorizes its consult again while V8 still says WAITING_CONSENT (spaced by the poll backoff).',
    kind: 'setting',
  },
  FLOW_CONSULT_VALID_DAYS: {
    schema: int(30, 1, 90),
    doc: 'A new flow reuses a consult of the same CPF (not rejected or failed) created less than this many days ago instead of creating another.',
    kind: 'setting',
  },
  FLOW_PLACEHOLDER_EMAIL_DOMAIN: {
    schema: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a domain name such as example.com')
        .default('example.com'),
    ),
    doc: 'A lead without e-mail is sent to V8 as <cpf>@<this domain> (V8 requires one); keep a domain that receives no mail.',
    kind: 'setting',
  },
  LEGACY_SYNC_TIMEOUT_S: {
    schema: int(300, 1, 3600),
    doc: 'Longest wait of the old POST/GET /clt/fluxo-completo for the flow to finish before it answers 408 with the flow id (s); the flow goes on. ?async=1 answers 202 at once instead.',
    kind: 'setting',
  },
  PHONE_ADD_MOBILE_NINE: {
    schema: bool(true),
    doc: 'Lead phones with an 8-digit number in the mobile ranges (first digit 6-9) get the leading 9 every Brazilian mobile has had since 2016 (V8 wants 9-digit mobiles); landlines (2-5) are kept. false: phones are sent as written.',
    kind: 'setting',
  },
  OUTBOX_RETRY_MAX_S: {
    schema: int(300, 1, 3600),
    doc: 'Longest wait between two delivery attempts of one CRM update to Kentro (s); updates are retried until delivered.',
    kind: 'setting',
  },
  EVIDENCE_RETENTION_DAYS: {
    schema: int(1825, 365, 7300),
    doc: 'Consent evidence (who created or authorized each consult, when, from where, on which channel the worker agreed) is kept this many days, apart from any other retention; older entries are removed oldest first and the hash chain stays verifiable.',
    kind: 'setting',
  },
  RETENTION_DAYS: {
    schema: int(180, 1, 3650),
    doc: 'Days a finished flow, a finished batch (with its results) and a delivered or dropped CRM update are kept; older ones are deleted by an hourly pass. Running flows and batches and CRM updates still pending or parked are never deleted.',
    kind: 'setting',
  },
  WEBHOOK_EVENTS_RETENTION_DAYS: {
    schema: int(30, 1, 3650),
    doc: 'Days the raw V8 webhook log is kept (usually shorter than RETENTION_DAYS: events are only hints, and carry CPFs).',
    kind: 'setting',
  },
} as const satisfies Record<string, KeyDoc>;

export type ConfigKey = keyof typeof CONFIG_KEYS;
export type RawConfig = { [K in ConfigKey]: z.output<(typeof CONFIG_KEYS)[K]['schema']> };

export const configSchema = z.object(
  Object.fromEntries(Object.entries(CONFIG_KEYS).map(([k, d]) => [k, d.schema])) as {
    [K in ConfigKey]: (typeof CONFIG_KEYS)[K]['schema'];
  },
);
