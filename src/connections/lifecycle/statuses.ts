/**
 * A connection's statuses: the one list every schema, view, metric and CLI derives from.
 * - `active`: tokens are handed out and refreshed.
 * - `refresh_lost`: a refresh whose answer was lost rotated the refresh token away (TikTok then refused
 *   it with 36004005); the still-valid access token is handed out until it expires, never refreshed;
 *   the merchant must re-authorize before then. Becomes `needs_reauth` at that expiry or on a definitive signal.
 * - `needs_reauth`: TikTok no longer accepts the grant; the merchant must re-authorize.
 * - `expired`: the seller authorization ran out; the merchant must re-authorize.
 * - `suspended`: an administrator stopped it; the grant is kept alive, no tokens are handed out.
 * - `revoked`: an administrator ended it for good; never refreshed again.
 */
export const connectionStatuses = ['active', 'refresh_lost', 'needs_reauth', 'expired', 'suspended', 'revoked'] as const;

export type ConnectionStatus = (typeof connectionStatuses)[number];

export function isConnectionStatus(value: string): value is ConnectionStatus {
  return (connectionStatuses as readonly string[]).includes(value);
}
