import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { unixSeconds } from '../../src/shared/clock.js';
import type { Sealed } from '../../src/shared/sealed.js';
import { parseKeyRing } from '../../src/vault/key-ring.js';
import { openAccessToken, openRefreshToken } from '../../src/vault/tokens.js';
import { createVault } from '../../src/vault/vault.js';
import { FakeClock } from '../support/clock.js';
import { startTestService, testEnv, type TestService } from '../support/service.js';
import { connectSeller, createClient, withKey } from './support.js';

const vault = createVault(parseKeyRing(testEnv.TOKEN_ENCRYPTION_KEYS!));
const week = 7 * 86_400;

/** The service's way to TikTok, with a gate that holds token refreshes until the test opens it (a slow TikTok). */
function gatedRefreshes() {
  let open: (() => void) | undefined;
  let gate: Promise<void> = Promise.resolve();
  let held = 0;
  return {
    fetch: async (url: string, init: Parameters<typeof globalThis.fetch>[1]) => {
      if (url.includes('/api/v2/token/refresh')) {
        held += 1;
        await gate;
      }
      return globalThis.fetch(url, init);
    },
    close() {
      gate = new Promise((resolve) => (open = resolve));
    },
    open: () => open?.(),
    held: () => held,
  };
}

/**
 * `GET /v1/shops/:shopId/token` hands out a token the app can use for a while: a due token that is
 * still good is answered at once while one refresh replaces it in the background; one that is about
 * to expire is refreshed first (once, however many apps ask at the same moment); and the refresh
 * token TikTok rotated is never lost. Time moves only on the service's injected clock, which the
 * built-in simulator shares, so "due" is reached without touching the database.
 */
describe('GET /v1/shops/:shopId/token when the access token is due', () => {
  const clock = new FakeClock('2026-11-23T10:00:00.000Z');
  const tiktok = gatedRefreshes();
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let connectionId: string;
  let shopId: string;
  let openId: string;

  beforeAll(async () => {
    // The sweeper sweeps once at start and then not for a day of real time: every refresh seen here
    // is one that a token read triggered.
    service = await startTestService({ REFRESH_SWEEP_INTERVAL_SECONDS: '86400' }, { clock, fetch: tiktok.fetch });
    call = withKey(service, (await createClient(service, { name: 'token reader', scopes: ['tokens:read'] })).key);
    const seller = sim().addSeller({ name: 'Refresh On Read Seller' });
    openId = seller.openId;
    shopId = seller.shops[0]!.id;
    const session = await service.connections.createConnectSession({ merchantRef: 'merchant-refresh' });
    connectionId = await connectSeller(service, session.url, seller);
  });
  afterAll(async () => {
    await service?.stop();
  });

  const sim = () => service.simulator!.control;

  /** The connection as stored, tokens opened with the service's key. */
  async function stored() {
    const [row] = await service.db.sql.query<{
      access_token_sealed: Sealed; refresh_token_sealed: Sealed; access_token_expires_at: Date; refresh_due_at: Date; token_version: number;
    }>('SELECT access_token_sealed, refresh_token_sealed, access_token_expires_at, refresh_due_at, token_version FROM connections WHERE id = $1', [connectionId]);
    return {
      accessToken: openAccessToken(vault, connectionId, row!.access_token_sealed),
      refreshToken: openRefreshToken(vault, connectionId, row!.refresh_token_sealed),
      accessTokenExpiresAt: row!.access_token_expires_at,
      refreshDueAt: row!.refresh_due_at,
      tokenVersion: row!.token_version,
    };
  }

  /** What TikTok (the simulator) holds for this seller's authorization. */
  function atTikTok(accessToken: string) {
    const state = service.simulator!.state;
    const issued = state.accessTokens.get(accessToken);
    const grant = issued && state.grants.get(issued.grantId);
    const refreshTokens = [...state.refreshTokens.values()].filter((token) => token.grantId === issued?.grantId);
    return {
      issued,
      openId: grant?.openId,
      current: refreshTokens.filter((token) => token.rotatedAt === undefined).map((token) => token.token),
      rotatedAway: refreshTokens.filter((token) => token.rotatedAt !== undefined).map((token) => token.token),
    };
  }

  interface TokenBody { shopId: string; shopCipher: string; accessToken: string; expiresAt: string; grantedScopes: string[] }

  async function readToken(): Promise<TokenBody> {
    const response = await call(`/v1/shops/${shopId}/token`);
    expect(response.status).toBe(200);
    return (await response.json()) as TokenBody;
  }

  async function refreshAudits(): Promise<{ outcome: string; detail: Record<string, unknown> }[]> {
    await service.audit.flush();
    return service.db.sql.query(`SELECT outcome, detail FROM audit_events WHERE action = 'token.refresh' AND connection_id = $1 ORDER BY id`, [connectionId]);
  }
  /**
   * Ten reads at once, as ten app requests would make them while the token is due: TikTok sees one
   * refresh (with a refresh token it has not seen used), and all ten get the token it issued, with
   * the expiry it answered.
   */
  async function tenReadsAtOnce(before: { accessToken: string }) {
    const now = clock.now();
    sim().resetCounters();
    const bodies = await Promise.all(Array.from({ length: 10 }, () => readToken()));
    const counters = sim().counters();
    expect(counters.refreshes).toStrictEqual({ total: 1, byOpenId: { [openId]: 1 } });
    expect(counters.reusedRefreshTokens).toBe(0);
    const fresh = bodies[0]!.accessToken;
    expect(fresh).not.toBe(before.accessToken);
    expect(bodies.map((body) => body.accessToken)).toStrictEqual(Array(10).fill(fresh));
    const expiresAt = new Date((unixSeconds(now) + week) * 1000);
    expect(atTikTok(fresh).issued!.expiresAt).toBe(unixSeconds(now) + week);
    expect(bodies.map((body) => body.expiresAt)).toStrictEqual(Array(10).fill(expiresAt.toISOString()));
    return { fresh, counters, now, expiresAt };
  }


  it('returns the stored token without calling TikTok while it is not due', async () => {
    sim().resetCounters();
    const before = await stored();
    clock.advanceSeconds(3600);

    const body = await readToken();

    expect(body).toStrictEqual({
      shopId,
      shopCipher: sim().sellers().find((s) => s.openId === openId)!.shops[0]!.cipher,
      accessToken: before.accessToken,
      expiresAt: '2026-11-30T10:00:00.000Z',
      grantedScopes: sim().settings().appScopes,
    });
    expect(sim().counters().refreshes.total).toBe(0);
    expect((await stored()).tokenVersion).toBe(before.tokenVersion);
    expect(await refreshAudits()).toStrictEqual([]);
  });

  it('answers fifty concurrent reads of a due but valid token at once, while one background refresh waits for a slow TikTok (issue #12 item 3)', async () => {
    const before = await stored();
    expect(before.refreshDueAt.getTime()).toBeLessThan(before.accessTokenExpiresAt.getTime());
    clock.set(new Date(before.refreshDueAt.getTime() + 60_000));
    sim().resetCounters();
    tiktok.close();

    // All fifty are answered while TikTok has not answered the refresh: nobody waited for it.
    const bodies = await Promise.all(Array.from({ length: 50 }, () => readToken()));
    expect(bodies.map((body) => body.accessToken)).toStrictEqual(Array(50).fill(before.accessToken));
    expect(bodies.map((body) => body.expiresAt)).toStrictEqual(Array(50).fill(before.accessTokenExpiresAt.toISOString()));
    expect(tiktok.held()).toBe(1);
    expect((await stored()).tokenVersion).toBe(before.tokenVersion);

    tiktok.open();
    await vi.waitFor(async () => expect((await stored()).tokenVersion).toBe(before.tokenVersion + 1), { timeout: 10_000, interval: 50 });
    const counters = sim().counters();
    expect(counters.refreshes).toStrictEqual({ total: 1, byOpenId: { [openId]: 1 } });
    expect([counters.tokenGets, counters.reusedRefreshTokens]).toStrictEqual([0, 0]);

    // TikTok rotated the refresh token: the database holds the new one, never the one TikTok retired.
    const after = await stored();
    const fresh = after.accessToken;
    const tiktokSide = atTikTok(fresh);
    expect(tiktokSide.openId).toBe(openId);
    expect(tiktokSide.rotatedAway).toStrictEqual([before.refreshToken]);
    expect(tiktokSide.current).toStrictEqual([after.refreshToken]);
    expect(after.accessTokenExpiresAt).toStrictEqual(new Date((unixSeconds(clock.now()) + week) * 1000));
    expect(after.refreshDueAt.getTime()).toBeGreaterThan(clock.now().getTime());
    expect((await refreshAudits()).map((row) => row.outcome)).toStrictEqual(['success']);

    // Not due any more: the next read is served from the database, with the new token.
    sim().resetCounters();
    expect((await readToken()).accessToken).toBe(fresh);
    expect(sim().counters().refreshes.total).toBe(0);
  });

  it('refreshes once for ten concurrent reads when the token has less than a minute left, with the refresh token kept last time', async () => {
    const before = await stored();
    clock.set(new Date(before.accessTokenExpiresAt.getTime() - 30_000));

    // The refresh token stored by the previous refresh is the one TikTok accepts (one refresh, none
    // reused): it was not lost.
    const { fresh } = await tenReadsAtOnce(before);
    const after = await stored();
    expect(atTikTok(fresh).current).toStrictEqual([after.refreshToken]);
    expect(atTikTok(fresh).rotatedAway).toContain(before.refreshToken);
    expect(after.tokenVersion).toBe(before.tokenVersion + 1);
    expect((await refreshAudits()).map((row) => row.outcome)).toStrictEqual(['success', 'success']);
  });
});
