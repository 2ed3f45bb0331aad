import { checkNewClient, type ApiClientSummary, type NewClientInput } from '../apps/api-clients.js';
import { apiScopes } from '../apps/scopes.js';
import type { Config } from '../config.js';
import { ValidationFailed } from '../shared/errors.js';
import { flagList, flagValue, wholeFlag } from './arguments.js';
import type { Command } from './command.js';
import { ApiClientNotFound } from './errors.js';

/** `api-clients create|list|revoke`. */
export const apiClientCommands: Command[] = [
  {
    name: 'api-clients create',
    summary: 'Creates an API client and prints its key once (with --json: one JSON object with id and key).',
    flags: {
      name: { value: '<name>', required: true, description: 'What the client is for; shown in lists.' },
      scopes: { value: '<a,b>', description: `What the key may do, comma-separated: ${apiScopes.join(', ')}. Left out: every scope.` },
      shops: { value: '<id,id>', description: 'The shop ids the key may use, comma-separated. Left out: every shop.' },
      apps: { value: '<id,id>', description: 'The TikTok Shop apps (apps list) whose connections the key may use, comma-separated. Left out: every app.' },
      'rate-limit': { value: '<per minute>', description: 'Requests per minute. Left out: DEFAULT_RATE_LIMIT_PER_MINUTE (default: no limit).' },
      'daily-quota': { value: '<per day>', description: 'Requests per UTC day. Left out: no daily quota.' },
    },
    prepare(flags) {
      const scopes = flagList(flags, 'scopes');
      const shopIds = flagList(flags, 'shops');
      if (shopIds?.length === 0) {
        throw new ValidationFailed('--shops is empty.', [], { hint: 'Give the shop ids the key may use, separated by commas, or leave --shops out to allow every shop.' });
      }
      const apps = flagList(flags, 'apps');
      if (apps?.length === 0) {
        throw new ValidationFailed('--apps is empty.', [], { hint: 'Give the app ids the key may use (npm run cli -- apps list), separated by commas, or leave --apps out to allow every app.' });
      }
      const input: NewClientInput = {
        ...(apps ? { apps } : {}),
        name: flagValue(flags, 'name') ?? '',
        ...(scopes ? { scopes } : {}),
        ...(shopIds ? { shopIds } : {}),
        ...(flagValue(flags, 'rate-limit') !== undefined ? { rateLimitPerMinute: wholeFlag(flags, 'rate-limit') } : {}),
        ...(flagValue(flags, 'daily-quota') !== undefined ? { dailyQuota: wholeFlag(flags, 'daily-quota') } : {}),
      };
      checkNewClient(input);
      const defaults = [scopes ? '' : 'No --scopes given: the key has every scope.', shopIds ? '' : 'No --shops given: it may use every shop.'];
      return async ({ out, core, config }) => {
        const unknown = (apps ?? []).filter((app) => !core.apps.has(app));
        if (unknown.length > 0) {
          throw new ValidationFailed(`--apps names no configured app: ${unknown.join(', ')}.`, [], {
            hint: `Configured apps: ${core.apps.list.map((app) => app.id).join(', ')} (npm run cli -- apps list).`,
          });
        }
        const created = await core.operator.apiClients.create(input);
        out.print(
          [`Created API client ${created.id} (${created.name}).\n\n  ${created.key}\n\nThis key is shown once; store it now. ${describe(created, config)}`, ...defaults]
            .filter(Boolean)
            .join('\n'),
          created,
        );
        return 0;
      };
    },
  },
  {
    name: 'api-clients list',
    summary: 'Lists the API clients with masked keys, scopes, shops, limits and revocation.',
    flags: {},
    prepare: () => async ({ out, core, config }) => {
      const clients = await core.operator.apiClients.list();
      out.print(clients.length === 0 ? 'No API clients.' : clients.map((client) => `${client.id}  ${describe(client, config)}`).join('\n'), clients);
      return 0;
    },
  },
  {
    name: 'api-clients revoke',
    summary: 'Revokes a client: every replica refuses its key within 5 seconds.',
    flags: { id: { value: '<id>', required: true, description: 'The client to revoke (api-clients list shows ids).' } },
    prepare(flags) {
      const id = flagValue(flags, 'id')!;
      return async ({ out, core }) => {
        const revoked = await core.operator.apiClients.revoke(id);
        if (!revoked) throw new ApiClientNotFound(id);
        out.print(`Revoked ${revoked.id} (${revoked.name}); every replica refuses its key within 5 seconds.`, revoked);
        return 0;
      };
    },
  },
];

function describe(client: ApiClientSummary, config: Config): string {
  const limit = client.rateLimitPerMinute ?? (config.rateLimit.defaultPerMinute === null ? 'none (default)' : `${config.rateLimit.defaultPerMinute} (default)`);
  return [
    `${client.name}  key ${client.maskedKey}`,
    `scopes ${client.scopes.join(',') || '-'}`,
    `shops ${client.shopIds.length ? client.shopIds.join(',') : 'all'}`,
    `apps ${client.apps.length ? client.apps.join(',') : 'all'}`,
    `${limit}/min`,
    client.dailyQuota ? `${client.dailyQuota}/day` : 'no daily quota',
    client.revokedAt ? `REVOKED ${client.revokedAt}` : 'active',
  ].join('  ');
}
