import type { OAuthStateRecord, OAuthStateStore } from '../db/stores/oauth-state-store.js';
import type { Clock } from '../shared/clock.js';
import { OAuthBrowserMismatch, OAuthStateExpired, OAuthStateInvalid, OAuthStateReused } from '../shared/errors.js';
import { randomToken, sha256Hex } from '../shared/secrets.js';

export interface OAuthStates {
  /** A fresh state (256 random bits) bound to the browser binding; only hashes are stored. */
  issue(input: { browserBinding: string; connectSessionId: string; connectionId: string | null; app: string }): Promise<string>;
  /** Consumes a state once, for the browser it was issued to; throws the reason otherwise. */
  consume(state: string | undefined, browserBinding: string | undefined): Promise<OAuthStateRecord>;
}

/**
 * `ttlSeconds` (OAUTH_STATE_TTL_SECONDS, at least 30 minutes): how long a merchant has between leaving
 * for TikTok and coming back. TikTok's code alone lives 30 minutes, and the seller may first have to
 * log in or create an account (#11 item 7).
 */
export function createOAuthStates(options: { store: OAuthStateStore; clock: Clock; ttlSeconds: number }): OAuthStates {
  const { store, clock, ttlSeconds } = options;
  return {
    async issue(input) {
      const state = randomToken(32);
      const now = clock.now();
      await store.insert({
        stateHash: sha256Hex(state),
        browserBindingHash: sha256Hex(input.browserBinding),
        connectSessionId: input.connectSessionId,
        connectionId: input.connectionId,
        app: input.app,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
        createdAt: now,
      });
      return state;
    },
    async consume(state, browserBinding) {
      if (!state || state.length > 128) throw new OAuthStateInvalid('The sign-in came back without a valid state.');
      const now = clock.now();
      const result = await store.consume(sha256Hex(state), browserBinding === undefined ? undefined : sha256Hex(browserBinding), now);
      if (!result.ok) {
        switch (result.reason) {
          case 'unknown':
            throw new OAuthStateInvalid('The sign-in came back with a state this service did not issue.');
          case 'reused':
            throw new OAuthStateReused('This sign-in was already completed; it cannot be used twice.');
          case 'expired':
            throw new OAuthStateExpired(`The sign-in took longer than ${minutes(ttlSeconds)}, so it was not accepted. Start again from the link you were given.`);
          case 'other_browser':
            throw new OAuthBrowserMismatch('This sign-in was started in another browser.');
        }
      }
      return result.state;
    },
  };
}

function minutes(seconds: number): string {
  const value = Math.round(seconds / 60);
  return value % 60 === 0 ? `${value / 60} hour${value === 60 ? '' : 's'}` : `${value} minutes`;
}
