import { connectionStatuses, isConnectionStatus } from '../connections/lifecycle/index.js';
import { isServiceError, ValidationFailed } from '../shared/errors.js';
import { flagValue } from './arguments.js';
import type { Command } from './command.js';
import { RefreshFailed } from './errors.js';


/** `connections list|refresh|sync-shops`. */
export const connectionCommands: Command[] = [
  {
    name: 'connections list',
    summary: 'Lists the connections with status, shops, token expiry and scopes.',
    flags: { status: { value: '<status>', description: `Only connections in this status: ${connectionStatuses.join(', ')}.` } },
    prepare(flags) {
      const status = flagValue(flags, 'status');
      if (status !== undefined && !isConnectionStatus(status)) {
        throw new ValidationFailed(`--status must be one of ${connectionStatuses.join(', ')}.`);
      }
      return async ({ out, core }) => {
        const rows = await core.operator.listings.list({ ...(status ? { status } : {}), limit: 10_000 });
        const machine = rows.map((row) => ({
          id: row.id, merchantRef: row.merchantRef, sellerName: row.sellerName, status: row.status, statusReason: row.statusReason,
          accessTokenExpiresAt: row.accessTokenExpiresAt.toISOString(), authorizationExpiresAt: row.refreshTokenExpiresAt.toISOString(),
          shops: row.shops.map(({ id, name, region }) => ({ id, name, region })),
          grantedScopes: row.grantedScopes,
        }));
        out.print(
          machine.length === 0
            ? 'No connections.'
            : machine.map((row) => `${row.id}  ${row.status.padEnd(12)} ${row.sellerName} (${row.merchantRef ?? '-'}), ${row.shops.length} shop(s), token until ${row.accessTokenExpiresAt}, ${scopesText(row.grantedScopes)}`).join('\n'),
          machine,
        );
        return 0;
      };
    },
  },
  {
    name: 'connections refresh',
    summary: "Refreshes a connection's tokens at TikTok now.",
    flags: { id: { value: '<id>', required: true, description: 'The connection to refresh (connections list shows ids).' } },
    prepare(flags) {
      const id = flagValue(flags, 'id')!;
      return async ({ out, core }) => {
        let fresh;
        try {
          fresh = await core.refresher.refreshNow(id);
        } catch (error) {
          // A failed attempt leaves the connection as it was: say so, with the token it keeps (issue #16).
          if (!isServiceError(error) || error.code.startsWith('connection_')) throw error;
          const kept = await core.operator.listings.get(id);
          if (!kept) throw error;
          throw new RefreshFailed(id, error.message, kept.accessTokenExpiresAt);
        }
        const result = { connectionId: fresh.connectionId, accessTokenExpiresAt: fresh.accessTokenExpiresAt.toISOString(), grantedScopes: fresh.grantedScopes };
        out.print(`Refreshed ${id}: the access token is valid until ${result.accessTokenExpiresAt}.`, result);
        return 0;
      };
    },
  },
  {
    name: 'connections sync-shops',
    summary: "Fetches the connection's authorized shops from TikTok again and stores what changed.",
    flags: { id: { value: '<id>', required: true, description: 'The connection whose shops to fetch again (connections list shows ids).' } },
    prepare(flags) {
      const id = flagValue(flags, 'id')!;
      return async ({ out, core }) => {
        try {
          const { shopIds, addedShopIds, removedShopIds } = await core.operator.syncShops(id);
          const result = { connectionId: id, shopIds, addedShopIds, removedShopIds };
          const changed = addedShopIds.length + removedShopIds.length > 0;
          out.print(
            changed
              ? `Shops of ${id} changed: added ${list(addedShopIds)}, removed ${list(removedShopIds)}; ${shopIds.length} shop(s) now.`
              : `Shops of ${id} unchanged: ${shopIds.length} shop(s).`,
            result,
          );
        } finally {
          await core.refresher.stop();
        }
        return 0;
      };
    },
  },
];

function list(ids: string[]): string {
  return ids.length === 0 ? 'none' : ids.join(', ');
}

/** Scopes in one line; "scopes unknown" when TikTok never listed them (#11 item 5). */
function scopesText(scopes: string[] | null): string {
  return scopes === null ? 'scopes unknown' : `${scopes.length} scope(s)`;
}
