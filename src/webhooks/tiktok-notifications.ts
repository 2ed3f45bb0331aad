import type { AuditEventInput, AuditLog } from '../audit/audit-log.js';
import type { Lifecycle } from '../connections/lifecycle/index.js';
import type { RefreshState } from '../connections/model.js';
import type { InboxItem, WebhookInboxStore } from '../db/stores/webhook-inbox-store.js';
import type { WebhookConnectionLookup } from '../db/stores/webhook-connection-lookup.js';
import { warnExpiring } from '../refresh/authorization-expiry.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { wellFormedJson } from '../shared/well-formed.js';
import { parseLosslessJson } from '../tiktok/lossless-json.js';
import { tiktokEventName } from './tiktok-types.js';

export type NotificationResult = 'handled' | 'relayed' | 'duplicate';
export type NotificationHandler = ReturnType<typeof createNotificationHandler>;

/** What one stored delivery is processed with: stores bound to one transaction. */
export interface NotificationUnit {
  inbox: Pick<WebhookInboxStore, 'markProcessed'>;
  connections: Pick<WebhookConnectionLookup, 'connectionIdByShopId' | 'connectionIdByOpenId'>;
  lifecycle: Pick<Lifecycle, 'transition' | 'warnExpiring' | 'relay'>;
  readConnection(id: string): Promise<Pick<RefreshState, 'id' | 'status' | 'refreshTokenExpiresAt'> | undefined>;
}

export interface NotificationDeps {
  /** Runs `work` in one transaction, with the stores it needs bound to it. */
  inTransaction<T>(work: (unit: NotificationUnit) => Promise<T>): Promise<T>;
  clock: Clock;
  audit: Pick<AuditLog, 'record'>;
  logger: Logger;
}

/** TikTok's webhook types about authorizations. */
const sellerDeauthorization = 6;
const upcomingExpiration = 7;
const creatorDeauthorization = 20;

/** The fields of a TikTok webhook this service reads, whatever shape it came in. */
interface Notification {
  type: number | null;
  notificationId: string | null;
  shopId: string | null;
  creatorOpenId: string | null;
  data: Record<string, unknown>;
}

/**
 * Processes one TikTok webhook from the inbox (it was verified, stored raw and acknowledged before):
 * in one transaction, marks it processed (once, whatever the number of workers), applies what it
 * means for a connection (6 seller deauthorization and 20 creator deauthorization move it to
 * `needs_reauth` with `connection.deauthorized`; 7 upcoming expiration warns once per threshold), and
 * relays it to subscribers as `tiktok.<name>` with the body untouched. A body that is not JSON, has no
 * type or names an unknown shop is still relayed (with what is known).
 *
 * @example
 * const notifications = createNotificationHandler({ inTransaction, clock, audit, logger });
 * await notifications.process(item); // 'handled' | 'relayed' | 'duplicate'
 */
export function createNotificationHandler(deps: NotificationDeps) {
  /** One stored webhook, inside the caller's transaction; audit events are pushed to `audit` for after the commit. */
  const processIn = async (unit: NotificationUnit, item: InboxItem, audit: Pick<AuditLog, 'record'>): Promise<NotificationResult> => {
    // NUL and lone surrogates (JSON escapes) become U+FFFD: the relayed body must fit in jsonb.
    const body = wellFormedJson(parseBody(item.rawBody), { nul: true });
    const notification = readNotification(body);
    const now = deps.clock.now();
    // First, so that a second worker on the same row changes nothing (its transaction writes nothing more).
    if (!(await unit.inbox.markProcessed(item.id, 'processed', now))) return 'duplicate';
    const connectionId =
      notification.type === creatorDeauthorization
        ? notification.creatorOpenId ? await unit.connections.connectionIdByOpenId(item.app, notification.creatorOpenId) : undefined
        : notification.shopId ? await unit.connections.connectionIdByShopId(item.app, notification.shopId) : undefined;
    const handled = await applyEffect(unit, notification, connectionId, now, audit);
    await unit.lifecycle.relay(tiktokEventName(notification.type), {
      app: item.app,
      tiktokType: notification.type,
      notificationId: notification.notificationId,
      shopId: notification.shopId,
      connectionId: connectionId ?? null,
      receivedAt: item.receivedAt.toISOString(),
      body: body === undefined ? null : body,
    });
    return handled ? 'handled' : 'relayed';
  };

  /** Runs `work` in one transaction; its audit events are recorded only once it committed. */
  const committed = async <T>(work: (unit: NotificationUnit, audit: Pick<AuditLog, 'record'>) => Promise<T>): Promise<T> => {
    const events: AuditEventInput[] = [];
    const result = await deps.inTransaction((unit) => work(unit, { record: (event) => void events.push(event) }));
    for (const event of events) deps.audit.record(event);
    return result;
  };

  return {
    /** One stored webhook in its own transaction. */
    process: (item: InboxItem): Promise<NotificationResult> => committed((unit, audit) => processIn(unit, item, audit)),
    /**
     * A batch in one transaction (one commit instead of one per webhook); if any webhook fails, nothing
     * of the batch is kept and the caller processes them one by one.
     */
    processAll: (items: readonly InboxItem[]): Promise<NotificationResult[]> =>
      committed(async (unit, audit) => {
        const results: NotificationResult[] = [];
        for (const item of items) results.push(await processIn(unit, item, audit));
        return results;
      }),
  };
}

/** What a webhook means for its connection; true when it changed something or warned. */
async function applyEffect(
  unit: NotificationUnit,
  notification: Notification,
  connectionId: string | undefined,
  now: Date,
  audit: Pick<AuditLog, 'record'>,
): Promise<boolean> {
  if (notification.type === null || ![sellerDeauthorization, upcomingExpiration, creatorDeauthorization].includes(notification.type)) return false;
  const state = connectionId ? await unit.readConnection(connectionId) : undefined;
  if (!state) return false;
  if (notification.type === upcomingExpiration) {
    // An absurd expiration_time (0, past, unrepresentable) is ignored: the stored expiry decides.
    const expiresAt = expirationTime(notification.data.expiration_time, now) ?? state.refreshTokenExpiresAt;
    await warnExpiring({ lifecycle: unit.lifecycle, audit }, { id: state.id, expiresAt, now, source: 'webhook' });
    return true;
  }
  const by = notification.type === creatorDeauthorization ? 'creator' : 'seller';
  const reason = `The ${by} removed the app in TikTok Shop`;
  const changed = await unit.lifecycle.transition({
    id: state.id, to: 'needs_reauth', cause: 'tiktok_webhook', reason, at: now,
    details: { reason, occurredAt: now.toISOString(), by, webhookType: notification.type },
  });
  audit.record({
    actorType: 'tiktok', action: 'connection.deauthorized', outcome: 'success', connectionId: state.id,
    shopId: notification.shopId, detail: { webhookType: notification.type, previousStatus: state.status, changed },
  });
  return true;
}

/** The body as JSON with long integers kept as strings; undefined when it is not JSON. */
function parseBody(rawBody: string): unknown {
  try {
    return parseLosslessJson(rawBody);
  } catch {
    return undefined;
  }
}

/** Reads the known fields leniently: numbers or strings, missing or null. */
export function readNotification(body: unknown): Notification {
  const record = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null);
  const typeText = text(record.type);
  const data = record.data;
  return {
    type: typeText !== null && /^\d{1,9}$/.test(typeText) ? Number(typeText) : null,
    notificationId: text(record.tts_notification_id),
    shopId: text(record.shop_id),
    creatorOpenId: text(record.creator_open_id),
    data: data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {},
  };
}

/** How far ahead an authorization's end may plausibly be (TikTok's last a year at most). */
const latestPlausibleExpiryMs = 5 * 366 * 86_400_000;

/**
 * `data.expiration_time` (Unix seconds, number or digit string) when plausible: after `now` and
 * within five years. Anything else (0, the past, 400 digits) is undefined: stored with the raw body,
 * otherwise ignored, so it can neither throw nor record a warning that suppresses the real ones.
 */
export function expirationTime(value: unknown, now: Date): Date | undefined {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,12}$/.test(value) ? Number(value) : undefined;
  if (seconds === undefined || !Number.isSafeInteger(seconds)) return undefined;
  const at = seconds * 1000;
  return at > now.getTime() && at <= now.getTime() + latestPlausibleExpiryMs ? new Date(at) : undefined;
}
