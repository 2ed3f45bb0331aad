import * as oidc from 'openid-client';
import { AdminForbidden, AdminSignInRequired } from '../shared/errors.js';

export interface SignInOptions {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** `${PUBLIC_URL}/admin/callback`, registered with the issuer. */
  redirectUri: string;
  /** Plain http to the issuer: only for the development identity provider or a loopback issuer outside production. */
  allowInsecureRequests: boolean;
  fetch?: typeof fetch;
}

/** What the browser keeps (sealed in a cookie) between leaving for the issuer and coming back. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

export interface AdminSignIn {
  /** Where to send the browser, and what to remember until the callback. */
  /** `switchAccount`: asks the issuer to sign in again (`prompt=login`) rather than reuse its session. */
  start(returnTo: string, options?: { switchAccount?: boolean }): Promise<{ url: string; pending: PendingSignIn }>;
  /**
   * Checks the callback (state, PKCE, nonce, ID token) and answers the verified e-mail address,
   * lower-cased. Throws AdminSignInRequired when the answer cannot be trusted, AdminForbidden when
   * the issuer does not vouch for an e-mail address.
   */
  finish(callbackUrl: URL, pending: PendingSignIn): Promise<string>;
}

/**
 * Sign-in with OpenID Connect through openid-client: discovery (once, lazily, retried after a
 * failure), authorization code with PKCE (S256), state and nonce.
 *
 * @example
 * const signIn = createAdminSignIn({ issuer, clientId, clientSecret, redirectUri, allowInsecureRequests: false });
 * const { url, pending } = await signIn.start('/admin'); // redirect to url, seal pending in a cookie
 * const email = await signIn.finish(new URL(req.originalUrl, publicUrl), pending);
 */
export function createAdminSignIn(options: SignInOptions): AdminSignIn {
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = (): Promise<oidc.Configuration> => {
    discovered ??= oidc
      .discovery(
        new URL(options.issuer),
        options.clientId,
        undefined,
        options.clientSecret ? oidc.ClientSecretBasic(options.clientSecret) : oidc.None(),
        {
          ...(options.allowInsecureRequests ? { execute: [oidc.allowInsecureRequests] } : {}),
          ...(options.fetch ? { [oidc.customFetch]: options.fetch } : {}),
          timeout: 10,
        },
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw new AdminSignInRequired('The sign-in service could not be reached; try again shortly.', { cause: error });
      });
    return discovered;
  };

  return {
    async start(returnTo, startOptions = {}) {
      const config = await configuration();
      const pending: PendingSignIn = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
        returnTo,
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: options.redirectUri,
        scope: 'openid email',
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
        ...(startOptions.switchAccount ? { prompt: 'login' } : {}),
      });
      return { url: url.href, pending };
    },

    async finish(callbackUrl, pending) {
      const config = await configuration();
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        throw new AdminSignInRequired('The sign-in could not be completed; please sign in again.', {
          cause: error,
          hint: 'Start again at /admin. If it keeps failing, the identity provider refused the request.',
        });
      }
      const claims = tokens.claims()!;
      let email: unknown = claims.email;
      let verified: unknown = claims.email_verified;
      if (typeof email !== 'string') {
        // Issuers that follow OIDC Core 5.4 strictly put scope-requested claims only in userinfo.
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        email = info.email;
        verified = info.email_verified;
      }
      if (typeof email !== 'string' || email === '') {
        throw new AdminForbidden('The identity provider did not tell us your e-mail address.', {
          hint: 'Ask the identity provider administrator to release the email claim to this client.',
        });
      }
      if (verified !== true) {
        throw new AdminForbidden(`The identity provider has not verified the e-mail address ${email}.`, {
          hint: 'Verify the address with your identity provider, then sign in again.',
        });
      }
      return email.toLowerCase();
    },
  };
}
