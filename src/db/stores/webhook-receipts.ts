import type { SqlRunner } from '../sql.js';

export type WebhookReceiptStore = ReturnType<typeof createWebhookReceiptStore>;

/** TikTok's webhook deliveries seen so far, and the lookups that find the connection one is about. */
export function createWebhookReceiptStore(sql: SqlRunner) {
  return {
    /** First sight of a webhook delivery: true; a retry of one already handled: false. */
    async record(input: { notificationId: string; type: number; shopId: string | null; now: Date }): Promise<boolean> {
      const rows = await sql.query(
        `INSERT INTO webhook_receipts (notification_id, type, shop_id, received_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (notification_id) DO NOTHING RETURNING notification_id`,
        [input.notificationId, input.type, input.shopId, input.now],
      );
      return rows.length > 0;
    },

    async connectionIdByShopId(shopId: string): Promise<string | undefined> {
      const rows = await sql.query<{ connection_id: string }>('SELECT connection_id FROM shops WHERE id = $1', [shopId]);
      return rows[0]?.connection_id;
    },

    async connectionIdByOpenId(openId: string): Promise<string | undefined> {
      const rows = await sql.query<{ id: string }>('SELECT id FROM connections WHERE open_id = $1', [openId]);
      return rows[0]?.id;
    },
  };
}
