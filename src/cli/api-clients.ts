import { createApiClientAdmin, type ApiClientSummary } from '../apps/api-clients.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { createAuditLog } from '../db/audit-log.js';
import { createApiClientStore } from '../db/stores/api-client-store.js';
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
import type { CliOutput, ParsedArguments } from './arguments.js';

const statuses = ['active', 'needs_reauth', 'expired', 'suspended', 'revoked'] as const;

export const apiClientCommandNames = ['api-clients create', 'api-clients list', 'api-clients revoke', 'connections list', 'connections refresh'];

/** `api-clients create|list|revoke` and `connections list|refresh`; returns the exit code. */
export async function runAppCommand(command: string, args: ParsedArguments, out: CliOutput, db: Database, config: Config): Promise<number> {
  const clock = systemClock;
  const admin = createApiClientAdmin({ store: createApiClientStore(db.prisma), clock });
  switch (command) {
    case 'api-clients create': {
      const created = await admin.create({
        name: text(args, 'name') ?? '',
        ...(list(args, 'scopes') ? { scopes: list(args, 'scopes') } : {}),
        ...(list(args, 'shops') ? { shopIds: list(args, 'shops') } : {}),
        ...(text(args, 'rate-limit') ? { rateLimitPerMinute: whole(args, 'rate-limit') } : {}),
        ...(text(args, 'daily-quota') ? { dailyQuota: whole(args, 'daily-quota') } : {}),
      });
      out.print(
        `Created API client ${created.id} (${created.name}).\n\n  ${created.key}\n\nThis key is shown once; store it now. ${describe(created, config)}`,
        created,
      );
      return 0;
    }
    case 'api-clients list': {
      const clients = await admin.list();
      out.print(clients.length === 0 ? 'No API clients.' : clients.map((client) => `${client.id}  ${describe(client, config)}`).join('\n'), clients);
      return 0;
    }
    case 'api-clients revoke': {
      const id = text(args, 'id');
      if (!id) throw new ValidationFailed('--id is required.');
      const revoked = await admin.revoke(id);
      if (!revoked) {
        process.stderr.write(`No API client has id ${id}.\n`);
        return 1;
      }
      out.print(`Revoked ${revoked.id} (${revoked.name}); every replica refuses its key within 5 seconds.`, revoked);
      return 0;
    }
    case 'connections list': {
      const status = text(args, 'status');
      if (status !== undefined && !(statuses as readonly string[]).includes(status)) {
        throw new ValidationFailed(`--status must be one of ${statuses.join(', ')}.`);
      }
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
    }
    case 'connections refresh': {
      const id = text(args, 'id');
      if (!id) throw new ValidationFailed('--id is required.');
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
        const fresh = await refresher.refreshNow(id);
        const result = { connectionId: fresh.connectionId, accessTokenExpiresAt: fresh.accessTokenExpiresAt.toISOString(), grantedScopes: fresh.grantedScopes };
        out.print(`Refreshed ${id}: the access token is valid until ${result.accessTokenExpiresAt}.`, result);
      } finally {
        await refresher.stop();
        await audit.close();
        await http.close();
      }
      return 0;
    }
    default:
      return -1;
  }
}

function describe(client: ApiClientSummary, config: Config): string {
  const limit = client.rateLimitPerMinute ?? `${config.rateLimit.defaultPerMinute} (default)`;
  return [
    `${client.name}  key ${client.maskedKey}`,
    `scopes ${client.scopes.join(',') || '-'}`,
    `shops ${client.shopIds.length ? client.shopIds.join(',') : 'all'}`,
    `${limit}/min`,
    client.dailyQuota ? `${client.dailyQuota}/day` : 'no daily quota',
    client.revokedAt ? `REVOKED ${client.revokedAt}` : 'active',
  ].join('  ');
}

function text(args: ParsedArguments, name: string): string | undefined {
  const value = args.flags[name];
  if (value === true) throw new ValidationFailed(`--${name} needs a value.`);
  return value;
}

function list(args: ParsedArguments, name: string): string[] | undefined {
  return text(args, name)?.split(',').map((item) => item.trim()).filter(Boolean);
}

function whole(args: ParsedArguments, name: string): number {
  const value = Number(text(args, name));
  if (!Number.isInteger(value) || value < 1) throw new ValidationFailed(`--${name} must be a positive whole number.`);
  return value;
}
