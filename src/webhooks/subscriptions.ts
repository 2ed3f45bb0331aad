import { randomBytes } from 'node:crypto';
import type { WebhookDeliveryStore } from '../db/stores/webhook-delivery-store.js';
import type { WebhookSubscriptionStore } from '../db/stores/webhook-subscription-store.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../shared/clock.js';
import { ShopForbidden, ValidationFailed, WebhookDeliveryNotFound, WebhookSubscriptionNotFound } from '../shared/errors.js';
import type { Vault } from '../vault/vault.js';
import { checkEventPattern } from './event-patterns.js';
import type { Delivery, DeliveryStatus, Subscription, SubscriptionStatus } from './model.js';
import { newSigningSecret } from './signing.js';
import { checkSubscriptionUrl, type UrlPolicy } from './url-guard.js';

/**
 * Who asks: an API client (sees its own subscriptions, within its shops) or an operator (CLI, admin: sees all).
 * An operator with `auditAs` (the CLI: `cli`) has its changes audited here as a `system` actor; the admin console
 * audits its own (with the admin's e-mail).
 */
export type Caller =
  | { kind: 'api-client'; apiClientId: string; shopIds?: ReadonlySet<string>; requestId?: string }
  | { kind: 'operator'; auditAs?: string };

export interface NewSubscription {
  url: string;
  events: string[];
  shopIds?: string[];
  apps?: string[];
}

export interface SubscriptionChanges {
  url?: string;
  events?: string[];
  shopIds?: string[] | null;
  apps?: string[] | null;
  status?: SubscriptionStatus;
}

/** How long the secret replaced by a rotation keeps signing (receivers switch over in that time). */
export const rotationOverlapMs = 24 * 3_600_000;

export type ReplayTarget = { deliveryId: string } | { deadLetters: true } | { since: Date };

export type Subscriptions = ReturnType<typeof createSubscriptions>;

/**
 * Webhook subscriptions as their owners manage them: create (the secret is answered once), list, get,
 * change (pause/resume included), rotate the secret (the old one signs too for 24 h), delete, read
 * deliveries and replay them. An API client sees only its own; an operator sees every one.
 */
export function createSubscriptions(deps: {
  store: WebhookSubscriptionStore;
  deliveries: Pick<WebhookDeliveryStore, 'list' | 'replay'>;
  vault: Pick<Vault, 'seal'>;
  clock: Clock;
  urlPolicy: UrlPolicy;
  /** Records what API clients and the CLI change (the admin console audits its own actions). */
  audit?: Pick<AuditLog, 'record'>;
  /** Wakes this process's delivery worker (replays are due at once). */
  onReplayed?(): void;
}) {
  const owned = async (caller: Caller, id: string): Promise<Subscription> => {
    const subscription = await deps.store.get(id);
    if (!subscription || (caller.kind === 'api-client' && subscription.apiClientId !== caller.apiClientId)) throw new WebhookSubscriptionNotFound(id);
    return subscription;
  };

  const checkEvents = (events: string[]) => {
    if (events.length === 0) throw new ValidationFailed('Invalid body.events: name at least one event type or pattern.', [{ path: 'body.events', message: 'empty' }]);
    for (const pattern of events) {
      const problem = checkEventPattern(pattern);
      if (problem) throw new ValidationFailed(`Invalid body.events: ${problem}`, [{ path: 'body.events', message: problem }]);
    }
  };

  /** A client limited to shops subscribes only within them (and to them all when it names none). */
  const shopsFor = (caller: Caller, shopIds: string[] | null | undefined): string[] | null => {
    if (caller.kind === 'operator' || !caller.shopIds) return shopIds ?? null;
    if (!shopIds) return [...caller.shopIds];
    const outside = shopIds.find((shop) => !caller.shopIds!.has(shop));
    if (outside) throw new ShopForbidden(`This API key may not use shop ${outside}.`);
    return shopIds;
  };

  const audited = (caller: Caller, action: string, subscriptionId: string, detail: Record<string, unknown> = {}) => {
    if (caller.kind === 'operator' && !caller.auditAs) return;
    deps.audit?.record({
      ...(caller.kind === 'api-client'
        ? { actorType: 'api_client', actorId: caller.apiClientId, requestId: caller.requestId ?? null }
        : { actorType: 'system', actorId: caller.auditAs! }),
      action: `webhook_subscription.${action}`, outcome: 'success', detail: { subscriptionId, ...detail },
    });
  };

  const sealSecret = (id: string) => {
    const secret = newSigningSecret();
    return { secret, sealed: deps.vault.seal(secret, { rowId: id, purpose: 'webhook_secret' }) };
  };

  return {
    async create(caller: Caller, input: NewSubscription): Promise<{ subscription: Subscription; secret: string }> {
      checkEvents(input.events);
      const url = (await checkSubscriptionUrl(input.url, deps.urlPolicy)).toString();
      const id = `whsub_${randomBytes(12).toString('hex')}`;
      const { secret, sealed } = sealSecret(id);
      const subscription = await deps.store.insert({
        id, apiClientId: caller.kind === 'api-client' ? caller.apiClientId : null, url, events: [...new Set(input.events)],
        shopIds: shopsFor(caller, input.shopIds), apps: input.apps ?? null, createdAt: deps.clock.now(), secretSealed: sealed,
      });
      audited(caller, 'created', id, { url: subscription.url, events: subscription.events });
      return { subscription, secret };
    },

    async list(caller: Caller): Promise<Subscription[]> {
      return deps.store.list(caller.kind === 'api-client' ? caller.apiClientId : undefined);
    },

    get: owned,

    async update(caller: Caller, id: string, changes: SubscriptionChanges): Promise<Subscription> {
      let subscription = await owned(caller, id);
      if (changes.events) checkEvents(changes.events);
      const url = changes.url === undefined ? undefined : (await checkSubscriptionUrl(changes.url, deps.urlPolicy)).toString();
      const now = deps.clock.now();
      if (url !== undefined || changes.events || changes.shopIds !== undefined || changes.apps !== undefined) {
        subscription = (await deps.store.update(id, {
          ...(url !== undefined ? { url } : {}),
          ...(changes.events ? { events: [...new Set(changes.events)] } : {}),
          ...(changes.shopIds !== undefined ? { shopIds: shopsFor(caller, changes.shopIds) } : {}),
          ...(changes.apps !== undefined ? { apps: changes.apps } : {}),
        }, now)) ?? subscription;
      }
      if (changes.status && changes.status !== subscription.status) {
        const moved = await deps.store.setStatus({
          id, from: subscription.status, to: changes.status, reason: changes.status === 'paused' ? 'Paused by its owner.' : null, now,
        });
        subscription = moved ?? (await owned(caller, id));
      }
      audited(caller, 'updated', id, { changed: Object.keys(changes), ...(changes.status ? { status: subscription.status } : {}) });
      return subscription;
    },

    async rotateSecret(caller: Caller, id: string): Promise<{ subscription: Subscription; secret: string; previousSecretExpiresAt: Date }> {
      await owned(caller, id);
      const now = deps.clock.now();
      const { secret, sealed } = sealSecret(id);
      const previousSecretExpiresAt = new Date(now.getTime() + rotationOverlapMs);
      if (!(await deps.store.rotateSecret({ id, secretSealed: sealed, previousExpiresAt: previousSecretExpiresAt, now }))) throw new WebhookSubscriptionNotFound(id);
      audited(caller, 'secret_rotated', id);
      return { subscription: await owned(caller, id), secret, previousSecretExpiresAt };
    },

    async delete(caller: Caller, id: string): Promise<void> {
      await owned(caller, id);
      await deps.store.delete(id);
      audited(caller, 'deleted', id);
    },

    async deliveries(caller: Caller, id: string, query: { status?: DeliveryStatus; before?: string; limit: number }): Promise<Delivery[]> {
      await owned(caller, id);
      return deps.deliveries.list({ subscriptionId: id, ...query });
    },

    /** Sends again: one delivery, every dead letter, or everything since a time; answers the new delivery ids. */
    async replay(caller: Caller, id: string, target: ReplayTarget): Promise<string[]> {
      await owned(caller, id);
      const now = deps.clock.now();
      const ids = await deps.deliveries.replay(
        'deliveryId' in target ? { subscriptionId: id, now, delivery: target.deliveryId }
          : 'since' in target ? { subscriptionId: id, now, since: target.since } : { subscriptionId: id, now, dead: true },
      );
      if ('deliveryId' in target && ids.length === 0) throw new WebhookDeliveryNotFound(target.deliveryId);
      if (ids.length > 0) deps.onReplayed?.();
      audited(caller, 'replayed', id, { target: Object.keys(target)[0], count: ids.length });
      return ids;
    },
  };
}
