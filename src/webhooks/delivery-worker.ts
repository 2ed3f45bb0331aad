import type { ClaimedDelivery, WebhookDeliveryStore } from '../db/stores/webhook-delivery-store.js';
import type { WebhookSubscriptionStore } from '../db/stores/webhook-subscription-store.js';
import type { Clock } from '../shared/clock.js';
import { isServiceError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Vault } from '../vault/vault.js';
import { createPollingWorker, type PollingWorker } from './poller.js';
import { nextStep, type AttemptResult } from './retry-policy.js';
import { signedHeaders } from './signing.js';
import type { DeliveryFetch } from './pinned-fetch.js';
import { checkSubscriptionUrl, type UrlPolicy } from './url-guard.js';

/** How long one attempt may take (Standard Webhooks receivers should answer fast). */
export const deliveryTimeoutMs = 10_000;
/** A claim's lease: well past the timeout, so a live worker always records its attempt first. */
const leaseMs = 60_000;
const snippetLength = 500;

export type { DeliveryFetch } from './pinned-fetch.js';

export interface DeliveryWorkerDeps {
  deliveries: Pick<WebhookDeliveryStore, 'claim' | 'recordAttempt'>;
  subscriptions: Pick<WebhookSubscriptionStore, 'noteFailure' | 'noteSuccess'>;
  vault: Pick<Vault, 'open'>;
  fetch: DeliveryFetch;
  clock: Clock;
  logger: Logger;
  /** This process, as lease owner. */
  owner: string;
  urlPolicy: UrlPolicy;
  settings: { retryScheduleMs: readonly number[]; autoPauseMs: number; pollIntervalMs: number; concurrency: number };
  random?: () => number;
}

/**
 * Sends due deliveries: claims up to `concurrency` (leased, one worker per attempt), signs each per
 * Standard Webhooks, POSTs it with a 10 s timeout and no redirects, records the attempt, and decides:
 * delivered (2xx), retry later (network error, timeout, 5xx, 408/409/425/429 with backoff, jitter and
 * Retry-After), or dead letter (other 4xx, or out of attempts). A subscription failing for
 * `autoPauseMs` without one success is paused.
 */
export function createDeliveryWorker(deps: DeliveryWorkerDeps): PollingWorker {
  const random = deps.random ?? Math.random;

  const secretsFor = async (delivery: ClaimedDelivery, now: Date): Promise<string[]> => {
    const sealed = delivery.secrets;
    const context = { rowId: delivery.subscriptionId, purpose: 'webhook_secret' } as const;
    const secrets = [deps.vault.open(sealed.secret, context)];
    if (sealed.previous && sealed.previousExpiresAt && sealed.previousExpiresAt > now) secrets.push(deps.vault.open(sealed.previous, context));
    return secrets;
  };

  const attempt = async (delivery: ClaimedDelivery, body: string, secrets: string[]): Promise<{ result: AttemptResult; snippet: string | null }> => {
    try {
      await checkSubscriptionUrl(delivery.url, deps.urlPolicy);
    } catch (error) {
      return { result: { kind: 'response', status: 400, retryAfter: null }, snippet: isServiceError(error) ? error.message : 'URL refused' };
    }
    try {
      const response = await deps.fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'tiktok-shop-connect-webhooks/1',
          ...signedHeaders({ id: delivery.event.id, at: deps.clock.now(), body, secrets }),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(deliveryTimeoutMs),
      });
      const text = await response.text().catch(() => '');
      return { result: { kind: 'response', status: response.status, retryAfter: response.headers.get('retry-after') }, snippet: text.slice(0, snippetLength) || null };
    } catch (error) {
      // The pinned connection refused the address the host resolves to now (DNS rebinding): as refused as the URL check.
      const refused = error instanceof Error && isServiceError(error.cause) ? error.cause : undefined;
      if (refused) return { result: { kind: 'response', status: 400, retryAfter: null }, snippet: refused.message };
      const cause = error instanceof Error ? (error.name === 'TimeoutError' ? `timed out after ${deliveryTimeoutMs / 1000} s` : (error.cause instanceof Error ? error.cause.message : error.message)) : String(error);
      return { result: { kind: 'network', error: cause.slice(0, snippetLength) }, snippet: null };
    }
  };

  const send = async (delivery: ClaimedDelivery): Promise<void> => {
    const started = deps.clock.now();
    const body = JSON.stringify(delivery.event);
    // A secret that cannot be opened (its key left TOKEN_ENCRYPTION_KEYS) is an attempt that failed, not a stuck lease.
    const secrets = await secretsFor(delivery, started).catch(() => undefined);
    const { result, snippet } = secrets
      ? await attempt(delivery, body, secrets)
      : { result: { kind: 'network', error: 'the signing secret could not be decrypted (TOKEN_ENCRYPTION_KEYS)' } as const, snippet: null };
    const now = deps.clock.now();
    const step = nextStep({ result, attempt: delivery.attempt, scheduleMs: deps.settings.retryScheduleMs, now, random });
    const error = result.kind === 'network' ? result.error : result.status >= 300 ? `HTTP ${result.status}` : null;
    const recorded = await deps.deliveries.recordAttempt({
      deliveryId: delivery.id, owner: deps.owner, attemptedAt: started, statusCode: result.kind === 'response' ? result.status : null,
      latencyMs: Math.max(0, now.getTime() - started.getTime()), outcome: step.outcome, error, responseSnippet: snippet, nextAttemptAt: step.nextAttemptAt,
    });
    if (!recorded) {
      deps.logger.warn({ deliveryId: delivery.id }, 'webhook delivery lease lost before its attempt was recorded');
      return;
    }
    if (step.outcome === 'delivered') {
      await deps.subscriptions.noteSuccess(delivery.subscriptionId);
      return;
    }
    const paused = await deps.subscriptions.noteFailure({
      id: delivery.subscriptionId, now, pauseIfFailingSince: new Date(now.getTime() - deps.settings.autoPauseMs),
      reason: `Paused automatically: every attempt failed for longer than WEBHOOK_AUTO_PAUSE_HOURS (last: ${error ?? 'refused'}).`,
    });
    if (paused) deps.logger.warn({ subscriptionId: delivery.subscriptionId }, 'webhook subscription paused after failing for too long');
    if (step.outcome === 'dead') deps.logger.info({ deliveryId: delivery.id, subscriptionId: delivery.subscriptionId, error }, 'webhook delivery dead-lettered');
  };

  // Up to `concurrency` sends at once; a round claims only as many as there are free slots, and a
  // finished send wakes the next round, so a slow receiver holds one slot, not the whole batch.
  const inFlight = new Set<Promise<void>>();
  const poller: PollingWorker = createPollingWorker({
    name: 'webhook delivery',
    intervalMs: deps.settings.pollIntervalMs,
    logger: deps.logger,
    async round() {
      const free = deps.settings.concurrency - inFlight.size;
      if (free <= 0) return false;
      const now = deps.clock.now();
      const claimed = await deps.deliveries.claim({ now, owner: deps.owner, leaseUntil: new Date(now.getTime() + leaseMs), limit: free });
      for (const delivery of claimed) {
        const sending: Promise<void> = send(delivery)
          .catch((error: unknown) => deps.logger.warn({ err: error, deliveryId: delivery.id }, 'webhook delivery failed unexpectedly'))
          .finally(() => {
            inFlight.delete(sending);
            poller.wake();
          });
        inFlight.add(sending);
      }
      return claimed.length === free;
    },
  });
  return {
    ...poller,
    async drain() {
      let rounds = 0;
      do {
        rounds += await poller.drain();
        await Promise.all([...inFlight]);
      } while ((await poller.drain()) > 0 || inFlight.size > 0);
      return rounds;
    },
    async stop() {
      await poller.stop();
      await Promise.all([...inFlight]);
    },
  };
}
