import { createAuditLog } from '../db/audit-log.js';
import { createConnectionDirectory } from '../db/stores/connection-directory.js';
import { createProblemStore } from '../db/stores/problem-store.js';
import { createProblems } from '../connections/problems.js';
import { withDevelopmentSecrets } from '../dev-secrets.js';
import { createRefresherForService } from '../refresh/for-service.js';
import { systemClock } from '../shared/clock.js';
import { ValidationFailed } from '../shared/errors.js';
import { createLogger } from '../shared/logger.js';
import { createMetrics } from '../shared/metrics.js';
import { createTikTokHttp } from '../tiktok/index.js';
import { parseKeyRing } from '../vault/key-ring.js';
import { createVault } from '../vault/vault.js';
import { flagValue } from './arguments.js';
import type { Command } from './command.js';
import { RefreshFailed } from './errors.js';

const statuses = ['active', 'needs_reauth', 'expired', 'suspended', 'revoked'] as const;

/** `connections list|refresh`. */
export const connectionCommands: Command[] = [
  {
    name: 'connections list',
    summary: 'Lists the connections with status, shops and token expiry.',
    flags: { status: { value: '<status>', description: `Only connections in this status: ${statuses.join(', ')}.` } },
    prepare(flags) {
      const status = flagValue(flags, 'status');
      if (status !== undefined && !(statuses as readonly string[]).includes(status)) {
        throw new ValidationFailed(`--status must be one of ${statuses.join(', ')}.`);
      }
      return async ({ out, db }) => {
        const directory = createConnectionDirectory(db);
        const rows = await directory.list({ ...(status ? { status: status as (typeof statuses)[number] } : {}), limit: 10_000 });
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
      return async ({ out, db, config }) => {
        const clock = systemClock;
        const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
        const settled = config.env === 'production' ? config : withDevelopmentSecrets(config, logger);
        const audit = createAuditLog(db, { clock, logger });
        const http = createTikTokHttp();
        const refresher = createRefresherForService({
          sql: db.sql,
          fetch: http.fetch,
          tiktok: settled.tiktok,
          vault: createVault(parseKeyRing(settled.encryptionKeys ?? '')),
          clock, logger, audit, metrics: createMetrics().refresh,
          problems: createProblems({ store: createProblemStore(db), clock }),
          settings: settled.refresh,
        });
        try {
          const version = async () =>
            (await db.sql.query<{ token_version: number; last_refresh_error: string | null }>(
              'SELECT token_version, last_refresh_error FROM connections WHERE id = $1',
              [id],
            ))[0];
          const before = await version();
          const fresh = await refresher.refreshNow(id);
          // A transient failure answers the token still held: say it failed rather than "Refreshed" (issue #16).
          const after = await version();
          if (before && after && after.token_version === before.token_version) {
            throw new RefreshFailed(id, after.last_refresh_error, fresh.accessTokenExpiresAt);
          }
          const result = { connectionId: fresh.connectionId, accessTokenExpiresAt: fresh.accessTokenExpiresAt.toISOString(), grantedScopes: fresh.grantedScopes };
          out.print(`Refreshed ${id}: the access token is valid until ${result.accessTokenExpiresAt}.`, result);
        } finally {
          await refresher.stop();
          await audit.close();
          await http.close();
        }
        return 0;
      };
    },
  },
];
