import { createHash } from 'node:crypto';
import type { WebhookInboxStore } from '../db/stores/webhook-inbox-store.js';
import type { Clock } from '../shared/clock.js';
import { wellFormed } from '../shared/well-formed.js';
import { parseLosslessJson } from '../tiktok/lossless-json.js';
import { readNotification } from './tiktok-notifications.js';

export type TiktokInbox = ReturnType<typeof createTiktokInbox>;

/** A notification id usable as a key: printable ASCII, at most 128 characters (TikTok's are digits). */
const usableId = /^[\x21-\x7e]{1,128}$/;

/**
 * The key a TikTok delivery is deduplicated by: `id:<tts_notification_id>` (every digit kept) when
 * the body has a usable one (printable ASCII, at most 128 characters), otherwise `sha256:<hex>` of the exact bytes, so TikTok's retry of a body without
 * an id is still recognised.
 */
export function dedupKey(rawBody: Buffer): string {
  let notificationId: string | null = null;
  try {
    notificationId = readNotification(parseLosslessJson(rawBody.toString('utf8'))).notificationId;
  } catch {
    // Not JSON: stored and acknowledged all the same, known by its hash.
  }
  return notificationId && usableId.test(notificationId) ? `id:${notificationId}` : `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
}

/**
 * What happens to a verified TikTok webhook before TikTok gets its 200: one insert of the raw body
 * (a retry of one already stored changes nothing), then the inbox worker is woken. Nothing here can
 * refuse a delivery for its content.
 */
export function createTiktokInbox(deps: { store: Pick<WebhookInboxStore, 'receive'>; clock: Clock; onReceived(): void }) {
  return {
    async receive(app: string, rawBody: Buffer): Promise<'stored' | 'duplicate'> {
      // Stored as UTF-8 text; NUL (never valid JSON, and refused by Postgres) becomes U+FFFD.
      const text = wellFormed(rawBody.toString('utf8'), { nul: true });
      const stored = await deps.store.receive({ app, dedupKey: dedupKey(rawBody), rawBody: text, now: deps.clock.now() });
      if (stored) deps.onReceived();
      return stored ? 'stored' : 'duplicate';
    },
  };
}
