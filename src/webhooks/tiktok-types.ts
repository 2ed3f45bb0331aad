/**
 * TikTok's webhook type numbers and the event names they are relayed under (`tiktok.<name>`), from the
 * Event API's `event_type` enum and the webhook pages of TikTok's Partner Center (see
 * ../shared/tiktok-protocol.md §5.4). A type not in the table is relayed as `tiktok.type_<n>`.
 */
export const tiktokWebhookTypes = {
  1: 'ORDER_STATUS_CHANGE',
  2: 'REVERSE_ORDER_STATUS_UPDATE',
  3: 'RECIPIENT_ADDRESS_UPDATE',
  4: 'PACKAGE_UPDATE',
  5: 'PRODUCT_STATUS_CHANGE',
  6: 'SELLER_DEAUTHORIZATION',
  7: 'UPCOMING_AUTHORIZATION_EXPIRATION',
  11: 'CANCELLATION_STATUS_CHANGE',
  12: 'RETURN_STATUS_CHANGE',
  13: 'NEW_CONVERSATION',
  14: 'NEW_MESSAGE',
  15: 'PRODUCT_INFORMATION_CHANGE',
  16: 'PRODUCT_CREATION',
  18: 'PRODUCT_CATEGORY_CHANGE',
  20: 'CREATOR_DEAUTHORIZATION',
  33: 'NEW_MESSAGE_LISTENER',
  36: 'INVOICE_STATUS_CHANGE',
  37: 'PRODUCT_AUDIT_STATUS_CHANGE',
} as const satisfies Record<number, string>;

/** The event name a TikTok webhook type is relayed under: `tiktok.order_status_change`, `tiktok.type_99`. */
export function tiktokEventName(type: number | null): string {
  if (type === null) return 'tiktok.type_unknown';
  const name = (tiktokWebhookTypes as Record<number, string>)[type];
  return name ? `tiktok.${name.toLowerCase()}` : `tiktok.type_${type}`;
}

/** Every named TikTok event (for validation of subscriptions and the documentation). */
export const tiktokEventNames = Object.keys(tiktokWebhookTypes).map((type) => tiktokEventName(Number(type)));

/** `tiktok.<known name>`, `tiktok.type_<n>` or `tiktok.type_unknown`. */
export function isTiktokEventName(name: string): boolean {
  return tiktokEventNames.includes(name) || /^tiktok\.type_(\d{1,9}|unknown)$/.test(name);
}

/**
 * The `event_type` names a shop's webhook address can be set for with TikTok's Event API
 * (`PUT /event/202309/webhooks`): every named type but the legacy 2 and the creator-only 20.
 */
export const eventApiTypes: string[] = Object.entries(tiktokWebhookTypes)
  .filter(([type]) => type !== '2' && type !== '20')
  .map(([, name]) => name);
