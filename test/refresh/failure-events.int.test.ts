import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectionEventSchemas } from '../../src/connections/lifecycle/index.js';
import { ScopeMissing } from '../../src/shared/errors.js';
import { createHarness, type Harness } from './support.js';

/** What subscribers hear of refreshes that fail: `connection.refresh_failed` once per streak, scope problems as problems. */
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

describe('connection.refresh_failed', () => {
  it('is sent once for a streak of transient failures (not for each retry), and again for the next streak after a success', async () => {
    h.sim.control.setLifetimes({ accessTokenSeconds: 24 * 3600 });
    const { id, seller } = await h.seed();
    const row = await h.row(id);
    h.clock.set(row.refreshDueAt!);
    const startedAt = h.clock.now().toISOString();
    h.sim.control.failNext({ kind: 'server-error', count: 10_000 });
    const refresher = h.refresher();
    for (let minute = 0; minute < 30; minute += 1) {
      await refresher.sweepOnce();
      h.clock.advanceSeconds(60);
    }
    expect(h.sim.control.counters().serverErrors).toBeGreaterThanOrEqual(3);

    const events = await h.outbox(id);
    expect(events.map((event) => event.type)).toStrictEqual(['connection.refresh_failed']);
    const [event] = events;
    expect(connectionEventSchemas['connection.refresh_failed'].safeParse(event!.payload).success).toBe(true);
    expect(event!.payload).toMatchObject({
      connectionId: id, openId: seller.openId, status: 'active', failureClass: 'transient', tiktokCode: 36009003,
      error: expect.stringMatching(/temporarily unavailable/), accessTokenExpiresAt: row.accessTokenExpiresAt.toISOString(), occurredAt: startedAt,
    });
    expect(Date.parse(event!.payload.nextAttemptAt as string)).toBeGreaterThan(Date.parse(startedAt));

    // TikTok recovers: the success is silent, and the next failure starts a new streak.
    h.sim.control.clearFaults();
    h.clock.set((await h.row(id)).refreshDueAt!);
    expect(await refresher.sweepOnce()).toMatchObject({ refreshed: 1 });
    h.sim.control.failNext({ kind: 'rate-limit', count: 10_000 });
    for (let step = 0; step < 3; step += 1) {
      h.clock.set((await h.row(id)).refreshDueAt!);
      await refresher.sweepOnce();
    }
    expect((await h.row(id)).refreshFailureCount).toBe(3);
    const after = await h.outbox(id);
    expect(after.map((e) => e.type)).toStrictEqual(['connection.refresh_failed', 'connection.refresh_failed']);
    expect(after[1]!.payload).toMatchObject({ failureClass: 'transient', error: expect.any(String) });
  });

  it('is not sent for a permission problem: that opens a scope problem (connection.scope_problem) instead', async () => {
    const { id } = await h.seed();
    h.clock.set((await h.row(id)).refreshDueAt!);
    const denied = new ScopeMissing('TikTok denied GET /api/v2/token/refresh for lack of an API scope.', '/api/v2/token/refresh', [], {
      code: 105005, message: 'Access denied',
    });
    const refresher = h.refresher({ auth: { refreshToken: () => Promise.reject(denied) } });
    await refresher.ensureFresh(id);
    h.clock.advanceSeconds(3600);
    await refresher.sweepOnce();
    const events = await h.outbox(id);
    expect(events.map((event) => event.type)).toStrictEqual(['connection.scope_problem']);
    expect(events[0]!.payload).toMatchObject({ apiPath: '/api/v2/token/refresh', scopeKeys: [], tiktokCode: 105005, kind: 'scope_missing' });
  });

  it('is not sent for a dead grant: that is connection.needs_reauth alone', async () => {
    const { id, seller } = await h.seed();
    h.sim.control.revokeSeller(seller.openId);
    h.clock.set((await h.row(id)).refreshDueAt!);
    await h.refresher().sweepOnce();
    expect((await h.outbox(id)).map((event) => event.type)).toStrictEqual(['connection.needs_reauth']);
  });
});
