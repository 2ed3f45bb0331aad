import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dueSelectionSql, type RefreshClaimStore } from '../../src/db/stores/refresh-claims.js';
import { createAuthClient } from '../../src/tiktok/index.js';
import { app, createHarness, gatedAuth, settings, type Harness } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.reset();
});

describe('the sweeper', () => {
  it('refreshes a 10-second token ahead of its expiry, again and again, with no request', async () => {
    h.sim.control.setLifetimes({ accessTokenSeconds: 10 });
    const { id } = await h.seed();
    const refresher = h.refresher();
    for (let cycle = 1; cycle <= 5; cycle += 1) {
      const before = await h.row(id);
      expect(before.refreshDueAt!.getTime()).toBeLessThan(before.accessTokenExpiresAt.getTime());
      h.clock.set(before.refreshDueAt!);
      expect(await refresher.sweepOnce()).toMatchObject({ refreshed: 1, failed: 0 });
      const after = await h.row(id);
      expect(after.tokenVersion).toBe(before.tokenVersion + 1);
      expect(after.accessToken).not.toBe(before.accessToken);
      expect(h.clock.now().getTime()).toBeLessThan(before.accessTokenExpiresAt.getTime());
      // TikTok's expiries are whole unix seconds.
      expect(after.accessTokenExpiresAt).toStrictEqual(new Date(Math.floor(h.clock.now().getTime() / 1000) * 1000 + 10_000));
    }
    expect(h.sim.control.counters().refreshes.total).toBe(5);
  });

  it('refreshes a 7-day token about a day ahead of its expiry, and not before it is due', async () => {
    const { id, tokens } = await h.seed();
    const due = (await h.row(id)).refreshDueAt!;
    const lead = tokens.accessTokenExpiresAt.getTime() - due.getTime();
    expect(lead).toBeGreaterThan(0.9 * 86_400_000);
    expect(lead).toBeLessThan(1.5 * 86_400_000);
    const refresher = h.refresher();
    h.clock.set(new Date(due.getTime() - 1000));
    expect(await refresher.sweepOnce()).toMatchObject({ refreshed: 0 });
    h.clock.set(due);
    expect(await refresher.sweepOnce()).toMatchObject({ refreshed: 1 });
    expect((await h.row(id)).accessTokenExpiresAt).toStrictEqual(new Date(due.getTime() + 7 * 86_400_000));
  });

  it('with two refreshers (separate pools) racing for 100 due connections makes exactly 100 refresh calls and reuses no refresh token', async () => {
    h.sim.control.setLifetimes({ accessTokenSeconds: 3600 });
    const ids = [];
    for (let i = 0; i < 100; i += 1) ids.push((await h.seed()).id);
    h.sim.control.resetCounters();
    h.clock.advanceSeconds(3600 - 60);
    const a = h.refresher({ owner: 'process-a' });
    const b = h.refresher({ owner: 'process-b', database: await h.otherProcessDatabase() });
    const [fromA, fromB] = await Promise.all([a.sweepOnce(), b.sweepOnce()]);
    expect(fromA.refreshed + fromB.refreshed).toBe(100);
    expect(fromA.failed + fromB.failed).toBe(0);
    const counters = h.sim.control.counters();
    expect(counters.refreshes.total).toBe(100);
    expect(counters.reusedRefreshTokens).toBe(0);
    const versions = await h.db.sql.query<{ token_version: number; n: string }>(
      'SELECT token_version, count(*) AS n FROM connections GROUP BY token_version',
    );
    expect(versions.map((v) => [Number(v.token_version), Number(v.n)])).toStrictEqual([[2, 100]]);
  });

  it('selects due connections through the refresh_due_at index, not a scan of every row', async () => {
    await h.db.sql.query(
      `INSERT INTO connections (id, open_id, user_type, seller_name, status, granted_scopes, access_token_sealed, refresh_token_sealed,
         encryption_key_id, access_token_expires_at, refresh_token_expires_at, refresh_due_at, authorized_at)
       SELECT 'plan-' || g, 'plan-open-' || g, 0, 'Seller', 'active', '{}', 'x', 'x', 'k1', $1::timestamptz + interval '7 days',
         $1::timestamptz + interval '90 days',
         CASE WHEN g % 100 = 0 THEN $1::timestamptz - interval '1 minute' ELSE $1::timestamptz + (g % 1000 + 1) * interval '1 minute' END, $1
       FROM generate_series(1, 5000) AS g`,
      [h.clock.now()],
    );
    await h.db.sql.exec('ANALYZE connections');
    const plan = await h.db.sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${dueSelectionSql}`, [h.clock.now(), 100]);
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index Scan (using|on) connections_refresh_due_at_idx/);
    expect(text).not.toContain('Seq Scan');
    expect(await h.store.selectDue(h.clock.now(), 100)).toHaveLength(50);
  });
});

describe('ensureFresh', () => {
  it('returns the stored token while it is not due, without calling TikTok', async () => {
    const { id, tokens } = await h.seed();
    const fresh = await h.refresher().ensureFresh(id);
    expect(fresh).toStrictEqual({
      connectionId: id, app: 'default', accessToken: tokens.accessToken, accessTokenExpiresAt: tokens.accessTokenExpiresAt, grantedScopes: tokens.grantedScopes,
    });
    expect(h.sim.control.counters().refreshes.total).toBe(0);
  });

  it('shares one refresh among 10 concurrent callers', async () => {
    const { id } = await h.seed();
    h.clock.set((await h.row(id)).refreshDueAt!);
    const refresher = h.refresher();
    const results = await Promise.all(Array.from({ length: 10 }, () => refresher.ensureFresh(id)));
    expect(h.sim.control.counters().refreshes.total).toBe(1);
    const stored = await h.row(id);
    expect(new Set(results.map((r) => r.accessToken))).toStrictEqual(new Set([stored.accessToken]));
    expect(stored.tokenVersion).toBe(2);
  });

  it.each(['needs_reauth', 'expired', 'suspended', 'revoked'] as const)('refuses a %s connection with ConnectionUnusable, never a stale token', async (status) => {
    const { id } = await h.seed({ status });
    await h.db.sql.query("UPDATE connections SET status_reason = 'because' WHERE id = $1", [id]);
    await expect(h.refresher().ensureFresh(id, { force: true })).rejects.toMatchObject({
      name: 'ConnectionUnusable', code: `connection_${status}`, status, message: expect.stringContaining('Reason: because'),
    });
    expect(h.sim.control.counters().refreshes.total).toBe(0);
  });

  it('serves a due token that is still good at once while another process holds the claim, never refresh_busy (issue #15 item 4)', async () => {
    const { id } = await h.seed();
    const stored = await h.row(id);
    h.clock.set(stored.refreshDueAt!);
    await h.db.sql.query("UPDATE connections SET claim_owner = 'elsewhere', claim_expires_at = $2 WHERE id = $1", [
      id, new Date(stored.refreshDueAt!.getTime() + settings.claimSeconds * 1000),
    ]);
    const fresh = await h.refresher().ensureFresh(id);
    expect(fresh).toMatchObject({ accessToken: stored.accessToken, accessTokenExpiresAt: stored.accessTokenExpiresAt });
    expect(h.sim.control.counters().refreshes.total).toBe(0);
  });

  it('waits for another process holding the claim on a token within its last 60 s, then serves it while it has more than 10 s left (issue #15 item 4)', async () => {
    const { id } = await h.seed();
    const stored = await h.row(id);
    h.clock.set(new Date(stored.accessTokenExpiresAt.getTime() - 30_000));
    await h.db.sql.query("UPDATE connections SET claim_owner = 'elsewhere', claim_expires_at = $2 WHERE id = $1", [
      id, new Date(h.clock.now().getTime() + settings.claimSeconds * 1000),
    ]);
    const fresh = await h.refresher().ensureFresh(id);
    expect(fresh).toMatchObject({ accessToken: stored.accessToken, accessTokenExpiresAt: stored.accessTokenExpiresAt });
    expect(h.sim.control.counters().refreshes.total).toBe(0);
  });

  it('waits for another process holding the claim on a token about to expire, then answers RefreshBusy; takes over once the lease ran out', async () => {
    const { id } = await h.seed();
    const expiresAt = (await h.row(id)).accessTokenExpiresAt;
    h.clock.set(new Date(expiresAt.getTime() - 8_000));
    await h.db.sql.query("UPDATE connections SET claim_owner = 'elsewhere', claim_expires_at = $2 WHERE id = $1", [
      id, new Date(h.clock.now().getTime() + settings.claimSeconds * 1000),
    ]);
    const refresher = h.refresher();
    await expect(refresher.ensureFresh(id)).rejects.toMatchObject({ code: 'refresh_busy' });
    h.clock.advanceSeconds(settings.claimSeconds + 1);
    const fresh = await refresher.ensureFresh(id);
    expect(fresh.accessToken).toBe((await h.row(id)).accessToken);
    expect(h.sim.control.counters().refreshes.total).toBe(1);
  });
});

describe('a late writer', () => {
  it('with a stale token version never overwrites newer tokens', async () => {
    h.sim.control.setRotation('non-rotating');
    const { id } = await h.seed();
    h.clock.set((await h.row(id)).refreshDueAt!);
    const gated = gatedAuth(h.auth);
    const late = h.refresher({ auth: gated.auth, owner: 'late' });
    const pending = late.ensureFresh(id);
    await vi_waitFor(() => gated.calls() === 1);
    // Meanwhile another process stored newer tokens (its write bumped the version).
    await h.db.sql.query('UPDATE connections SET token_version = token_version + 1 WHERE id = $1', [id]);
    const newer = await h.row(id);
    gated.release();
    const fresh = await pending;
    const after = await h.row(id);
    expect(after.accessTokenSealed).toBe(newer.accessTokenSealed);
    expect(after.tokenVersion).toBe(newer.tokenVersion);
    expect(after.claimOwner).toBeNull(); // the refused writer gave its lease back at once
    expect(after.refreshOutcomeUnknownAt).toBeNull();
    expect(fresh.accessToken).toBe(newer.accessToken);
    expect(await h.metrics.registry.getSingleMetricAsString('tiktok_token_refreshes_total')).toContain('outcome="stale_write"} 1');
  });
});

describe('a refresher killed mid-refresh', () => {
  it('before TikTok answered leaves the old tokens, and another refresher takes over once the claim expires', async () => {
    const { id } = await h.seed();
    const before = await h.row(id);
    h.clock.set(before.refreshDueAt!);
    const neverAnswers = createAuthClient({ fetch: () => new Promise(() => undefined), authBaseUrl: h.sim.url, ...app, timeoutMs: 60_000 });
    // A killed process renews no lease.
    void h.refresher({ auth: neverAnswers, owner: 'killed', store: { ...h.store, renewClaim: async () => true } }).sweepOnce();
    await vi_waitFor(async () => (await h.row(id)).claimOwner === 'killed');
    expect((await h.row(id)).refreshTokenSealed).toBe(before.refreshTokenSealed);

    const survivor = h.refresher({ owner: 'survivor' });
    expect(await survivor.sweepOnce()).toMatchObject({ refreshed: 0 });
    h.clock.advanceSeconds(settings.claimSeconds + 1);
    expect(await survivor.sweepOnce()).toMatchObject({ refreshed: 1 });
    const after = await h.row(id);
    expect(after).toMatchObject({ status: 'active', tokenVersion: before.tokenVersion + 1, claimOwner: null, refreshOutcomeUnknownAt: null });
    expect(h.sim.control.counters()).toMatchObject({ refreshes: { total: 1 }, reusedRefreshTokens: 0 });
  });

  describe('after TikTok answered, before the write', () => {
    const killedStore = (store: RefreshClaimStore): RefreshClaimStore => ({
      ...store,
      writeRefreshed: async () => {
        throw new Error('killed');
      },
      recordFailure: async () => {
        throw new Error('killed');
      },
    });

    it('in strict rotation: the connection is refresh_lost (old access token served until it expires, #15 item 3), then needs_reauth', async () => {
      const { id, tokens } = await h.seed();
      const before = await h.row(id);
      h.clock.set(before.refreshDueAt!);
      await h.refresher({ store: killedStore(h.store), owner: 'killed' }).sweepOnce();
      expect(await h.row(id)).toMatchObject({ refreshTokenSealed: before.refreshTokenSealed, claimOwner: 'killed', status: 'active' });

      h.clock.advanceSeconds(settings.claimSeconds + 1);
      const survivor = h.refresher({ owner: 'survivor' });
      expect(await survivor.sweepOnce()).toMatchObject({ refreshed: 0, failed: 1 });
      const after = await h.row(id);
      expect(after).toMatchObject({ status: 'refresh_lost', refreshDueAt: null, claimOwner: null });
      expect(after.statusReason).toMatch(/answer was lost, so the refresh token was most likely rotated away/);
      expect((await h.outbox(id)).map((e) => e.type)).toStrictEqual(['connection.refresh_lost']);
      expect((await survivor.ensureFresh(id)).accessToken).toBe(tokens.accessToken);
      expect(h.sim.control.counters().refreshes.total).toBe(2);

      h.clock.set(new Date(tokens.accessTokenExpiresAt.getTime() + 1000));
      await survivor.sweepOnce();
      expect(await h.row(id)).toMatchObject({ status: 'needs_reauth' });
      await expect(survivor.ensureFresh(id)).rejects.toMatchObject({ code: 'connection_needs_reauth' });
      expect(h.sim.control.counters().refreshes.total).toBe(2);
    });

    it('without rotation: the connection recovers on the next attempt', async () => {
      h.sim.control.setRotation('non-rotating');
      const { id } = await h.seed();
      const before = await h.row(id);
      h.clock.set(before.refreshDueAt!);
      await h.refresher({ store: killedStore(h.store), owner: 'killed' }).sweepOnce();
      h.clock.advanceSeconds(settings.claimSeconds + 1);
      expect(await h.refresher({ owner: 'survivor' }).sweepOnce()).toMatchObject({ refreshed: 1 });
      expect(await h.row(id)).toMatchObject({ status: 'active', tokenVersion: before.tokenVersion + 1, refreshOutcomeUnknownAt: null });
    });
  });
});

async function vi_waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
