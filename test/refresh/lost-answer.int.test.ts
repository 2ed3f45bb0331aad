import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConnectionEvent } from '../../src/connections/lifecycle/index.js';
import { createHarness, type Harness } from './support.js';

// Issue #15 item 3: an unknown outcome is not a dead grant.

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

/** A connection whose due refresh reached TikTok (which rotated the refresh token) but whose answer was dropped. */
async function aLostAnswer() {
  const { id, tokens } = await h.seed();
  h.clock.set((await h.row(id)).refreshDueAt!);
  h.sim.control.answerButFail({ endpoint: 'refresh', how: 'drop', count: 1 });
  const refresher = h.refresher();
  expect(await refresher.sweepOnce()).toMatchObject({ failed: 1 });
  return { id, tokens, refresher, lost: await h.row(id) };
}

describe('a refresh whose answer was lost, then 36004005 on the retry (strict rotation)', () => {
  it('moves the connection to refresh_lost, which keeps serving the access token until it expires, then needs_reauth', async () => {
    // TikTok rotates the refresh token, and the connection drops before its answer arrives.
    const { id, tokens, refresher, lost } = await aLostAnswer();
    expect(lost).toMatchObject({ status: 'active', refreshFailureCount: 1 });
    expect(lost.refreshOutcomeUnknownAt).not.toBeNull();

    h.clock.set(lost.refreshDueAt!);
    expect(await refresher.sweepOnce()).toMatchObject({ failed: 1 });
    const row = await h.row(id);
    expect(row).toMatchObject({ status: 'refresh_lost', refreshDueAt: null, claimOwner: null, accessToken: tokens.accessToken });
    expect(row.statusReason).toContain(`The access token keeps working until ${tokens.accessTokenExpiresAt.toISOString()}`);

    // Told at once: the lost answer was a transient failure (connection.refresh_failed, once), then the
    // move's event carries until when the access token works.
    const events = (await h.outbox(id)).map((e) => parseConnectionEvent(e.type, e.payload));
    expect(events.map((e) => e.type)).toStrictEqual(['connection.refresh_failed', 'connection.refresh_lost']);
    expect(events[1]).toMatchObject({
      type: 'connection.refresh_lost',
      payload: { connectionId: id, status: 'refresh_lost', previousStatus: 'active', cause: 'refresh', accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString() },
    });

    // The old access token is still served (with no refresh attempt), until it expires.
    h.clock.set(new Date(tokens.accessTokenExpiresAt.getTime() - 120_000));
    expect((await refresher.ensureFresh(id)).accessToken).toBe(tokens.accessToken);
    expect((await refresher.ensureFresh(id, { force: true })).accessToken).toBe(tokens.accessToken);
    expect(await refresher.sweepOnce()).toMatchObject({ refreshed: 0, failed: 0, expired: 0 });
    expect(h.sim.control.counters().refreshes.total).toBe(2);
    await expect(refresher.refreshNow(id)).rejects.toMatchObject({ code: 'connection_needs_reauth' });

    // At the access token's expiry the sweeper ends it.
    h.clock.set(new Date(tokens.accessTokenExpiresAt.getTime() + 1000));
    await expect(refresher.ensureFresh(id)).rejects.toMatchObject({ code: 'connection_needs_reauth' });
    expect(await refresher.sweepOnce()).toMatchObject({ expired: 1 });
    expect(await h.row(id)).toMatchObject({ status: 'needs_reauth' });
    const after = (await h.outbox(id)).map((e) => parseConnectionEvent(e.type, e.payload));
    expect(after.map((e) => e.type)).toStrictEqual(['connection.refresh_failed', 'connection.refresh_lost', 'connection.needs_reauth']);
    expect(after[2]!.payload).toMatchObject({ previousStatus: 'refresh_lost', cause: 'sweeper' });
    expect(h.sim.control.counters().refreshes.total).toBe(2);
  });

  it('a replica that dies during the TikTok round trip (the lease runs out unrenewed) gives refresh_lost, not needs_reauth', async () => {
    const { id, tokens } = await h.seed();
    h.clock.set((await h.row(id)).refreshDueAt!);
    h.sim.control.answerButFail({ endpoint: 'refresh', how: 'delay', ms: 1500, count: 1 });
    // The killed replica: its request reached TikTok; it renews nothing and stores nothing.
    const killed = h.refresher({
      owner: 'killed',
      store: { ...h.store, renewClaim: async () => true, writeRefreshed: async () => undefined, releaseClaim: async () => undefined },
    });
    const dying = killed.sweepOnce();
    // Its request has reached TikTok (which rotated the refresh token) when the replica dies.
    for (let i = 0; i < 100 && h.sim.control.counters().refreshes.total === 0; i += 1) await sleep(20);
    expect((await h.row(id)).claimOwner).toBe('killed');
    h.clock.advanceSeconds(61);
    const survivor = h.refresher({ owner: 'survivor', database: await h.otherProcessDatabase() });
    expect(await survivor.sweepOnce()).toMatchObject({ failed: 1 });
    await dying;
    const row = await h.row(id);
    expect(row).toMatchObject({ status: 'refresh_lost', accessToken: tokens.accessToken });
    expect((await survivor.ensureFresh(id)).accessToken).toBe(tokens.accessToken);
  });

  it('a loss learned only after the access token expired is still told as refresh_lost; the next sweep ends it', async () => {
    // The retries after a lost answer can all fail until the access token is gone (the chaos proof's aimed
    // kills do that): the grant was still lost by an unknown outcome, and subscribers must hear it as such.
    const { id, tokens, refresher, lost: unknown } = await aLostAnswer();
    const unknownAt = unknown.refreshOutcomeUnknownAt!;

    h.clock.set(new Date(tokens.accessTokenExpiresAt.getTime() + 5_000));
    // Callers are told what they must do: re-authorize (as for any refresh_lost connection past its expiry).
    await expect(refresher.ensureFresh(id)).rejects.toMatchObject({ code: 'connection_needs_reauth' });
    const lost = await h.row(id);
    expect(lost).toMatchObject({ status: 'refresh_lost', refreshDueAt: null, claimOwner: null });
    expect(lost.statusReason).toContain(`an earlier refresh (at ${unknownAt.toISOString()})`);
    expect(lost.statusReason).toContain(`The access token expired on ${tokens.accessTokenExpiresAt.toISOString()}; the merchant must re-authorize.`);

    expect(await refresher.sweepOnce()).toMatchObject({ expired: 1 });
    expect(await h.row(id)).toMatchObject({ status: 'needs_reauth' });
    const events = (await h.outbox(id)).map((e) => parseConnectionEvent(e.type, e.payload));
    expect(events.map((e) => e.type)).toStrictEqual(['connection.refresh_failed', 'connection.refresh_lost', 'connection.needs_reauth']);
    expect(events[1]).toMatchObject({
      payload: { previousStatus: 'active', cause: 'refresh', accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString() },
    });
    expect(events[2]).toMatchObject({ payload: { previousStatus: 'refresh_lost', cause: 'sweeper' } });
    expect(h.sim.control.counters().refreshes.total).toBe(2);
  });

  it('a 36004005 with no lost answer before is still a dead grant (needs_reauth)', async () => {
    const { id, seller } = await h.seed();
    h.sim.control.revokeSeller(seller.openId);
    h.clock.set((await h.row(id)).refreshDueAt!);
    await h.refresher().sweepOnce();
    expect(await h.row(id)).toMatchObject({ status: 'needs_reauth' });
  });
});
