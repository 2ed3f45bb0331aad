import { describe, expect, it } from 'vitest';
import { createShopCredentialSource } from '../../src/apps/shop-credentials.js';
import type { ShopAccess } from '../../src/connections/model.js';
import { parseKeyRing } from '../../src/vault/key-ring.js';
import { sealTokens } from '../../src/vault/tokens.js';
import { createVault } from '../../src/vault/vault.js';
import { FakeClock } from '../support/clock.js';

const vault = createVault(parseKeyRing('k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='));
const start = new Date('2026-11-29T12:00:00Z');

/** A shop row as the store reads it: active, token valid a day, refresh due in twelve hours. */
function row(shopId: string, accessToken: string, overrides: Partial<ShopAccess> = {}): ShopAccess {
  const connectionId = `connection-of-${shopId}`;
  return {
    shopId,
    app: 'default',
    shopCipher: `ROW_${shopId}`,
    connectionId,
    removedAt: null,
    status: 'active',
    statusReason: null,
    grantedScopes: ['seller.order.info'],
    accessTokenSealed: sealTokens(vault, connectionId, { accessToken, refreshToken: 'unused' }).accessTokenSealed,
    accessTokenExpiresAt: new Date(start.getTime() + 86_400_000),
    refreshDueAt: new Date(start.getTime() + 43_200_000),
    hasOpenProblems: false,
    ...overrides,
  };
}

function sourceOver(rows: Map<string, ShopAccess>, rememberedShops?: number) {
  const clock = new FakeClock(start);
  let reads = 0;
  let refreshes = 0;
  let background = 0;
  const source = createShopCredentialSource({
    shopAccess: {
      find: async (shopId) => {
        reads += 1;
        const found = rows.get(shopId);
        return found ? [found] : [];
      },
    },
    vault,
    refresher: {
      ensureFresh: async (connectionId) => {
        refreshes += 1;
        return { connectionId, app: 'default', accessToken: 'refreshed', accessTokenExpiresAt: new Date(start.getTime() + 2 * 86_400_000), grantedScopes: ['seller.order.info'] };
      },
      refreshInBackground: () => {
        background += 1;
      },
    },
    clock,
    ...(rememberedShops === undefined ? {} : { rememberedShops }),
  });
  return { source, clock, reads: () => reads, refreshes: () => refreshes, background: () => background };
}

describe('shop credentials', () => {
  it('reads the shop every time, one indexed read and a decryption, with no refresh while the token is not due', async () => {
    const { source, reads, refreshes } = sourceOver(new Map([['s1', row('s1', 'token-1')]]));
    expect(await source.forShop('s1')).toMatchObject({ accessToken: 'token-1', shopCipher: 'ROW_s1', connectionId: 'connection-of-s1' });
    await source.forShop('s1');
    expect(reads()).toBe(2);
    expect(refreshes()).toBe(0);
  });

  it('refreshes first when the token is within a minute of expiry', async () => {
    const { source, clock, refreshes, background } = sourceOver(new Map([['s1', row('s1', 'token-1', { refreshDueAt: null })]]));
    clock.set(new Date(start.getTime() + 86_400_000 - 59_000));
    expect(await source.forShop('s1')).toMatchObject({ accessToken: 'refreshed' });
    expect([refreshes(), background()]).toStrictEqual([1, 0]);
  });

  it('answers a due token that is still good from the read, and asks for a refresh in the background (issue #12 item 3)', async () => {
    const { source, clock, reads, refreshes, background } = sourceOver(new Map([['s1', row('s1', 'token-1')]]));
    clock.set(new Date(start.getTime() + 43_200_000 + 1_000));
    expect(await source.forShop('s1')).toMatchObject({ accessToken: 'token-1' });
    expect([reads(), refreshes(), background()]).toStrictEqual([1, 0, 1]);
  });
});

describe('what this process last read of a shop (a hint for starting a safe call early)', () => {
  it('is nothing before the shop was read', () => {
    const { source, reads } = sourceOver(new Map([['s1', row('s1', 'token-1')]]));
    expect(source.lastSeen('s1')).toBeUndefined();
    expect(reads()).toBe(0);
  });

  it('is the latest read of an active connection, opened, without a database read', async () => {
    const rows = new Map([['s1', row('s1', 'token-1')]]);
    const { source, reads } = sourceOver(rows);
    await source.forShop('s1', { remember: true });
    rows.set('s1', row('s1', 'token-2'));
    expect(source.lastSeen('s1')).toMatchObject({ accessToken: 'token-1', shopCipher: 'ROW_s1' });
    await source.forShop('s1', { remember: true });
    expect(source.lastSeen('s1')).toMatchObject({ accessToken: 'token-2' });
    expect(reads()).toBe(2);
  });

  it.each(['suspended', 'revoked', 'needs_reauth', 'expired'] as const)('is forgotten once any read (a token read too) finds the connection %s', async (status) => {
    const rows = new Map([['s1', row('s1', 'token-1')]]);
    const { source } = sourceOver(rows);
    await source.forShop('s1', { remember: true });
    rows.set('s1', row('s1', 'token-1', { status }));
    await expect(source.forShop('s1')).rejects.toMatchObject({ code: `connection_${status}` });
    expect(source.lastSeen('s1')).toBeUndefined();
  });

  it('is not kept by reads that do not ask (token and sign)', async () => {
    const { source } = sourceOver(new Map([['s1', row('s1', 'token-1')]]));
    await source.forShop('s1');
    expect(source.lastSeen('s1')).toBeUndefined();
  });

  it('is forgotten once a read no longer finds the shop', async () => {
    const rows = new Map([['s1', row('s1', 'token-1')]]);
    const { source } = sourceOver(rows);
    await source.forShop('s1', { remember: true });
    rows.delete('s1');
    await expect(source.forShop('s1', { remember: true })).rejects.toMatchObject({ code: 'shop_not_found' });
    expect(source.lastSeen('s1')).toBeUndefined();
  });

  it('is nothing once the token it holds is due; neither a due token served from the read nor a refreshed one is remembered', async () => {
    const { source, clock } = sourceOver(new Map([['s1', row('s1', 'token-1')]]));
    await source.forShop('s1', { remember: true });
    clock.set(new Date(start.getTime() + 43_200_000));
    expect(source.lastSeen('s1')).toBeUndefined();
    expect(await source.forShop('s1', { remember: true })).toMatchObject({ accessToken: 'token-1' });
    expect(source.lastSeen('s1')).toBeUndefined();
    clock.set(new Date(start.getTime() + 86_400_000 - 59_000));
    expect(await source.forShop('s1', { remember: true })).toMatchObject({ accessToken: 'refreshed' });
    expect(source.lastSeen('s1')).toBeUndefined();
  });

  it('holds at most the configured number of shops, forgetting the least recently read', async () => {
    const rows = new Map(['s1', 's2', 's3'].map((id) => [id, row(id, `token-${id}`)]));
    const { source } = sourceOver(rows, 2);
    await source.forShop('s1', { remember: true });
    await source.forShop('s2', { remember: true });
    await source.forShop('s1', { remember: true });
    await source.forShop('s3', { remember: true });
    expect(source.lastSeen('s2')).toBeUndefined();
    expect(source.lastSeen('s1')).toMatchObject({ accessToken: 'token-s1' });
    expect(source.lastSeen('s3')).toMatchObject({ accessToken: 'token-s3' });
  });
});
