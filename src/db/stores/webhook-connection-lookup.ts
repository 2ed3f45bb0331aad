import type { SqlRunner } from '../sql.js';

export type WebhookConnectionLookup = ReturnType<typeof createWebhookConnectionLookup>;

/** Finds the connection a TikTok webhook is about, by shop or by seller (deliveries are deduplicated by the inbox). */
export function createWebhookConnectionLookup(sql: SqlRunner) {
  return {
    /** The connection holding the shop through `app` (the app whose webhook URL received it, #13). */
    async connectionIdByShopId(app: string, shopId: string): Promise<string | undefined> {
      const rows = await sql.query<{ connection_id: string }>('SELECT connection_id FROM shops WHERE id = $1 AND app = $2', [shopId, app]);
      return rows[0]?.connection_id;
    },

    async connectionIdByOpenId(app: string, openId: string): Promise<string | undefined> {
      const rows = await sql.query<{ id: string }>('SELECT id FROM connections WHERE app = $1 AND open_id = $2', [app, openId]);
      return rows[0]?.id;
    },
  };
}
