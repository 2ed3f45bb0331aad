import { z } from 'zod';
import { resolveDevelopmentSecrets, type GeneratedSecrets } from './dev-secrets.js';
import { resolveSecretFiles, SecretFileError, type SecretSettingName, type SecretSource } from './secret-files.js';

/**
 * Every setting the service reads, defined once: name, default, and what it means. `.env.example`
 * and the configuration table (docs/configuration.md) are checked against this schema by a test.
 */
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();
const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const httpUrl = z.url({ protocol: /^https?$/ });
const days = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const flag = z.enum(['true', 'false', '']).default('false').transform((value) => value === 'true');

export const settings = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development')
    .describe('`production` refuses the simulator, the development identity provider and generated keys'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port'),
  PUBLIC_URL: httpUrl.optional().describe('the base URL people reach; default `http://localhost:$PORT`'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgresql:// URL').optional()
    .describe('`postgresql://…` for a Postgres server; unset: PGlite in `$DATA_DIR/pglite`'),
  DATA_DIR: z.string().min(1).default('./data').describe('where embedded state lives'),
  DATABASE_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().positive().default(2000)
    .describe('Postgres: how long a request waits for a database connection before it answers 503 `database_unavailable`'),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000)
    .describe('Postgres: the longest a statement may run (statement_timeout; migrations excepted) before the request answers 503'),
  DATABASE_TOKEN_READS_IN_FLIGHT: z.coerce.number().int().min(1).max(100).default(1)
    .describe('how many token-read queries one process runs at once; reads arriving meanwhile are answered together by the next one'),
  APP_DISPLAY_NAME: z.string().trim().min(1).max(80).default('TikTok Shop Connect')
    .describe("the company's app as merchants see it on connect, status and error pages"),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
    .describe('pino log level'),
  TIKTOK_APP_KEY: optionalText.describe('TikTok Shop app key (Partner Center); unset: simulator mode'),
  TIKTOK_APP_SECRET: optionalText.describe('TikTok Shop app secret'),
  TIKTOK_SERVICE_ID: optionalText.describe('TikTok Shop service id (used on the authorize page)'),
  TIKTOK_ALLOW_APP_STORE_INSTALLS: z.enum(['true', 'false']).optional()
    .describe('`true`: a callback with a code and no `state` (an install from the TikTok Shop App Store) is exchanged and stored; a state the service did not issue is always refused. Unset: `false`, except `true` with the simulator'),
  TIKTOK_AUTHORIZE_URL: httpUrl.default('https://services.tiktokshop.com/open/authorize')
    .describe('seller authorize page (US sellers: `https://services.tiktokshops.us/open/authorize`)'),
  TIKTOK_AUTH_BASE_URL: httpUrl.default('https://auth.tiktok-shops.com').describe('token get / refresh host'),
  TIKTOK_API_BASE_URL: httpUrl.default('https://open-api.tiktokglobalshop.com').describe('open API host'),
  TIKTOK_APPS: optionalText
    .describe('more TikTok Shop apps, a JSON array of `{"id","appKey","appSecret","serviceId","market":"global"|"us","authorizeUrl"?,"authBaseUrl"?,"apiBaseUrl"?}` (hosts default by market); the single-app variables above are the app `default` (docs/configuration.md#several-tiktok-shop-apps)'),
  TOKEN_ENCRYPTION_KEYS: optionalText
    .describe('comma-separated `keyId:base64Key` (32-byte keys); the first encrypts, all decrypt. Development: generated into `$DATA_DIR`'),
  COOKIE_SECRET: optionalText
    .pipe(z.string().min(32, 'at least 32 characters').optional())
    .describe('secret (≥ 32 characters) that signs browser cookies. Development: generated into `$DATA_DIR`'),
  REFRESH_SWEEP_INTERVAL_SECONDS: seconds(60).describe('how often the background refresher looks for authorizations that are due'),
  REFRESH_AT_LIFETIME_FRACTION: z.coerce.number().gt(0).lt(1).default(0.85)
    .describe("share of an access token's lifetime after which it is refreshed"),
  REFRESH_SAFETY_MARGIN_SECONDS: seconds(3600)
    .describe('refresh at the latest this long before expiry (capped at a tenth of the lifetime for short-lived tokens)'),
  REFRESH_CONCURRENCY: seconds(4).describe('refreshes one process runs at once'),
  REFRESH_CLAIM_SECONDS: seconds(60).describe('lease a process holds on an authorization while refreshing it (renewed while its TikTok request runs)'),
  REFRESH_REQUEST_TIMEOUT_SECONDS: seconds(120)
    .describe('hard limit of one token refresh request to TikTok; a slow answer is still stored, since TikTok may have rotated the refresh token'),
  REFRESH_WAIT_SECONDS: seconds(10)
    .describe('how long an API request waits for a token refresh before it gets the stored token (if still valid) or 503 `refresh_busy`; the refresh keeps running'),
  REFRESH_CIRCUIT_FAILURES: seconds(5)
    .describe("consecutive timeouts or 5xx from TikTok's token endpoint after which this process stops starting refreshes of tokens that still have time"),
  REFRESH_CIRCUIT_OPEN_SECONDS: seconds(60)
    .describe('how long the refresh circuit stays open before one probe refresh may test TikTok again'),
  CONNECT_SESSION_TTL_SECONDS: seconds(1800).describe('how long a connect link stays valid'),
  OAUTH_STATE_TTL_SECONDS: z.coerce.number().int().min(1800, 'at least 1800 (TikTok\'s authorization code alone lives 30 minutes)').default(3600)
    .describe('how long a merchant has between leaving for TikTok (to log in or create an account, then approve) and coming back; at least 1800'),
  RETURN_URL_ALLOWLIST: z.string().default('')
    .describe('comma-separated origins (`https://app.example.com`) that connect sessions may return to'),
  TIKTOK_UPLOAD_IMAGE_MAX_MB: z.coerce.number().positive().max(100).default(5)
    .describe('largest image upload (`…/images/upload`) the proxy forwards, in MB; larger ones get 413'),
  TIKTOK_UPLOAD_FILE_MAX_MB: z.coerce.number().positive().max(500).default(20)
    .describe('largest other upload (multipart/form-data, e.g. Upload Product File) the proxy forwards, in MB; larger ones get 413'),
  DEFAULT_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().nonnegative().default(0)
    .describe('per-API-client request limit (per minute) for clients without their own; `0`: no limit (callers are internal apps; TikTok\'s own limit is guarded by the outbound budget)'),
  TIKTOK_CALLS_PER_SECOND: seconds(50)
    .describe('calls a second all replicas together send TikTok per (app, shop, API), TikTok\'s documented limit; over it callers get 429 `tiktok_rate_limited` before TikTok is called'),
  WEBHOOK_URL_ALLOWLIST: z.string().default('')
    .describe('comma-separated hosts (names or IP addresses) a webhook subscription may use over plain http or on a private address in production'),
  WEBHOOK_RETRY_SCHEDULE_SECONDS: z.string().default('60,300,900,3600,7200,18000,54000')
    .refine((value) => value.split(',').every((item) => /^\d+(\.\d+)?$/.test(item.trim())), 'comma-separated numbers of seconds')
    .describe('waits between webhook delivery attempts (before jitter), one per retry; their count + 1 is the attempt budget, then a dead letter'),
  WEBHOOK_AUTO_PAUSE_HOURS: z.coerce.number().positive().default(72)
    .describe('a webhook subscription whose deliveries have failed for this long without one success is paused (admins see it)'),
  WEBHOOK_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(1000)
    .describe('how often each replica looks for webhook work (TikTok inbox, new events, due deliveries)'),
  WEBHOOK_DELIVERY_CONCURRENCY: seconds(8).describe('webhook deliveries one process sends at once'),
  WEBHOOK_RETENTION_DAYS: days(30).describe('how long delivered webhooks, their attempts and TikTok webhook receipts are kept before they are purged (by the retention worker, with `RETENTION_BATCH_SIZE` and `RETENTION_SWEEP_INTERVAL_SECONDS`)'),
  ADMIN_OIDC_ISSUER: httpUrl.optional().describe('OpenID Connect issuer for admin sign-in; unset outside production: built-in development identity provider'),
  ADMIN_OIDC_CLIENT_ID: optionalText.describe('admin sign-in client id'),
  ADMIN_OIDC_CLIENT_SECRET: optionalText.describe('admin sign-in client secret'),
  ADMIN_EMAILS: z.string().default('').describe('comma-separated e-mail addresses allowed into `/admin`'),
  // Operations (issue #17): metrics, tracing, retention.
  METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'at least 16 characters').optional())
    .describe('when set, `GET /metrics` needs `Authorization: Bearer <METRICS_TOKEN>`'),
  METRICS_PORT: optionalText.pipe(z.coerce.number<string | undefined>().int().min(1).max(65535).optional())
    .describe('when set, `/metrics` is served on this port only (not on `PORT`)'),
  OTEL_ENABLED: flag.describe('`true`: OpenTelemetry traces (requests, database queries, TikTok calls) sent over OTLP'),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.pipe(httpUrl.optional())
    .describe('OTLP/HTTP collector, e.g. `http://otel-collector:4318`; setting it turns tracing on'),
  RETENTION_SWEEP_INTERVAL_SECONDS: seconds(3600).describe('how often old rows of every table are purged: once per interval for the whole fleet, by one replica at a time'),
  RETENTION_BATCH_SIZE: seconds(1000).describe('rows deleted per statement while purging (every table, webhook ones included)'),
  RETENTION_AUDIT_EVENTS_DAYS: days(365).describe('days audit events are kept'),
  RETENTION_OUTBOX_EVENTS_DAYS: days(30).describe('days outbox events (`GET /v1/events`) are kept'),
  RETENTION_OAUTH_STATES_DAYS: days(1).describe('days OAuth states are kept after they expire'),
  RETENTION_CONNECT_SESSIONS_DAYS: days(7).describe('days connect sessions are kept after they expire'),
} as const;

const schema = z.object(settings);
export type Settings = z.infer<typeof schema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** Postgres only: fail fast when the database is away. */
  database: { acquireTimeoutMs: number; statementTimeoutMs: number; tokenReadsInFlight: number };
  logLevel: Settings['LOG_LEVEL'];
  /** The company's app as merchants see it (APP_DISPLAY_NAME). */
  appDisplayName: string;
  tiktok: {
    /** `simulator`: no credentials configured; the built-in simulator stands in for TikTok. */
    mode: 'live' | 'simulator';
    /**
     * The TikTok Shop apps, never empty: the single-app variables are `default` (first), then
     * `TIKTOK_APPS`. In simulator mode, simulated apps (development: `global` and `us`; tests: `default`).
     */
    apps: TikTokAppConfig[];
    /** Whether a callback without `state` (TikTok Shop App Store install) is exchanged and stored. */
    allowAppStoreInstalls: boolean;
  };
  /** `TOKEN_ENCRYPTION_KEYS`, or (outside production) the development key kept in `$DATA_DIR`. */
  encryptionKeys: string;
  /** `COOKIE_SECRET`, or (outside production) the development secret kept in `$DATA_DIR`. */
  cookieSecret: string;
  /** Which secrets came from the development file (to warn about once at startup). */
  generatedSecrets: GeneratedSecrets | undefined;
  refresh: {
    sweepIntervalSeconds: number;
    atLifetimeFraction: number;
    safetyMarginSeconds: number;
    concurrency: number;
    claimSeconds: number;
    requestTimeoutSeconds: number;
    waitSeconds: number;
    circuitFailures: number;
    circuitOpenSeconds: number;
  };
  connect: { sessionTtlSeconds: number; returnUrlAllowlist: string[]; stateTtlSeconds: number };
  /** `defaultPerMinute` null: clients without their own limit are not limited. */
  rateLimit: { defaultPerMinute: number | null; tiktokCallsPerSecond: number };
  /** Multipart uploads through the proxy, in bytes. */
  uploads: { imageMaxBytes: number; fileMaxBytes: number };
  admin: { issuer: string | undefined; clientId: string | undefined; clientSecret: string | undefined; emails: string[] };
  /** Where each secret setting came from (`<NAME>` or `<NAME>_FILE`), for the startup log; never a value. */
  secretSources: Record<SecretSettingName, SecretSource>;
  metrics: { token: string | undefined; port: number | undefined };
  tracing: { enabled: boolean; endpoint: string | undefined };
  retention: RetentionSettings;
  webhooks: {
    /** Hosts exempt from the https and public-address rules (lowercase). */
    urlAllowlist: string[];
    /** Waits between attempts, in milliseconds; attempts = length + 1. */
    retryScheduleMs: number[];
    autoPauseMs: number;
    pollIntervalMs: number;
    concurrency: number;
  };
}

/** The partner platform an app is registered in: the US Partner Center or the global one. */
export type Market = 'global' | 'us';

/** One TikTok Shop app (Partner Center registration). Connections are keyed by `id`, never by key or secret. */
export interface TikTokAppConfig {
  id: string;
  market: Market;
  appKey: string;
  appSecret: string;
  serviceId: string;
  authorizeUrl: string;
  authBaseUrl: string;
  apiBaseUrl: string;
  /** Simulator mode: where the app's built-in simulator is mounted (below PUBLIC_URL). */
  simulatorPath?: string;
}

/** The hosts of each market (docs/configuration.md; /work/shared/tiktok-protocol.md §2–3: token and API hosts are shared). */
export const marketHosts: Record<Market, Pick<TikTokAppConfig, 'authorizeUrl' | 'authBaseUrl' | 'apiBaseUrl'>> = {
  global: { authorizeUrl: 'https://services.tiktokshop.com/open/authorize', authBaseUrl: 'https://auth.tiktok-shops.com', apiBaseUrl: 'https://open-api.tiktokglobalshop.com' },
  us: { authorizeUrl: 'https://services.tiktokshops.us/open/authorize', authBaseUrl: 'https://auth.tiktok-shops.com', apiBaseUrl: 'https://open-api.tiktokglobalshop.com' },
};

/** The app of the single-app variables (and of connections stored before apps existed). */
export const defaultAppId = 'default';

/** How long each kind of row is kept (`RETENTION_*`, `WEBHOOK_RETENTION_DAYS`), as the retention worker (db/retention-policy.ts) applies it. */
export interface RetentionSettings {
  sweepIntervalSeconds: number;
  batchSize: number;
  auditEventsDays: number;
  outboxEventsDays: number;
  oauthStatesDays: number;
  connectSessionsDays: number;
  /** Finished webhook deliveries (with their attempts) and processed TikTok webhooks (`WEBHOOK_RETENTION_DAYS`). */
  webhooksDays: number;
}

/** A setting is missing or wrong; the message is one line naming the variable and what it expects. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The simulator's fixed development credentials; the simulator and the service share them. */
export const simulatorApp = { appKey: 'sim_app_key', appSecret: 'sim_app_secret_for_development_only', serviceId: 'sim_service' };
/** The second simulated app of development (the US Partner Center), with its own key and secret. */
export const simulatorUsApp = { appKey: 'sim_us_app_key', appSecret: 'sim_us_app_secret_for_development_only', serviceId: 'sim_us_service' };
export const simulatorMountPath = '/simulator';

export function loadConfig(rawEnv: Record<string, string | undefined> = process.env): Config {
  const { env, sources: secretSources } = readSecretFiles(rawEnv);
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'configuration');
    throw new ConfigError(`${name}: ${issue.message} (${settings[name as keyof typeof settings]?.description ?? ''})`);
  }
  const s = parsed.data;
  const publicUrl = (s.PUBLIC_URL ?? `http://localhost:${s.PORT}`).replace(/\/+$/, '');
  const credentials = [s.TIKTOK_APP_KEY, s.TIKTOK_APP_SECRET, s.TIKTOK_SERVICE_ID];
  const single = credentials.every((value) => value !== undefined);
  if (!single && credentials.some((value) => value !== undefined)) {
    const missing = ['TIKTOK_APP_KEY', 'TIKTOK_APP_SECRET', 'TIKTOK_SERVICE_ID'].filter((_, i) => credentials[i] === undefined);
    throw new ConfigError(`${missing[0]}: required when any TikTok credential is set (set all three, or none for the simulator)`);
  }
  const listed = s.TIKTOK_APPS === undefined ? [] : parseApps(s.TIKTOK_APPS);
  const live = single || listed.length > 0;
  if (s.NODE_ENV === 'production') refuseDevelopmentDefaults(s, live);
  // In production both are set (refused above otherwise), so the development file is never touched.
  const secrets = resolveDevelopmentSecrets(s.DATA_DIR, { encryptionKeys: s.TOKEN_ENCRYPTION_KEYS, cookieSecret: s.COOKIE_SECRET });
  const liveApps: TikTokAppConfig[] = [
    ...(single
      ? [{
          id: defaultAppId, market: 'global' as const, appKey: s.TIKTOK_APP_KEY!, appSecret: s.TIKTOK_APP_SECRET!, serviceId: s.TIKTOK_SERVICE_ID!,
          authorizeUrl: s.TIKTOK_AUTHORIZE_URL, authBaseUrl: trimSlash(s.TIKTOK_AUTH_BASE_URL), apiBaseUrl: trimSlash(s.TIKTOK_API_BASE_URL),
        }]
      : []),
    ...listed,
  ];
  if (live) refuseDuplicateApps(liveApps, s.NODE_ENV === 'production');
  return {
    env: s.NODE_ENV,
    port: s.PORT,
    publicUrl,
    databaseUrl: s.DATABASE_URL,
    dataDir: s.DATA_DIR,
    database: { acquireTimeoutMs: s.DATABASE_ACQUIRE_TIMEOUT_MS, statementTimeoutMs: s.DATABASE_STATEMENT_TIMEOUT_MS, tokenReadsInFlight: s.DATABASE_TOKEN_READS_IN_FLIGHT },
    logLevel: s.LOG_LEVEL,
    appDisplayName: s.APP_DISPLAY_NAME,
    tiktok: live
      ? { mode: 'live', apps: liveApps, allowAppStoreInstalls: s.TIKTOK_ALLOW_APP_STORE_INSTALLS === 'true' }
      : {
          mode: 'simulator',
          // Development shows the feature: a global and a US app. Tests keep one app, `default`.
          apps: s.NODE_ENV === 'development'
            ? [simulatedApp('global', 'global', simulatorApp, publicUrl, simulatorMountPath), simulatedApp('us', 'us', simulatorUsApp, publicUrl, `${simulatorMountPath}/us`)]
            : [simulatedApp(defaultAppId, 'global', simulatorApp, publicUrl, simulatorMountPath)],
          // The simulator's "Install from the App Store" path works out of the box in development.
          allowAppStoreInstalls: s.TIKTOK_ALLOW_APP_STORE_INSTALLS !== 'false',
        },
    encryptionKeys: secrets.encryptionKeys,
    cookieSecret: secrets.cookieSecret,
    generatedSecrets: secrets.generated,
    refresh: {
      sweepIntervalSeconds: s.REFRESH_SWEEP_INTERVAL_SECONDS,
      atLifetimeFraction: s.REFRESH_AT_LIFETIME_FRACTION,
      safetyMarginSeconds: s.REFRESH_SAFETY_MARGIN_SECONDS,
      concurrency: s.REFRESH_CONCURRENCY,
      claimSeconds: s.REFRESH_CLAIM_SECONDS,
      requestTimeoutSeconds: s.REFRESH_REQUEST_TIMEOUT_SECONDS,
      waitSeconds: s.REFRESH_WAIT_SECONDS,
      circuitFailures: s.REFRESH_CIRCUIT_FAILURES,
      circuitOpenSeconds: s.REFRESH_CIRCUIT_OPEN_SECONDS,
    },
    connect: {
      sessionTtlSeconds: s.CONNECT_SESSION_TTL_SECONDS,
      returnUrlAllowlist: parseOrigins(s.RETURN_URL_ALLOWLIST),
      stateTtlSeconds: s.OAUTH_STATE_TTL_SECONDS,
    },
    rateLimit: { defaultPerMinute: s.DEFAULT_RATE_LIMIT_PER_MINUTE === 0 ? null : s.DEFAULT_RATE_LIMIT_PER_MINUTE, tiktokCallsPerSecond: s.TIKTOK_CALLS_PER_SECOND },
    uploads: { imageMaxBytes: Math.round(s.TIKTOK_UPLOAD_IMAGE_MAX_MB * 1024 * 1024), fileMaxBytes: Math.round(s.TIKTOK_UPLOAD_FILE_MAX_MB * 1024 * 1024) },
    admin: {
      issuer: s.ADMIN_OIDC_ISSUER,
      clientId: s.ADMIN_OIDC_CLIENT_ID,
      clientSecret: s.ADMIN_OIDC_CLIENT_SECRET,
      emails: splitList(s.ADMIN_EMAILS).map((email) => email.toLowerCase()),
    },
    secretSources,
    metrics: { token: s.METRICS_TOKEN, port: s.METRICS_PORT },
    tracing: { enabled: s.OTEL_ENABLED || s.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined, endpoint: s.OTEL_EXPORTER_OTLP_ENDPOINT },
    retention: {
      sweepIntervalSeconds: s.RETENTION_SWEEP_INTERVAL_SECONDS,
      batchSize: s.RETENTION_BATCH_SIZE,
      auditEventsDays: s.RETENTION_AUDIT_EVENTS_DAYS,
      outboxEventsDays: s.RETENTION_OUTBOX_EVENTS_DAYS,
      oauthStatesDays: s.RETENTION_OAUTH_STATES_DAYS,
      connectSessionsDays: s.RETENTION_CONNECT_SESSIONS_DAYS,
      webhooksDays: s.WEBHOOK_RETENTION_DAYS,
    },
    webhooks: {
      urlAllowlist: splitList(s.WEBHOOK_URL_ALLOWLIST).map((host) => host.toLowerCase()),
      retryScheduleMs: splitList(s.WEBHOOK_RETRY_SCHEDULE_SECONDS).map((item) => Math.round(Number(item) * 1000)),
      autoPauseMs: Math.round(s.WEBHOOK_AUTO_PAUSE_HOURS * 3_600_000),
      pollIntervalMs: s.WEBHOOK_POLL_INTERVAL_MS,
      concurrency: s.WEBHOOK_DELIVERY_CONCURRENCY,
    },
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function simulatedApp(id: string, market: Market, credentials: typeof simulatorApp, publicUrl: string, path: string): TikTokAppConfig {
  const base = `${publicUrl}${path}`;
  return { id, market, ...credentials, authorizeUrl: `${base}/open/authorize`, authBaseUrl: base, apiBaseUrl: base, simulatorPath: path };
}

const appId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, `-` and `_` (at most 40)');
const appEntry = z.object({
  id: appId,
  appKey: z.string().trim().min(1, 'required'),
  appSecret: z.string().trim().min(1, 'required'),
  serviceId: z.string().trim().min(1, 'required'),
  market: z.enum(['global', 'us']),
  authorizeUrl: httpUrl.optional(),
  authBaseUrl: httpUrl.optional(),
  apiBaseUrl: httpUrl.optional(),
}).strict();

/**
 * `TIKTOK_APPS`: each entry checked on its own, and a mistake named by its app and field
 * (`TIKTOK_APPS[us].appSecret: required`). A message never holds a value, so no secret reaches a log.
 */
function parseApps(raw: string): TikTokAppConfig[] {
  let entries: unknown;
  try {
    entries = JSON.parse(raw);
  } catch {
    throw new ConfigError('TIKTOK_APPS: not JSON (a JSON array of apps, see docs/configuration.md#several-tiktok-shop-apps)');
  }
  if (!Array.isArray(entries)) throw new ConfigError('TIKTOK_APPS: a JSON array of apps is expected');
  return entries.map((entry: unknown, index) => {
    const parsed = appEntry.safeParse(entry);
    const named = typeof (entry as { id?: unknown } | null)?.id === 'string' ? (entry as { id: string }).id : String(index);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
      const message = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')}` : issue.message;
      throw new ConfigError(`TIKTOK_APPS[${named}]${field}: ${message}`);
    }
    const app = parsed.data;
    if (app.id === defaultAppId) throw new ConfigError(`TIKTOK_APPS[${defaultAppId}].id: "${defaultAppId}" is the app of TIKTOK_APP_KEY; give this app another id`);
    const hosts = marketHosts[app.market];
    return {
      id: app.id, market: app.market, appKey: app.appKey, appSecret: app.appSecret, serviceId: app.serviceId,
      authorizeUrl: app.authorizeUrl ?? hosts.authorizeUrl,
      authBaseUrl: trimSlash(app.authBaseUrl ?? hosts.authBaseUrl),
      apiBaseUrl: trimSlash(app.apiBaseUrl ?? hosts.apiBaseUrl),
    };
  });
}

/**
 * Two apps with one id would make connections ambiguous: always refused. Two apps with one key would
 * make App Store installs and webhooks ambiguous: refused in production.
 */
function refuseDuplicateApps(apps: TikTokAppConfig[], production: boolean): void {
  const seen = new Map<string, string>();
  for (const app of apps) {
    if (seen.has(`id:${app.id}`)) throw new ConfigError(`TIKTOK_APPS[${app.id}].id: two apps have the id "${app.id}"`);
    seen.set(`id:${app.id}`, app.id);
    const other = seen.get(`key:${app.appKey}`);
    if (other !== undefined && production) throw new ConfigError(`TIKTOK_APPS[${app.id}].appKey: the same app key as the app "${other}" (refused in production)`);
    seen.set(`key:${app.appKey}`, app.id);
  }
}

function readSecretFiles(env: Record<string, string | undefined>): ReturnType<typeof resolveSecretFiles> {
  try {
    return resolveSecretFiles(env);
  } catch (error) {
    throw error instanceof SecretFileError ? new ConfigError(error.message) : error;
  }
}

function refuseDevelopmentDefaults(s: Settings, live: boolean): void {
  if (!live) throw new ConfigError('TIKTOK_APP_KEY: required in production, or TIKTOK_APPS (the simulator is for development only)');
  if (!s.TOKEN_ENCRYPTION_KEYS) throw new ConfigError('TOKEN_ENCRYPTION_KEYS: required in production (generated keys are for development only)');
  if (!s.COOKIE_SECRET) throw new ConfigError('COOKIE_SECRET: required in production (a generated secret is for development only)');
  if (!s.ADMIN_OIDC_ISSUER) throw new ConfigError('ADMIN_OIDC_ISSUER: required in production (the development identity provider is refused)');
  if (!s.ADMIN_OIDC_CLIENT_ID) throw new ConfigError('ADMIN_OIDC_CLIENT_ID: required with ADMIN_OIDC_ISSUER');
  if (splitList(s.ADMIN_EMAILS).length === 0) throw new ConfigError('ADMIN_EMAILS: required in production (who may enter /admin)');
  if (!s.PUBLIC_URL?.startsWith('https://')) throw new ConfigError('PUBLIC_URL: an https:// URL is required in production');
}

function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

function parseOrigins(value: string): string[] {
  return splitList(value).map((item) => {
    try {
      return new URL(item).origin;
    } catch {
      throw new ConfigError(`RETURN_URL_ALLOWLIST: "${item}" is not an origin such as https://app.example.com`);
    }
  });
}
