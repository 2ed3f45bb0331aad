/**
 * A connection's statuses: the one list every schema, view, metric and CLI derives from.
 * - `active`: tokens are handed out and refreshed.
 * - `needs_reauth`: TikTok no longer accepts the grant; the merchant must re-authorize.
 * - `expired`: the seller authorization ran out; the merchant must re-authorize.
 * - `suspended`: an administrator stopped it; the grant is kept alive, no tokens are handed out.
 * - `revoked`: an administrator ended it for good; never refreshed again.
 */
export const connectionStatuses = ['active', 'needs_reauth', 'expired', 'suspended', 'revoked'] as const;

export type ConnectionStatus = (typeof connectionStatuses)[number];

export function isConnectionStatus(value: string): value is ConnectionStatus {
  return (connectionStatuses as readonly string[]).includes(value);
}
