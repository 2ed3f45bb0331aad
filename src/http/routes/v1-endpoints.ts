import type { Endpoint } from '../endpoint.js';
import { connectSessionEndpoints } from './v1-connect-sessions.js';
import { connectionEndpoints } from './v1-connections.js';
import { eventEndpoints } from './v1-events.js';
import type { V1Deps } from './v1-deps.js';
import { proxyEndpoints } from './v1-proxy.js';
import { shopEndpoints } from './v1-shops.js';
import { webhookSubscriptionEndpoints } from './v1-webhook-subscriptions.js';

/** Every /v1 endpoint (the internal API for apps). */
export function v1Endpoints(deps: V1Deps): Endpoint[] {
  return [...connectSessionEndpoints(deps), ...connectionEndpoints(deps), ...eventEndpoints(deps), ...shopEndpoints(deps), ...proxyEndpoints(deps),
    ...(deps.webhookSubscriptions ? webhookSubscriptionEndpoints({ ...deps, webhookSubscriptions: deps.webhookSubscriptions }) : [])];
}
