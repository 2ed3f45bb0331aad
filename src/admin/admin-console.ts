import type { ApiClientAdmin } from '../apps/api-clients.js';
import type { Config } from '../config.js';
import type { AdminSessionRevocations } from '../db/stores/admin-session-store.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { AdminActions } from './actions.js';
import { createAdmission, type Admission } from './admission.js';
import { createDevIdentityProvider, type DevIdentityProvider } from './dev-identity-provider.js';
import type { Overview } from './overview.js';
import type { Review } from './review.js';
import { createAdminSessions, type AdminSessions } from './session.js';
import { createAdminSignIn, type AdminSignIn } from './sign-in.js';

/** Everything the admin pages use, built once by main.ts. */
export interface AdminConsole {
  signIn: AdminSignIn;
  sessions: AdminSessions;
  admission: Admission;
  review: Review;
  /** The overview page's numbers and charts. */
  overview: () => Promise<Overview>;
  actions: AdminActions;
  /** Internal apps' API clients: create (key shown once), list, revoke. */
  apiClients: ApiClientAdmin;
  /** Mounted at its `mountPath` when no ADMIN_OIDC_ISSUER is configured (never in production). */
  devIdentityProvider: DevIdentityProvider | undefined;
  publicUrl: string;
  /** Cookies get `Secure` when people reach the service over https. */
  secureCookies: boolean;
}

export const devIdentityProviderPath = '/dev-idp';

export interface AdminConsoleDeps {
  /** The read side, the actions and the API clients, as the composition root built them. */
  review: Review;
  overview: () => Promise<Overview>;
  actions: AdminActions;
  apiClients: ApiClientAdmin;
  /** Server-side admin sessions (signing out ends one). */
  sessionStore: AdminSessionRevocations;
  clock: Clock;
  logger: Logger;
  fetch?: typeof fetch;
}

/**
 * Builds the admin console from the config: the configured OpenID Connect issuer, or (outside
 * production only) the built-in development identity provider at `${PUBLIC_URL}/dev-idp`.
 */
export async function createAdminConsole(config: Config, deps: AdminConsoleDeps): Promise<AdminConsole> {
  const redirectUri = `${config.publicUrl}/admin/callback`;
  let devIdentityProvider: DevIdentityProvider | undefined;
  let issuer = config.admin.issuer;
  let clientId = config.admin.clientId;
  let clientSecret = config.admin.clientSecret;
  if (!issuer) {
    if (config.env === 'production') throw new Error('The development identity provider is refused in production.');
    devIdentityProvider = await createDevIdentityProvider({ issuer: `${config.publicUrl}${devIdentityProviderPath}`, redirectUri, cookieSecret: config.cookieSecret });
    ({ issuer, clientId, clientSecret } = devIdentityProvider);
    deps.logger.warn(
      { issuer },
      'ADMIN_OIDC_ISSUER is not set: admins sign in through the built-in development identity provider, which lets anyone type any e-mail (refused in production)',
    );
  }
  if (!clientId) throw new Error('ADMIN_OIDC_CLIENT_ID is required with ADMIN_OIDC_ISSUER.');
  const insecure = new URL(issuer).protocol === 'http:';
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(new URL(issuer).hostname);
  if (insecure && config.env === 'production') throw new Error('ADMIN_OIDC_ISSUER must be an https:// URL in production.');
  return {
    signIn: createAdminSignIn({
      issuer,
      clientId,
      clientSecret,
      redirectUri,
      allowInsecureRequests: insecure && (devIdentityProvider !== undefined || loopback),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    }),
    sessions: createAdminSessions(config.cookieSecret, deps.clock, deps.sessionStore),
    admission: createAdmission({ emails: config.admin.emails, env: config.env, logger: deps.logger }),
    review: deps.review,
    overview: deps.overview,
    actions: deps.actions,
    apiClients: deps.apiClients,
    devIdentityProvider,
    publicUrl: config.publicUrl,
    secureCookies: config.publicUrl.startsWith('https:'),
  };
}
