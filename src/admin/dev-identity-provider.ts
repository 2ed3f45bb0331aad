import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import type Provider from 'oidc-provider';
import { createMemoryAdapter } from './dev-idp-adapter.js';

export interface DevIdentityProviderOptions {
  /** `${PUBLIC_URL}/dev-idp` in the service; the provider must be mounted at this URL's path. */
  issuer: string;
  /** The admin console's callback, `${PUBLIC_URL}/admin/callback`. */
  redirectUri: string;
  /** Keys the provider's own cookies (a label-separated derivation, never the secret itself). */
  cookieSecret: string;
  clientId?: string;
  clientSecret?: string;
  /**
   * `false` (default) puts `email` in the ID token. `true` follows the spec strictly, as many real
   * issuers do: scope-requested claims come only from the userinfo endpoint.
   */
  conformIdTokenClaims?: boolean;
}

export interface DevIdentityProvider {
  issuer: string;
  /** The path to mount `handler` at, e.g. `/dev-idp`. */
  mountPath: string;
  clientId: string;
  clientSecret: string;
  /** oidc-provider is a Koa app: its Node request handler, for `app.use(mountPath, handler)`. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The pending sign-in of an interaction (throws when the interaction cookie is missing or expired). */
  interaction(req: IncomingMessage, res: ServerResponse): Promise<{ uid: string; loginHint: string | undefined }>;
  /** Signs the typed e-mail in and grants the console `openid email`, then redirects back to the provider. */
  finishSignIn(req: IncomingMessage, res: ServerResponse, email: string): Promise<void>;
}

/**
 * A development-only OpenID Connect issuer (panva/oidc-provider) with one client, the admin console.
 * Whoever types an e-mail address is signed in as that address, `email_verified: true`: it proves
 * nothing, which is why production refuses it (config.ts) and main.ts warns when it is mounted.
 *
 * @example
 * const idp = await createDevIdentityProvider({ issuer: `${publicUrl}/dev-idp`, redirectUri, cookieSecret });
 * app.use(idp.mountPath, idp.handler);
 */
export async function createDevIdentityProvider(options: DevIdentityProviderOptions): Promise<DevIdentityProvider> {
  const issuer = options.issuer.replace(/\/+$/, '');
  const mountPath = new URL(issuer).pathname.replace(/\/+$/, '');
  const clientId = options.clientId ?? 'admin-console';
  const clientSecret = options.clientSecret ?? randomBytes(32).toString('base64url');
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'dev-idp' };
  const cookieKey = createHmac('sha256', options.cookieSecret).update('dev-identity-provider cookies').digest('base64url');

  // Loaded only when the development identity provider is used: production never imports it.
  const { default: OidcProvider } = await import('oidc-provider');
  const provider: Provider = new OidcProvider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [cookieKey] },
    adapter: createMemoryAdapter(),
    scopes: ['openid', 'email'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: options.conformIdTokenClaims ?? false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${mountPath}/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: () => ({ sub, email: sub, email_verified: true }),
    }),
    ttl: { Session: 8 * 3600, Interaction: 600, Grant: 8 * 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
  });
  // Behind a TLS-terminating proxy the issuer is https while the socket is http.
  provider.proxy = issuer.startsWith('https:');

  return {
    issuer,
    mountPath,
    clientId,
    clientSecret,
    handler: provider.callback(),
    async interaction(req, res) {
      const details = await provider.interactionDetails(req, res);
      const hint = details.params.login_hint;
      return { uid: details.uid, loginHint: typeof hint === 'string' ? hint : undefined };
    },
    async finishSignIn(req, res, email) {
      const details = await provider.interactionDetails(req, res);
      const accountId = email.trim().toLowerCase();
      if (details.session?.accountId !== undefined && details.session.accountId !== accountId) {
        // "Sign in as someone else" (prompt=login): end the other account's session at this provider, so
        // the new account signs in to a fresh one. Left alone, oidc-provider would first ask the browser to
        // confirm a logout, through a form its own script submits, which the service's CSP refuses.
        const other = details.session.cookie ? await provider.Session.find(details.session.cookie) : undefined;
        await other?.destroy();
        details.session = undefined;
        await details.persist();
      }
      const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope('openid email');
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
    },
  };
}
