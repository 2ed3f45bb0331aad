import { z } from 'zod';
import type { AuditEventInput, AuditLog } from '../audit/audit-log.js';
import type { Lifecycle } from '../connections/lifecycle/index.js';
import type { RefreshState } from '../connections/model.js';
import type { WebhookReceiptStore } from '../db/stores/webhook-receipts.js';
import { warnExpiring } from '../refresh/authorization-expiry.js';
import type { Clock } from '../shared/clock.js';
import { ValidationFailed } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

const payloadSchema = z.object({
  type: z.coerce.number().int(),
  tts_notification_id: z.coerce.string().min(1),
  shop_id: z.coerce.string().optional(),
  creator_open_id: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export type NotificationResult = 'handled' | 'duplicate' | 'ignored';
export type NotificationHandler = ReturnType<typeof createNotificationHandler>;

/** What one delivery is handled with: stores bound to one transaction. */
export interface NotificationUnit {
  receipts: WebhookReceiptStore;
  lifecycle: Pick<Lifecycle, 'transition' | 'warnExpiring'>;
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

/**
 * TikTok push notifications about authorizations: 6 (seller deauthorization, by shop), 7 (upcoming
 * authorization expiration) and 20 (creator deauthorization, by open id). Each delivery is handled
 * once (webhook_receipts) in one transaction with its effect, so a failure lets TikTok's retry try again.
 * A deauthorization moves the connection to `needs_reauth` with the event `connection.deauthorized`:
 * a seller who removed the app can come back by re-authorizing (revoking is an operator's decision).
 *
 * @example
 * const notifications = createNotificationHandler({ inTransaction, clock, audit, logger });
 * await notifications.handle(JSON.parse(rawBody.toString('utf8'))); // 'handled' | 'duplicate' | 'ignored'
 */
export function createNotificationHandler(deps: NotificationDeps) {
  return {
    async handle(body: unknown): Promise<NotificationResult> {
      const parsed = payloadSchema.safeParse(body);
      if (!parsed.success) throw new ValidationFailed('The notification has no type or tts_notification_id.');
      const notification = parsed.data;
      const now = deps.clock.now();
      // Audit events wait for the commit: a rolled-back delivery leaves no trace but TikTok's retry.
      const events: AuditEventInput[] = [];
      const audit = { record: (event: AuditEventInput) => void events.push(event) };
      const result = await deps.inTransaction(async (unit): Promise<NotificationResult> => {
        const first = await unit.receipts.record({
          notificationId: notification.tts_notification_id, type: notification.type, shopId: notification.shop_id ?? null, now,
        });
        if (!first) return 'duplicate';
        const connectionId =
          notification.type === creatorDeauthorization
            ? notification.creator_open_id && (await unit.receipts.connectionIdByOpenId(notification.creator_open_id))
            : notification.shop_id && (await unit.receipts.connectionIdByShopId(notification.shop_id));
        const state = connectionId ? await unit.readConnection(connectionId) : undefined;
        if (!state || ![sellerDeauthorization, upcomingExpiration, creatorDeauthorization].includes(notification.type)) {
          deps.logger.info({ type: notification.type, shopId: notification.shop_id }, 'webhook for no known connection, or of a type not handled');
          return 'ignored';
        }
        if (notification.type === upcomingExpiration) {
          const expiresAt = expirationTime(notification.data?.expiration_time) ?? state.refreshTokenExpiresAt;
          await warnExpiring({ lifecycle: unit.lifecycle, audit }, { id: state.id, expiresAt, now, source: 'webhook' });
          return 'handled';
        }
        const by = notification.type === creatorDeauthorization ? 'creator' : 'seller';
        const reason = `The ${by} removed the app in TikTok Shop`;
        const changed = await unit.lifecycle.transition({
          id: state.id, to: 'needs_reauth', cause: 'tiktok_webhook', reason, at: now,
          details: { reason, occurredAt: now.toISOString(), by, webhookType: notification.type },
        });
        audit.record({
          actorType: 'tiktok', action: 'connection.deauthorized', outcome: 'success', connectionId: state.id,
          shopId: notification.shop_id ?? null, detail: { webhookType: notification.type, previousStatus: state.status, changed },
        });
        return 'handled';
      });
      for (const event of events) deps.audit.record(event);
      return result;
    },
  };
}

function expirationTime(value: unknown): Date | undefined {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}
