import type { TikTokApps } from '../tiktok/index.js';
import express, { type Router } from 'express';
import type { Config } from '../config.js';
import type { ConnectionsService } from '../connections/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { mountEndpoints, type Endpoint } from './endpoint.js';
import { errorHandler } from './middleware/error-handler.js';
import { everyRequest } from './middleware/every-request.js';
import { parseBodies } from './middleware/parse-bodies.js';
import { notFound } from './middleware/not-found.js';
import { healthEndpoints, type Readiness } from './routes/health.js';
import { connectEndpoints } from './routes/connect.js';
import { homeEndpoints } from './routes/home.js';
import { merchantEndpoints } from './routes/merchant.js';
import { openApiEndpoint } from './routes/openapi.js';
import { v1Endpoints } from './routes/v1-endpoints.js';
import type { V1Deps } from './routes/v1-deps.js';
import { keepRawProxyBody } from './routes/v1-proxy.js';
import { metricsEndpoints } from './routes/metrics.js';
import { webhookEndpoints } from './routes/webhooks.js';
import type { TiktokInbox } from '../webhooks/inbox.js';
import type { Metrics } from '../shared/metrics.js';
import type { AdminConsole } from '../admin/admin-console.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RefusalAudit } from '../apps/audited.js';
import { adminEndpoints, devIdentityProviderRouter } from './routes/admin.js';
import { adminApiClientEndpoints } from './routes/admin-api-clients.js';
import { adminOverviewEndpoints } from './routes/admin-overview.js';
import { adminWebhookEndpoints, type AdminWebhooks } from './routes/admin-webhooks.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  /** Whether the database answers (GET /readyz). */
  readiness: Readiness;
  clock: Clock;
  /** Connect sessions, the OAuth callback, merchant status and problems. */
  connections: ConnectionsService;
  /** The internal API for apps (/v1): API keys, rate limits, tokens, signing, proxy. */
  v1?: V1Deps;
  /** This app's Prometheus registry and metrics (GET /metrics). */
  metrics?: Metrics;
  /** TikTok push notifications (POST /webhooks/tiktok): stored raw, then processed by the inbox worker. */
  webhookInbox?: Pick<TiktokInbox, 'receive'>;
  /** The configured TikTok Shop apps (webhooks are verified with their app's key and secret). */
  apps?: Pick<TikTokApps, 'list'>;
  /** The admin console (/admin) and, in development, its identity provider (/dev-idp); `webhooks`: its webhook pages. */
  admin?: { console: AdminConsole; audit: AuditLog; webhooks?: AdminWebhooks };
  /** Audits calls to audited endpoints that are refused before their handler runs. */
  refusals?: RefusalAudit;
  /** Routers mounted before the service's own routes (the simulator in development). */
  extraRouters?: { path: string; router: Router }[];
}

export const jsonBodyLimit = '1mb';

/** Builds the Express app from its dependencies. No listening, no side effects. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Answers carry credentials and are never cached (see securityHeaders), so no ETag either.
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  app.use(everyRequest({ logger: deps.logger, ...(deps.metrics ? { metrics: deps.metrics.http } : {}), https: deps.config.publicUrl.startsWith('https://') }));
  for (const extra of deps.extraRouters ?? []) app.use(extra.path, extra.router);
  const devIdp = deps.admin?.console.devIdentityProvider;
  if (devIdp) app.use(devIdp.mountPath, devIdentityProviderRouter(devIdp));
  // Webhooks are verified over their raw bytes, so they are mounted before the JSON parser.
  const rawEndpoints: Endpoint[] = deps.webhookInbox ? webhookEndpoints({ apps: deps.apps ?? { list: [] }, inbox: deps.webhookInbox, logger: deps.logger }) : [];
  mountEndpoints(app, rawEndpoints);
  app.use(parseBodies([express.json({ limit: jsonBodyLimit, verify: keepRawProxyBody }), express.urlencoded({ extended: false, limit: '64kb' })]));

  // The internal API first: the router tries routes in order, and /v1 is the hot path.
  const endpoints: Endpoint[] = [
    ...(deps.v1 ? v1Endpoints(deps.v1) : []),
    ...homeEndpoints(deps),
    ...connectEndpoints(deps),
    ...merchantEndpoints(deps),
    ...healthEndpoints(deps),
    // With METRICS_PORT set, /metrics is served by metrics-server.ts on that port instead.
    ...(deps.metrics && deps.config.metrics.port === undefined ? metricsEndpoints({ metrics: deps.metrics, token: deps.config.metrics.token }) : []),
    ...rawEndpoints,
    ...(deps.admin ? adminEndpoints({ admin: deps.admin.console, audit: deps.admin.audit, clock: deps.clock, apps: deps.apps?.list ?? [] }) : []),
    ...(deps.admin ? adminApiClientEndpoints({ admin: deps.admin.console, audit: deps.admin.audit, clock: deps.clock, apps: deps.apps?.list ?? [] }) : []),
    ...(deps.admin ? adminOverviewEndpoints({ admin: deps.admin.console, clock: deps.clock }) : []),
    ...(deps.admin?.webhooks ? adminWebhookEndpoints({ admin: deps.admin.console, audit: deps.admin.audit, clock: deps.clock, webhooks: deps.admin.webhooks }) : [])];
  endpoints.push(openApiEndpoint({ endpoints: () => endpoints, serverUrl: deps.config.publicUrl }));
  const router = express.Router();
  mountEndpoints(router, endpoints.filter((endpoint) => !rawEndpoints.includes(endpoint)));
  app.use(router);

  app.use(notFound(endpoints));
  app.use(errorHandler(deps.logger, deps.refusals, { appName: deps.config.appDisplayName }));
  return app;
}
