import { z } from 'zod';

/**
 * TikTok's webhooks as relayed to internal apps (`tiktok.<name>`, see webhooks/tiktok-types.ts): one
 * schema for every type, since TikTok's own payload is passed on untouched in `body` (long integers
 * as strings of the same digits). Written to the outbox beside the connection events, with the same ids.
 */
export const tiktokRelaySchema = z
  .object({
    app: z.string().describe('the TikTok app (`default` for the single-app settings) the webhook came to'),
    tiktokType: z.number().int().nullable().describe("TikTok's type number; null when the body had none"),
    notificationId: z.string().nullable().describe('`tts_notification_id` as a string, when TikTok sent one'),
    shopId: z.string().nullable(),
    connectionId: z.string().nullable().describe('the connection that owns the shop (or the creator), when known'),
    receivedAt: z.iso.datetime(),
    body: z.unknown().describe("TikTok's webhook body as sent (ids longer than 15 digits as strings); null when it was not JSON"),
  })
  .strict()
  .describe("A TikTok Shop webhook, relayed: TikTok's body untouched, with the shop, connection and app it belongs to.");

export type TiktokRelayPayload = z.infer<typeof tiktokRelaySchema>;

/** Whether an outbox type is a relayed TikTok webhook. */
export function isTiktokRelayType(type: string): boolean {
  return type.startsWith('tiktok.');
}
