import { isTikTokError, TikTokAuthCodeInvalid, type TikTokApp } from '../tiktok/index.js';
import type { Command } from './command.js';

/** One app as `apps list` shows it: never its secret. */
export interface AppListing {
  id: string;
  market: string;
  appKey: string;
  serviceId: string;
  authorizeUrl: string;
  authBaseUrl: string;
  apiBaseUrl: string;
  webhookUrl: string;
  connections: Record<string, number>;
  /** With --check: whether TikTok accepted the app key and secret. */
  credentials?: { ok: boolean; detail: string };
}

/**
 * `--check`: one token exchange with a code that cannot exist. TikTok checks the app key and secret
 * before the code, so "invalid auth code" (36004004) means the credentials work; anything else names
 * what TikTok refused. No authorization is touched, and nothing is stored.
 */
export async function checkCredentials(app: Pick<TikTokApp, 'auth'>): Promise<{ ok: boolean; detail: string }> {
  try {
    await app.auth.getToken('credential-check-not-a-code');
    return { ok: false, detail: 'TikTok accepted a code that cannot exist: is this really TikTok?' };
  } catch (error) {
    if (error instanceof TikTokAuthCodeInvalid) return { ok: true, detail: 'TikTok accepted the app key and secret' };
    if (isTikTokError(error)) return { ok: false, detail: `${error.code}${error.tiktok ? ` (TikTok ${error.tiktok.code}: ${error.tiktok.message})` : ''}` };
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** `apps list [--check]` (#13). */
export const appCommands: Command[] = [
  {
    name: 'apps list',
    summary: 'Lists the TikTok Shop apps: market, hosts, webhook URL, connections by status; --check tries each app key and secret.',
    flags: { check: { description: 'Check each app key and secret with TikTok (one call per app; nothing is stored).' } },
    prepare: (flags) => async ({ out, core, config }) => {
      const counts = await core.operator.listings.countByApp();
      const apps: AppListing[] = [];
      for (const app of core.apps.list) {
        apps.push({
          id: app.id, market: app.market, appKey: app.appKey, serviceId: app.serviceId,
          authorizeUrl: app.authorizeUrl, authBaseUrl: app.authBaseUrl, apiBaseUrl: app.apiBaseUrl,
          webhookUrl: `${config.publicUrl}/webhooks/tiktok/${app.id}`,
          connections: counts.get(app.id) ?? {},
          ...(flags.check === true ? { credentials: await checkCredentials(app) } : {}),
        });
      }
      // Connections of an app no longer configured cannot refresh or be used: say so.
      const orphaned = [...counts.keys()].filter((id) => !core.apps.has(id));
      const human = [
        ...apps.map((app) =>
          [
            `${app.id}  ${app.market === 'us' ? 'US' : 'global'} market  key ${app.appKey}  service ${app.serviceId}`,
            `  authorize ${app.authorizeUrl}`,
            `  auth ${app.authBaseUrl}  api ${app.apiBaseUrl}`,
            `  webhook URL to register: ${app.webhookUrl}  (redirect URL: ${config.publicUrl}/oauth/tiktok/callback)`,
            `  connections: ${describeCounts(app.connections)}`,
            ...(app.credentials ? [`  credentials: ${app.credentials.ok ? 'OK' : 'FAILED'}, ${app.credentials.detail}`] : []),
          ].join('\n'),
        ),
        ...orphaned.map((id) => `${id}  NOT CONFIGURED: ${describeCounts(counts.get(id) ?? {})} cannot be refreshed or used until the app is configured again`),
      ].join('\n');
      out.print(human, { apps, unconfigured: orphaned });
      return apps.some((app) => app.credentials && !app.credentials.ok) ? 1 : 0;
    },
  },
];

function describeCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([status, count]) => `${count} ${status}`).join(', ');
}
