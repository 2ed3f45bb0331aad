import { z } from 'zod';
import type { AuditEventInput, AuditLog } from '../db/audit-log.js';
import type { ConnectionStatus } from '../db/stores/connection-records.js';
import { createRefreshStore } from '../db/stores/refresh-store.js';
import type { SqlClient } from '../db/sql.js';
import type { Clock } from '../shared/clock.js';
import { ValidationFailed } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { warnExpiring } from './authorization-expiry.js';
import { statusEvent } from './grant-dead.js';

const payloadSchema = z.object({
  type: z.coerce.number().int(),
  tts_notification_id: z.coerce.string().min(1),
  shop_id: z.coerce.string().optional(),
  creator_open_id: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export type NotificationResult = 'handled' | 'duplicate' | 'ignored';
export type NotificationHandler = ReturnType<typeof createNotificationHandler>;

/** A seller who removes the app can come back by re-authorizing, so this is `needs_reauth`, not `revoked` (an operator's decision). */
const deauthorized = { status: 'needs_reauth' as const satisfies ConnectionStatus };

/**
 * TikTok push notifications about authorizations: 6 (seller deauthorization, by shop), 7 (upcoming
 * authorization expiration) and 20 (creator deauthorization, by open id). Each delivery is handled
 * once (webhook_receipts) in one transaction with its effect, so a failure lets TikTok's retry try again.
 *
 * @example
 * const notifications = createNotificationHandler({ sql: db.sql, clock, audit, logger });
 * await notifications.handle(JSON.parse(rawBody.toString('utf8'))); // 'handled' | 'duplicate' | 'ignored'
 */
export function createNotificationHandler(deps: { sql: SqlClient; clock: Clock; audit: Pick<AuditLog, 'record'>; logger: Logger }) {
  return {
    async handle(body: unknown): Promise<NotificationResult> {
      const parsed = payloadSchema.safeParse(body);
      if (!parsed.success) throw new ValidationFailed('The notification has no type or tts_notification_id.');
      const notification = parsed.data;
      const now = deps.clock.now();
      // Audit events wait for the commit: a rolled-back delivery leaves no trace but TikTok's retry.
      const events: AuditEventInput[] = [];
      const audit = { record: (event: AuditEventInput) => void events.push(event) };
      const result = await deps.sql.transaction(async (tx): Promise<NotificationResult> => {
        const store = createRefreshStore(tx);
        const first = await store.recordWebhookReceipt({
          notificationId: notification.tts_notification_id, type: notification.type, shopId: notification.shop_id ?? null, now,
        });
        if (!first) return 'duplicate';
        const connectionId =
          notification.type === 20
            ? notification.creator_open_id && (await store.connectionIdByOpenId(notification.creator_open_id))
            : notification.shop_id && (await store.connectionIdByShopId(notification.shop_id));
        const state = connectionId ? await store.read(connectionId) : undefined;
        if (!state || ![6, 7, 20].includes(notification.type)) {
          deps.logger.info({ type: notification.type, shopId: notification.shop_id }, 'webhook for no known connection, or of a type not handled');
          return 'ignored';
        }
        if (notification.type === 7) {
          const expiresAt = expirationTime(notification.data?.expiration_time) ?? state.refreshTokenExpiresAt;
          await warnExpiring({ store, audit, logger: deps.logger }, {
            id: state.id, openId: state.openId, merchantRef: state.merchantRef, expiresAt, now, source: 'webhook',
          });
          return 'handled';
        }
        const who = notification.type === 20 ? 'creator' : 'seller';
        const reason = `The ${who} removed the app in TikTok Shop`;
        const changed = await store.changeStatus({
          id: state.id, from: ['active', 'expired'], to: deauthorized.status, reason, now, event: statusEvent(state, deauthorized.status, reason, now),
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
