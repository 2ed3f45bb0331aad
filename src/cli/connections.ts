import { connectionStatuses, isConnectionStatus } from '../connections/lifecycle/index.js';
import { isServiceError, ValidationFailed } from '../shared/errors.js';
import { flagValue } from './arguments.js';
import type { Command } from './command.js';
import { RefreshFailed } from './errors.js';


/** `connections list|refresh`. */
export const connectionCommands: Command[] = [
  {
    name: 'connections list',
    summary: 'Lists the connections with status, shops and token expiry.',
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
        }));
        out.print(
          machine.length === 0
            ? 'No connections.'
            : machine.map((row) => `${row.id}  ${row.status.padEnd(12)} ${row.sellerName} (${row.merchantRef ?? '-'}), ${row.shops.length} shop(s), token until ${row.accessTokenExpiresAt}`).join('\n'),
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
];
