import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScopeMissing } from '../../src/shared/errors.js';
import { createHarness, type Harness } from './support.js';

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

describe('a refresh failing transiently (TikTok 5xx)', () => {
  it('keeps serving the old token, backs off, and makes at most 10 TikTok calls in an hour', async () => {
    h.sim.control.setLifetimes({ accessTokenSeconds: 24 * 3600 });
    const { id, tokens } = await h.seed();
    h.clock.set((await h.row(id)).refreshDueAt!);
    h.sim.control.failNext({ kind: 'server-error', count: 10_000 });
    const refresher = h.refresher();
    for (let minute = 0; minute < 60; minute += 1) {
      await refresher.sweepOnce();
      expect((await refresher.ensureFresh(id)).accessToken).toBe(tokens.accessToken);
      h.clock.advanceSeconds(60);
    }
    const calls = h.sim.control.counters().serverErrors;
    expect(calls).toBeGreaterThanOrEqual(5);
    expect(calls).toBeLessThanOrEqual(10);
    const row = await h.row(id);
    expect(row).toMatchObject({ status: 'active', refreshFailureCount: calls, claimOwner: null, accessToken: tokens.accessToken });
    expect(row.lastRefreshError).toMatch(/temporarily unavailable/);
    expect(row.refreshDueAt!.getTime()).toBeGreaterThan(h.clock.now().getTime() - 60_000);
    const audit = await h.auditEvents(id);
    expect(audit).toHaveLength(calls);
    expect(audit[0]).toMatchObject({ action: 'token.refresh', outcome: 'failure', detail: { failureClass: 'transient', trigger: 'sweep' } });

    h.sim.control.clearFaults();
    h.clock.set(row.refreshDueAt!);
    expect(await refresher.sweepOnce()).toMatchObject({ refreshed: 1 });
    expect(await h.row(id)).toMatchObject({ refreshFailureCount: 0, lastRefreshError: null, tokenVersion: 2 });
  });

  it('once the old token has expired, answers with the TikTok error instead of an expired token', async () => {
    h.sim.control.setLifetimes({ accessTokenSeconds: 600 });
    const { id } = await h.seed();
    h.clock.set((await h.row(id)).refreshDueAt!);
    h.sim.control.failNext({ kind: 'rate-limit', count: 10_000 });
    const refresher = h.refresher();
    await refresher.sweepOnce();
    expect(await h.row(id)).toMatchObject({ refreshFailureCount: 1, refreshOutcomeUnknownAt: null });
    h.clock.advanceSeconds(600);
    await expect(refresher.ensureFresh(id)).rejects.toMatchObject({ code: 'tiktok_rate_limited' });
  });
});

describe('a token that expired while refreshes back off', () => {
  it('answers tiktok_unavailable with the next attempt, never the stored error text or the expired token', async () => {
    h.sim.control.setLifetimes({ accessTokenSeconds: 600 });
    const { id } = await h.seed();
    h.sim.control.failNext({ kind: 'server-error', count: 10_000 });
    const refresher = h.refresher();
    let row = await h.row(id);
    while (row.refreshDueAt!.getTime() <= row.accessTokenExpiresAt.getTime()) {
      h.clock.set(row.refreshDueAt!);
      await refresher.sweepOnce();
      row = await h.row(id);
    }
    expect(row.lastRefreshError).toMatch(/temporarily unavailable/);
    h.clock.set(new Date(row.accessTokenExpiresAt.getTime() + 1000));
    const error = await refresher.ensureFresh(id).catch((e: unknown) => e as Error & { code: string });
    expect(error).toMatchObject({
      code: 'tiktok_unavailable',
      message: `The access token expired and refreshing it has not succeeded yet; the next attempt is at ${row.refreshDueAt!.toISOString()}.`,
    });
  });
});

describe('issue #11 item 9: a refresh answered 36004004 ("invalid auth code")', () => {
  it('is retried once, then the grant is dead (needs_reauth) instead of an hourly retry forever', async () => {
    const { id } = await h.seed();
    h.clock.set((await h.row(id)).refreshDueAt!);
    h.sim.control.failNext({ kind: 'invalid-auth-code', count: 10_000, path: '/api/v2/token/refresh' });
    const refresher = h.refresher();
    await refresher.sweepOnce();
    const first = await h.row(id);
    expect(first).toMatchObject({ status: 'active', refreshFailureCount: 1 });
    expect(first.lastRefreshError).toContain('(36004004 "invalid auth code")');
    h.clock.set(first.refreshDueAt!);
    await refresher.sweepOnce();
    const row = await h.row(id);
    expect(row).toMatchObject({ status: 'needs_reauth', refreshDueAt: null });
    expect(row.statusReason).toMatch(/^TikTok no longer accepts the stored refresh token \(TikTok 36004004 "invalid auth code"\)/);
    for (let hour = 0; hour < 3; hour += 1) {
      h.clock.advanceSeconds(3600);
      await refresher.sweepOnce();
    }
    expect(h.sim.control.counters().refreshes.total).toBe(2);
  });

  it('after another kind of failure, is still retried once first', async () => {
    const { id } = await h.seed();
    h.clock.set((await h.row(id)).refreshDueAt!);
    h.sim.control.failNext({ kind: 'server-error', count: 1, path: '/api/v2/token/refresh' });
    const refresher = h.refresher();
    await refresher.sweepOnce();
    h.sim.control.failNext({ kind: 'invalid-auth-code', count: 1, path: '/api/v2/token/refresh' });
    h.clock.set((await h.row(id)).refreshDueAt!);
    await refresher.sweepOnce();
    expect(await h.row(id)).toMatchObject({ status: 'active', refreshFailureCount: 2 });
  });
});

describe('a dead grant', () => {
  it('(seller revoked: 36004005) moves the connection to needs_reauth with an outbox event and an audit event, and stops calling TikTok', async () => {
    const { id, seller } = await h.seed();
    h.sim.control.revokeSeller(seller.openId);
    h.clock.set((await h.row(id)).refreshDueAt!);
    const refresher = h.refresher();
    expect(await refresher.sweepOnce()).toMatchObject({ failed: 1 });
    const row = await h.row(id);
    expect(row).toMatchObject({ status: 'needs_reauth', refreshDueAt: null, claimOwner: null });
    expect(row.statusReason).toMatch(/^TikTok no longer accepts the stored refresh token \(TikTok 36004005 /);
    const events = await h.outbox(id);
    expect(events).toStrictEqual([
      {
        type: 'connection.needs_reauth',
        connection_id: id,
        payload: {
          connectionId: id, openId: seller.openId, merchantRef: null, status: 'needs_reauth', previousStatus: 'active', cause: 'refresh',
          reason: row.statusReason, occurredAt: h.clock.now().toISOString(),
        },
      },
    ]);
    expect(await h.auditEvents(id)).toMatchObject([{ action: 'token.refresh', outcome: 'failure', detail: { failureClass: 'grant_dead', status: 'needs_reauth' } }]);
    for (let hour = 0; hour < 5; hour += 1) {
      h.clock.advanceSeconds(3600);
      await refresher.sweepOnce();
    }
    expect(h.sim.control.counters().refreshes.total).toBe(1);
    await expect(refresher.ensureFresh(id)).rejects.toMatchObject({ code: 'connection_needs_reauth' });
  });

  it('(authorization ended) marks the connection expired without calling TikTok', async () => {
    h.sim.control.setLifetimes({ accessTokenSeconds: 600, refreshTokenSeconds: 3600 });
    const { id } = await h.seed();
    h.clock.advanceSeconds(3600);
    expect(await h.refresher().sweepOnce()).toMatchObject({ expired: 1, refreshed: 0 });
    expect(await h.row(id)).toMatchObject({ status: 'expired', refreshDueAt: null });
    expect((await h.outbox(id)).map((e) => e.type)).toStrictEqual(['connection.expired']);
    expect(h.sim.control.counters().refreshes.total).toBe(0);
  });
});

describe('a permission problem (105005)', () => {
  it('is recorded as a problem, not as a refresh failure', async () => {
    const { id, tokens } = await h.seed();
    h.clock.set((await h.row(id)).refreshDueAt!);
    const denied = new ScopeMissing('TikTok denied GET /api/v2/token/refresh for lack of an API scope.', '/api/v2/token/refresh', [], {
      code: 105005, message: 'Access denied',
    });
    const refresher = h.refresher({ auth: { refreshToken: () => Promise.reject(denied) } });
    expect((await refresher.ensureFresh(id)).accessToken).toBe(tokens.accessToken);
    const row = await h.row(id);
    expect(row).toMatchObject({ status: 'active', refreshFailureCount: 0 });
    expect(row.refreshDueAt).toStrictEqual(new Date(h.clock.now().getTime() + 3600_000));
    const problems = await h.db.sql.query('SELECT kind, tiktok_code FROM problems WHERE connection_id = $1', [id]);
    expect(problems).toStrictEqual([{ kind: 'scope_missing', tiktok_code: 105005 }]);
  });
});

describe('authorization expiry warnings', () => {
  it('are sent 30, 7 and 1 days ahead, once each, then the connection expires', async () => {
    h.sim.control.setLifetimes({ refreshTokenSeconds: 40 * 86_400 });
    const { id } = await h.seed();
    const ends = (await h.row(id)).refreshTokenExpiresAt;
    const refresher = h.refresher();
    const at = (daysBefore: number) => h.clock.set(new Date(ends.getTime() - daysBefore * 86_400_000));
    const warnings = async () => (await h.outbox(id)).filter((e) => e.type === 'authorization.expiring').map((e) => e.payload.daysBefore);

    at(31);
    await refresher.sweepOnce();
    expect(await warnings()).toStrictEqual([]);
    at(29.5);
    await refresher.sweepOnce();
    await refresher.sweepOnce();
    expect(await warnings()).toStrictEqual([30]);
    at(6.5);
    await refresher.sweepOnce();
    at(6);
    await refresher.sweepOnce();
    expect(await warnings()).toStrictEqual([30, 7]);
    at(0.5);
    await refresher.sweepOnce();
    expect(await warnings()).toStrictEqual([30, 7, 1]);
    at(-0.01);
    await refresher.sweepOnce();
    expect(await h.row(id)).toMatchObject({ status: 'expired' });
    expect((await h.outbox(id)).at(-1)!.type).toBe('connection.expired');
    expect((await h.auditEvents(id)).filter((e) => e.action === 'authorization.expiring')).toHaveLength(3);
  });
});
