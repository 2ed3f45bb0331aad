import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';
import { createAdminActions, type AdminActions } from './admin/actions.js';
import { createOverview, type Overview } from './admin/overview.js';
import { createReview, type Review } from './admin/review.js';
import { createApiClientAdmin, type ApiClientAdmin } from './apps/api-clients.js';
import { createRefusalAudit, type RefusalAudit } from './apps/audited.js';
import { createConnectionViews } from './apps/connection-views.js';
import { createEventFeed } from './apps/event-feed.js';
import { createKeyVerifier } from './apps/key-verifier.js';
import { createRateLimits } from './apps/rate-limits.js';
import { createShopCalls } from './apps/shop-calls.js';
import { createShopCredentialSource } from './apps/shop-credentials.js';
import { createAuditLog, type AuditLog } from './audit/audit-log.js';
import { createReadTally, type ReadTally } from './audit/read-tally.js';
import type { Config } from './config.js';
import { createConnectionsService, createShopSync, merchantStatusLinkTtlSeconds, type ConnectionsService, type ShopSync } from './connections/index.js';
import { connectionStatuses, createLifecycle, type Lifecycle } from './connections/lifecycle/index.js';
import type { Database } from './db/database.js';
import { createRetentionWorker, type RetentionWorker } from './db/retention.js';
import { createOperationsStore } from './db/stores/operations-store.js';
import { createAdminOverviewStore } from './db/stores/admin-overview-store.js';
import { createAdminReviewStore } from './db/stores/admin-review-store.js';
import { createAdminSessionStore, type AdminSessionRevocations } from './db/stores/admin-session-store.js';
import { createApiClientStore } from './db/stores/api-client-store.js';
import { createOutboundBudgetStore } from './db/stores/outbound-budget-store.js';
import { createAuditStore } from './db/stores/audit-store.js';
import { createCredentialReadStore } from './db/stores/credential-read-store.js';
import { createAuthorizationStore } from './db/stores/authorization-store.js';
import { createConnectSessionStore } from './db/stores/connect-session-store.js';
import { createConnectionListingStore, type ConnectionListingStore } from './db/stores/connection-listing-store.js';
import { createEventFeedStore } from './db/stores/event-feed-store.js';
import { createLifecycleStore } from './db/stores/lifecycle-store.js';
import { createOAuthStateStore } from './db/stores/oauth-state-store.js';
import { createProblemStore } from './db/stores/problem-store.js';
import { createRefreshClaimStore } from './db/stores/refresh-claims.js';
import { createSealedTokenStore, type SealedTokenStore } from './db/stores/sealed-token-store.js';
import { createShopAccessStore } from './db/stores/shop-access-store.js';
import { createWebhookConnectionLookup } from './db/stores/webhook-connection-lookup.js';
import { createWorkerLeaseStore } from './db/stores/worker-lease-store.js';
import { createWebhookDeliveryStore, type SubscriptionHealth } from './db/stores/webhook-delivery-store.js';
import { createWebhookInboxStore } from './db/stores/webhook-inbox-store.js';
import { createWebhookSubscriptionStore, type WebhookSubscriptionStore } from './db/stores/webhook-subscription-store.js';
import type { V1Deps } from './http/routes/v1-deps.js';
import { createRefresher, type Refresher, type RefresherDeps } from './refresh/refresher.js';
import { refreshDueAt } from './refresh/schedule.js';
import type { Clock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import { createMetrics, observeTikTokCalls, type Metrics } from './shared/metrics.js';
import type { Worker } from './shared/worker.js';
import { createApiClient, createAuthClient, createOutboundBudget, createTikTokApps, createTikTokHttp, loadScopeIndex, TikTokTokenExpired, type FetchLike, type TikTokApps } from './tiktok/index.js';
import { parseKeyRing } from './vault/key-ring.js';
import { createVault, type Vault } from './vault/vault.js';
import { createNotificationHandler, type NotificationHandler } from './webhooks/tiktok-notifications.js';
import { createDeliveryWorker, type DeliveryFetch } from './webhooks/delivery-worker.js';
import { createPinnedFetch } from './webhooks/pinned-fetch.js';
import { createDispatcher } from './webhooks/dispatcher.js';
import { createTiktokInbox, type TiktokInbox } from './webhooks/inbox.js';
import { createInboxWorker } from './webhooks/inbox-worker.js';
import type { PollingWorker } from './webhooks/poller.js';
import { processOwner } from './shared/process-owner.js';
import { createSubscriptions, type Subscriptions } from './webhooks/subscriptions.js';
import { resolveWithDns, type ResolveHost } from './webhooks/url-guard.js';

/** What the core takes from the outside world: time, logs and (in tests) the way to reach TikTok. */
export interface CoreIo {
  clock: Clock;
  logger: Logger;
  /** Replaces the pooled undici fetch used for every call to TikTok (tests). */
  fetch?: FetchLike;
  /**
   * Refresher options for tests: claim owner name, jitter, backoff, how long to wait for another
   * process, and faults (a token client or claim store that fails on purpose).
   */
  refresher?: Partial<RefresherDeps>;
  /** Replaces the global fetch used to deliver webhooks to subscribers (tests). */
  deliveryFetch?: DeliveryFetch;
  /** Replaces DNS resolution in the subscription URL checks (tests). */
  resolveHost?: ResolveHost;
}

/** Webhooks in and out: TikTok's inbox, subscriptions, and the workers that move events along. */
export interface WebhooksCore {
  inbox: TiktokInbox;
  subscriptions: Subscriptions;
  /** Each subscription's backlog, dead letters, success rate and last error over the last day (admin). */
  health(): Promise<SubscriptionHealth[]>;
  inboxWorker: PollingWorker;
  dispatcher: PollingWorker;
  deliveryWorker: PollingWorker;
  /**
   * Purges old finished deliveries (with their attempts) and processed TikTok webhooks now, through the
   * retention worker (which also purges them on its schedule). `skipped`: another replica was purging.
   */
  purge(): Promise<{ deliveries: number; receipts: number; skipped: boolean }>;
}

/** Everything the admin console is built from (the sign-in side needs the network: see admin-console.ts). */
export interface AdminCore {
  review: Review;
  overview: () => Promise<Overview>;
  actions: AdminActions;
  apiClients: ApiClientAdmin;
  sessionStore: AdminSessionRevocations;
}

export interface Core {
  config: Config;
  /** The configured TikTok Shop apps and their clients, keyed by app id (#13). */
  apps: TikTokApps;
  db: Database;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  /** Token reads counted per client × shop × connection × minute (`credential_reads`). */
  reads: ReadTally;
  vault: Vault;
  metrics: Metrics;
  lifecycle: Lifecycle;
  /** Connect sessions, the OAuth callback, merchant status and problems. */
  connections: ConnectionsService;
  refresher: Refresher;
  /** TikTok push notifications, processed from the inbox. */
  notifications: NotificationHandler;
  webhooks: WebhooksCore;
  /** The internal API (/v1). */
  v1: V1Deps;
  refusals: RefusalAudit;
  admin: AdminCore;
  /** Operator commands (CLI). */
  operator: {
    apiClients: ApiClientAdmin;
    listings: ConnectionListingStore;
    sealedTokens: SealedTokenStore;
    /** Webhook subscriptions' sealed signing secrets (`keys reencrypt`). */
    webhookSecrets: Pick<WebhookSubscriptionStore, 'listSealedSecrets' | 'replaceSealedSecrets'>;
    /** `connections sync-shops`: Get Authorized Shops again with a fresh token, and the difference stored. */
    syncShops(connectionId: string): ReturnType<ShopSync['sync']>;
  };
  /** Whether the database answers (GET /readyz). */
  readiness: { database: Database['kind']; ping(): Promise<void> };
  /** Background work, in start order: started after the service listens, stopped in reverse. */
  workers: Worker[];
  /** Stops the workers (reverse order) and closes TikTok's connection pool; the database stays open. */
  close(): Promise<void>;
}

/**
 * The one place that wires stores, the vault, TikTok's clients and the services: `main.ts`, the CLI
 * and the test harnesses build the service from it. Starts nothing: `workers` are started by the caller.
 *
 * @example
 * const core = createCore(config, db, { clock: systemClock, logger });
 * for (const worker of core.workers) worker.start();
 * await core.close();
 */
export function createCore(config: Config, db: Database, io: CoreIo): Core {
  const { clock, logger } = io;
  const audit = createAuditLog(createAuditStore(db.sql), { clock, logger });
  // Token reads: one row per client × shop × connection × minute (issue #12), not one per read.
  const reads = createReadTally(createCredentialReadStore(db.sql), { clock, logger });
  const vault = createVault(parseKeyRing(config.encryptionKeys));
  const tiktokHttp = createTikTokHttp();
  const fetch = io.fetch ?? tiktokHttp.fetch;
  const lifecycleStore = createLifecycleStore(db.sql);
  // Metrics come first, so the TikTok clients can observe every call.
  const operations = createOperationsStore(db.sql);
  const metrics = createMetrics({
    processMetrics: true,
    connections: { statuses: connectionStatuses, counts: () => lifecycleStore.countByStatus() },
    outbox: () => operations.outbox(clock.now()),
    expiringAuthorizations: () => operations.expiringAuthorizations(clock.now()),
    databaseUp: () => operations.ping(),
    webhookDeliveries: () => operations.webhookDeliveries(clock.now()),
  });
  const observer = observeTikTokCalls(metrics.tiktok);
  const scopes = loadScopeIndex();
  // TikTok's 50 calls a second per (app, shop, API), counted once for all replicas (issue #12).
  const budget = createOutboundBudget({ counter: createOutboundBudgetStore(db.sql), clock, requestsPerSecond: config.rateLimit.tiktokCallsPerSecond });
  // One client set per configured TikTok Shop app (#13); a connection's app id picks its set.
  const apps = createTikTokApps(
    config.tiktok.apps.map((app) => {
      const credentials = { appKey: app.appKey, appSecret: app.appSecret, observer };
      return {
        id: app.id, market: app.market, appKey: app.appKey, appSecret: app.appSecret, serviceId: app.serviceId,
        authorizeUrl: app.authorizeUrl, authBaseUrl: app.authBaseUrl, apiBaseUrl: app.apiBaseUrl,
        auth: createAuthClient({ fetch, authBaseUrl: app.authBaseUrl, ...credentials }),
        // A refresh request, once sent, is awaited to a long hard limit (its lease is renewed meanwhile):
        // TikTok may rotate the refresh token before it answers, so abandoning it could lose the grant.
        refreshAuth: createAuthClient({ fetch, authBaseUrl: app.authBaseUrl, ...credentials, timeoutMs: config.refresh.requestTimeoutSeconds * 1000 }),
        api: createApiClient({ fetch, apiBaseUrl: app.apiBaseUrl, clock, scopes, ...credentials, budget, app: app.id }),
      };
    }),
  );

  const lifecycle = createLifecycle({ store: lifecycleStore, clock });
  const problemStore = createProblemStore(db);
  const authorizations = createAuthorizationStore(db.sql);
  const connections = createConnectionsService({
    stores: { connections: authorizations, connectSessions: createConnectSessionStore(db), oauthStates: createOAuthStateStore(db), problems: problemStore },
    lifecycle,
    problemsInTransaction: (work) =>
      db.sql.transaction((tx) => work({ store: createProblemStore({ sql: tx }), lifecycle: createLifecycle({ store: createLifecycleStore(tx), clock }) })),
    vault,
    audit,
    clock,
    apps,
    settings: {
      publicUrl: config.publicUrl,
      cookieSecret: config.cookieSecret,
      sessionTtlSeconds: config.connect.sessionTtlSeconds,
      returnUrlAllowlist: config.connect.returnUrlAllowlist,
      stateTtlSeconds: config.connect.stateTtlSeconds,
      allowAppStoreInstalls: config.tiktok.allowAppStoreInstalls,
    },
    refreshDueAt: (issuedAt, expiresAt) => refreshDueAt(issuedAt, expiresAt, config.refresh),
  });

  const shopSync = createShopSync({ store: authorizations, apps, lifecycle, audit, clock });
  const refresher = createRefresher({
    store: createRefreshClaimStore(db.sql),
    lifecycle,
    expiry: lifecycleStore,
    // The connection's own app refreshes it: its secret, its auth host.
    auth: { refreshToken: (refreshToken, app) => apps.get(app).refreshAuth.refreshToken(refreshToken) },
    vault, clock, logger, audit,
    metrics: metrics.refresh,
    problems: connections.problems,
    settings: config.refresh,
    // Get Authorized Shops again after each refresh: one GET per refresh, a write only when they changed.
    afterRefresh: (fresh) => shopSync.sync(fresh.connectionId, fresh.accessToken, 'refresh', { app: fresh.app }),
    ...io.refresher,
  });
  const notifications = createNotificationHandler({
    inTransaction: (work) =>
      db.sql.transaction((tx) => {
        const claims = createRefreshClaimStore(tx);
        return work({
          inbox: createWebhookInboxStore(tx),
          connections: createWebhookConnectionLookup(tx),
          lifecycle: createLifecycle({ store: createLifecycleStore(tx), clock }),
          readConnection: (id) => claims.read(id),
        });
      }),
    clock, audit, logger,
  });

  const webhooks = createWebhooksCore(config, db, io, { notifications, vault, audit });

  const rateLimits = createRateLimits({
    stores: { minute: rateLimitStore(db, 120), day: rateLimitStore(db, 2 * 86_400) },
    clock, logger, defaultPerMinute: config.rateLimit.defaultPerMinute,
  });
  const apiClientStore = createApiClientStore(db.prisma);
  const listings = createConnectionListingStore(db);
  const shopAccess = createShopAccessStore(db, { readsInFlight: config.database.tokenReadsInFlight });
  const v1: V1Deps = {
    verifier: createKeyVerifier({ store: apiClientStore, clock }),
    rateLimits,
    connectSessions: { create: connections.createConnectSession },
    connections: createConnectionViews({
      directory: listings,
      problems: connections.problems,
      statusLink: (connectionId) => connections.merchantStatusLink(connectionId, merchantStatusLinkTtlSeconds),
    }),
    events: createEventFeed({ store: createEventFeedStore(db), logger }),
    uploadLimits: config.uploads,
    webhookSubscriptions: webhooks.subscriptions,
    shopCalls: createShopCalls({
      credentials: createShopCredentialSource({ shopAccess, vault, refresher, clock }),
      apps,
      problems: connections.problems,
      grants: refresher,
      shops: shopSync,
      audit,
      reads,
      scopes,
    }),
  };
  const apiClients = createApiClientAdmin({ store: apiClientStore, clock });
  const review = createReview({ store: createAdminReviewStore(db, problemStore), clock });
  const admin: AdminCore = {
    review,
    overview: createOverview({ store: createAdminOverviewStore(db), review, clock }),
    actions: createAdminActions({ lifecycle, connectionExists: (id) => authorizations.exists(id), audit, clock, refresher, statusLinks: connections }),
    apiClients,
    sessionStore: createAdminSessionStore(db),
  };

  const retention = createRetentionWorker({
    sql: db.sql, leases: createWorkerLeaseStore(db.sql), clock, logger, policy: config.retention, onDeleted: (table, rows) => metrics.retention.deleted.inc({ table }, rows),
  });
  const workers: Worker[] = [
    audit.worker,
    reads.worker,
    rateLimits.worker,
    { name: 'refresh sweeper', start: () => refresher.start(), stop: () => refresher.stop() },
    // The one retention worker: every table's old rows, one replica of the fleet at a time (db/retention-policy.ts).
    retention,
    webhooks.inboxWorker,
    webhooks.dispatcher,
    webhooks.deliveryWorker,
  ];
  let closing: Promise<void> | undefined;
  return {
    config, apps, db, clock, logger, audit, reads, vault, metrics, lifecycle, connections, refresher, notifications, v1,
    webhooks: { inbox: webhooks.inbox, subscriptions: webhooks.subscriptions, health: webhooks.health, inboxWorker: webhooks.inboxWorker,
      dispatcher: webhooks.dispatcher, deliveryWorker: webhooks.deliveryWorker, purge: () => purgeWebhooks(retention) },
    refusals: createRefusalAudit({ audit, clock, logger }),
    admin,
    operator: {
      apiClients,
      listings,
      sealedTokens: createSealedTokenStore(db.sql),
      webhookSecrets: createWebhookSubscriptionStore(db.sql),
      async syncShops(connectionId) {
        const sync = async (force: boolean) => {
          const fresh = await refresher.ensureFresh(connectionId, { force });
          return shopSync.sync(connectionId, fresh.accessToken, 'operator', { app: fresh.app, actorId: 'cli' });
        };
        // The stored token may have stopped working before its time: refresh once and ask again.
        return sync(false).catch((error: unknown) => (error instanceof TikTokTokenExpired ? sync(true) : Promise.reject(error)));
      },
    },
    readiness: { database: db.kind, ping: async () => void (await db.sql.query('SELECT 1')) },
    workers,
    close: () =>
      (closing ??= (async () => {
        for (const worker of [...workers].reverse()) await worker.stop();
        await tiktokHttp.close();
        await webhooks.closeHttp();
      })()),
  };
}

/** The webhook stores, services and workers: inbox → dispatcher → delivery, each waking the next in this process. */
function createWebhooksCore(config: Config, db: Database, io: CoreIo, deps: { notifications: NotificationHandler; vault: Vault; audit: AuditLog }) {
  const { clock, logger } = io;
  const settings = config.webhooks;
  const urlPolicy = { production: config.env === 'production', allowlist: settings.urlAllowlist, resolve: io.resolveHost ?? resolveWithDns };
  const subscriptionStore = createWebhookSubscriptionStore(db.sql);
  const deliveryStore = createWebhookDeliveryStore(db.sql);
  const inboxStore = createWebhookInboxStore(db.sql);
  // Connects only to the addresses it checked when it resolved the host (no DNS rebinding to internal services).
  const pinned = createPinnedFetch(urlPolicy);
  const deliveryWorker = createDeliveryWorker({
    deliveries: deliveryStore, subscriptions: subscriptionStore, vault: deps.vault, clock, logger, urlPolicy,
    fetch: io.deliveryFetch ?? pinned.fetch,
    owner: processOwner(),
    settings: { retryScheduleMs: settings.retryScheduleMs, autoPauseMs: settings.autoPauseMs, pollIntervalMs: settings.pollIntervalMs, concurrency: settings.concurrency },
  });
  const dispatcher = createDispatcher({
    inTransaction: (work) => db.sql.transaction((tx) => work({ deliveries: createWebhookDeliveryStore(tx), subscriptions: createWebhookSubscriptionStore(tx) })),
    clock, logger, intervalMs: settings.pollIntervalMs, onDispatched: () => deliveryWorker.wake(),
  });
  const inboxWorker = createInboxWorker({
    claim: (input) => db.sql.transaction((tx) => createWebhookInboxStore(tx).claim(input)),
    inbox: inboxStore, notifications: deps.notifications, clock, logger, intervalMs: settings.pollIntervalMs, onRelayed: () => dispatcher.wake(),
  });
  return {
    inbox: createTiktokInbox({ store: inboxStore, clock, onReceived: () => inboxWorker.wake() }),
    subscriptions: createSubscriptions({
      store: subscriptionStore, deliveries: deliveryStore, vault: deps.vault, clock, urlPolicy, audit: deps.audit, onReplayed: () => deliveryWorker.wake(),
    }),
    health: () => deliveryStore.health(new Date(clock.now().getTime() - 86_400_000)),
    inboxWorker, dispatcher, deliveryWorker,
    /** Closes the delivery connection pool (after the workers stopped). */
    closeHttp: () => pinned.close(),
  };
}

/** `webhooks.purge()`: the webhook tables' part of a retention run, now (the schedule stays as it is). */
async function purgeWebhooks(retention: RetentionWorker): Promise<{ deliveries: number; receipts: number; skipped: boolean }> {
  const result = await retention.purgeOnce({ force: true, tables: ['webhook_deliveries', 'tiktok_webhook_inbox'] });
  if (result.skipped) return { deliveries: 0, receipts: 0, skipped: true };
  return { deliveries: result.deleted.webhook_deliveries, receipts: result.deleted.tiktok_webhook_inbox, skipped: false };
}

/**
 * Where rate-limit counts are shared: the `rate_limits` table on Postgres (every replica), memory on
 * PGlite (one process). `duration` is how long the store keeps a window's key.
 */
function rateLimitStore(db: Database, duration: number) {
  return db.kind === 'postgres'
    ? new RateLimiterPostgres({
        // db.sql over the service's pg pool, in the shape of a pg Pool (`query({ text, values })`).
        storeClient: { query: async (q: { text: string; values?: unknown[] }) => ({ rows: await db.sql.query(q.text, q.values ?? []) }) },
        storeType: 'pool', tableName: 'rate_limits', tableCreated: true, points: 1, duration,
      })
    : new RateLimiterMemory({ points: 1, duration });
}
