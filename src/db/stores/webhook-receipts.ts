import type { SqlRunner } from '../sql.js';

export type WebhookReceiptStore = ReturnType<typeof createWebhookReceiptStore>;

/** The lookups that find the connection a TikTok webhook is about (deliveries are deduplicated by the inbox). */
export function createWebhookReceiptStore(sql: SqlRunner) {
  return {
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
