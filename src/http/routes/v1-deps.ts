import type { ConnectionViews } from '../../apps/connection-views.js';
import type { KeyVerifier } from '../../apps/key-verifier.js';
import type { RateLimits } from '../../apps/rate-limits.js';
import type { ShopCalls } from '../../apps/shop-calls.js';
import type { EventFeed } from '../../apps/event-feed.js';
import type { Market, UploadLimits } from '../../tiktok/index.js';
import type { Subscriptions } from '../../webhooks/subscriptions.js';

/** What the internal API (/v1) is built from; main.ts makes these. */
export interface V1Deps {
  verifier: KeyVerifier;
  rateLimits: RateLimits;
  connectSessions: {
    create(
      input: { merchantRef: string; returnUrl?: string; apiClientId?: string; app?: string; market?: Market; allowedApps?: ReadonlySet<string> },
      context?: { requestId?: string },
    ): Promise<{ id: string; url: string; expiresAt: Date; app: string | null }>;
  };
  connections: ConnectionViews;
  shopCalls: ShopCalls;
  /** The outbox as a feed (GET /v1/events). */
  events: EventFeed;
  /** Byte limits of multipart uploads through the proxy; default TikTok's (5 MB images, 20 MB files). */
  uploadLimits?: UploadLimits;
  /** Webhook subscriptions (/v1/webhook-subscriptions). */
  webhookSubscriptions?: Subscriptions;
}
