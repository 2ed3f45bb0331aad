import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RefreshBusy } from '../../src/shared/errors.js';
import { createHarness, type Harness } from './support.js';

// Issue #15 items 1 and 2: a slow TikTok, an outage, and the refresh storm they used to cause.

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

/** Polls until `check` holds (real time; the refresh under test runs on real sockets). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs `work` with the fake clock from `from` on, running at real speed, as the waits under test do. */
async function atRealSpeedFrom(from: Date, work: () => Promise<void>): Promise<void> {
  const started = Date.now();
  h.clock.set(from);
  const ticking = setInterval(() => h.clock.set(new Date(from.getTime() + Date.now() - started)), 10);
  try {
    await work();
  } finally {
    clearInterval(ticking);
  }
}

// A 2-second lease: the old code gave a refresh request min(10 s, half the lease) = 1 s.
const shortLease = { REFRESH_CLAIM_SECONDS: '2' };

describe('a refresh answer slower than the old timeout (#15 item 1)', () => {
  it('is awaited and stored: the connection stays active with the new tokens, and the old refresh token is never sent again', async () => {
    const { id, tokens } = await h.seed();
    h.clock.set((await h.row(id)).refreshDueAt!);
    // TikTok rotates the refresh token at once, and answers 1.5 s later.
    h.sim.control.answerButFail({ endpoint: 'refresh', how: 'delay', ms: 1500, count: 1 });
    const refresher = h.refresher({ env: shortLease });
    expect(await refresher.sweepOnce()).toMatchObject({ refreshed: 1, failed: 0 });
    const row = await h.row(id);
    expect(row).toMatchObject({ status: 'active', tokenVersion: 2, refreshFailureCount: 0, refreshOutcomeUnknownAt: null, claimOwner: null });
    expect(row.accessToken).not.toBe(tokens.accessToken);

    h.clock.set(row.refreshDueAt!);
    expect(await refresher.sweepOnce()).toMatchObject({ refreshed: 1 });
    expect(await h.row(id)).toMatchObject({ status: 'active', tokenVersion: 3 });
    expect(h.sim.control.counters().reusedRefreshTokens).toBe(0);
  });

  it('keeps its lease while TikTok is answering, so another process does not claim the row and re-send the old refresh token', async () => {
    const { id } = await h.seed();
    h.clock.set((await h.row(id)).refreshDueAt!);
    h.sim.control.answerButFail({ endpoint: 'refresh', how: 'delay', ms: 1500, count: 1 });
    const first = h.refresher({ env: shortLease, owner: 'process-a' });
    const other = h.refresher({ env: shortLease, owner: 'process-b', database: await h.otherProcessDatabase() });
    const sweeping = first.sweepOnce();
    await until(async () => (await h.row(id)).claimOwner === 'process-a', 'the claim');
    // The 2-second lease taken at the claim has run out on the clock; the holder renews it.
    h.clock.advanceSeconds(3);
    await until(async () => (await h.row(id)).claimExpiresAt!.getTime() > h.clock.now().getTime(), 'the lease renewal');
    expect(await other.sweepOnce()).toMatchObject({ refreshed: 0, failed: 0 });
    expect(await sweeping).toMatchObject({ refreshed: 1 });
    expect(await h.row(id)).toMatchObject({ status: 'active', tokenVersion: 2, refreshOutcomeUnknownAt: null });
    const counters = h.sim.control.counters();
    expect(counters.refreshes.total).toBe(1);
    expect(counters.reusedRefreshTokens).toBe(0);
  });

  it('a caller that gives up waiting gets 503 refresh_busy with Retry-After when the stored token is unusable, and the refresh still lands', async () => {
    const { id, tokens } = await h.seed();
    // 8 s left: too little to hand out, so the caller must wait for the refresh.
    h.clock.set(new Date(tokens.accessTokenExpiresAt.getTime() - 8_000));
    h.sim.control.answerButFail({ endpoint: 'refresh', how: 'delay', ms: 1500, count: 1 });
    const refresher = h.refresher({ env: shortLease, callerWaitMs: 200 });
    const error = await refresher.ensureFresh(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefreshBusy);
    expect(error).toMatchObject({ code: 'refresh_busy', retryAfterSeconds: 5 });
    await until(async () => (await h.row(id)).tokenVersion === 2, 'the late answer to be stored');
    const fresh = await refresher.ensureFresh(id);
    expect(fresh.accessToken).toBe((await h.row(id)).accessToken);
    expect(fresh.accessToken).not.toBe(tokens.accessToken);
    expect(await h.row(id)).toMatchObject({ status: 'active', refreshOutcomeUnknownAt: null });
  });

  it('a caller that gives up waiting on a token within its last minute gets it while it has more than 10 s left, and the refresh still lands', async () => {
    const { id, tokens } = await h.seed();
    h.clock.set(new Date(tokens.accessTokenExpiresAt.getTime() - 30_000));
    h.sim.control.answerButFail({ endpoint: 'refresh', how: 'delay', ms: 1500, count: 1 });
    const refresher = h.refresher({ env: shortLease, callerWaitMs: 200 });
    const served = await refresher.ensureFresh(id);
    expect(served.accessToken).toBe(tokens.accessToken);
    await until(async () => (await h.row(id)).tokenVersion === 2, 'the late answer to be stored');
    expect(await h.row(id)).toMatchObject({ status: 'active', refreshOutcomeUnknownAt: null });
  });

  it('callers are not kept waiting past the moment their stored token stops being servable: asked with 12 s left, they get that token, not a 503', async () => {
    const { id, tokens } = await h.seed();
    await atRealSpeedFrom(new Date(tokens.accessTokenExpiresAt.getTime() - 12_000), async () => {
      h.sim.control.answerButFail({ endpoint: 'refresh', how: 'delay', ms: 4000, count: 1 });
      // A 3 s wait would end with 9 s left, too little to hand out: the callers are answered after about 1 s instead,
      // the one that started the refresh and the one that joined it alike.
      const refresher = h.refresher({ callerWaitMs: 3000 });
      const served = await Promise.all([refresher.ensureFresh(id), sleep(50).then(() => refresher.ensureFresh(id))]);
      for (const token of served) {
        expect(token.accessToken).toBe(tokens.accessToken);
        expect(token.accessTokenExpiresAt.getTime() - h.clock.now().getTime()).toBeGreaterThan(10_000);
      }
      await until(async () => (await h.row(id)).tokenVersion === 2, 'the late answer to be stored');
      expect(await h.row(id)).toMatchObject({ status: 'active', refreshOutcomeUnknownAt: null });
      expect(h.sim.control.counters().refreshes.total).toBe(1);
    });
  });

  it('a caller whose token has just over 10 s left gets it at once rather than a 503 after waiting', async () => {
    const { id, tokens } = await h.seed();
    await atRealSpeedFrom(new Date(tokens.accessTokenExpiresAt.getTime() - 10_200), async () => {
      h.sim.control.answerButFail({ endpoint: 'refresh', how: 'delay', ms: 2000, count: 1 });
      const refresher = h.refresher({ callerWaitMs: 1500 });
      const served = await refresher.ensureFresh(id);
      expect(served.accessToken).toBe(tokens.accessToken);
      await until(async () => (await h.row(id)).tokenVersion === 2, 'the late answer to be stored');
    });
  });

  it('a forced refresh (the proxy retrying a token TikTok refused) waits for the new token instead of taking the stored one early', async () => {
    const { id, tokens } = await h.seed();
    await atRealSpeedFrom(new Date(tokens.accessTokenExpiresAt.getTime() - 12_000), async () => {
      h.sim.control.answerButFail({ endpoint: 'refresh', how: 'delay', ms: 1500, count: 1 });
      const refresher = h.refresher({ callerWaitMs: 3000 });
      const fresh = await refresher.ensureFresh(id, { force: true });
      expect(fresh.accessToken).not.toBe(tokens.accessToken);
      expect(fresh.accessToken).toBe((await h.row(id)).accessToken);
    });
  });

  it('a caller that gives up waiting gets the stored token while it is valid beyond the minimum validity', async () => {
    const { id, tokens } = await h.seed();
    h.clock.set((await h.row(id)).refreshDueAt!);
    h.sim.control.answerButFail({ endpoint: 'refresh', how: 'delay', ms: 1500, count: 1 });
    const refresher = h.refresher({ env: shortLease, callerWaitMs: 200 });
    const served = await refresher.ensureFresh(id, { force: true });
    expect(served.accessToken).toBe(tokens.accessToken);
    expect((await h.row(id)).tokenVersion).toBe(1);
    await until(async () => (await h.row(id)).tokenVersion === 2, 'the late answer to be stored');
    expect(await h.row(id)).toMatchObject({ status: 'active', refreshFailureCount: 0 });
  });
});

describe('the refresh circuit (#15 item 2)', () => {
  const circuit = { REFRESH_CIRCUIT_FAILURES: '3', REFRESH_CIRCUIT_OPEN_SECONDS: '120', REFRESH_CONCURRENCY: '1' };

  it('opens after 3 timeouts or 5xx, stops starting refreshes of tokens that have days, lets one about to expire through, and a half-open probe closes it', async () => {
    const seeded = [];
    for (let i = 0; i < 6; i += 1) seeded.push(await h.seed());
    const opened = (await h.row(seeded[0]!.id)).refreshDueAt!;
    h.clock.set(opened);
    h.sim.control.failNext({ kind: 'server-error', count: 10_000, path: '/api/v2/token/refresh' });
    const refresher = h.refresher({ env: circuit });
    expect(await refresher.sweepOnce()).toMatchObject({ failed: 3, refreshed: 0, skipped: 3 });
    expect(h.sim.control.counters().serverErrors).toBe(3);
    const circuitGauge = async () => (await h.metrics.registry.getSingleMetricAsString('connect_refresh_circuit_open')).split('\n').find((line) => line.startsWith('connect_refresh_circuit_open{'));
    expect(await circuitGauge(), 'the open circuit is visible to operators').toBe('connect_refresh_circuit_open{app="default"} 1');

    // A token that expires before the circuit half-opens is still refreshed (and fails: TikTok is still down).
    h.sim.control.setLifetimes({ accessTokenSeconds: 100 });
    const short = await h.seed();
    h.sim.control.setLifetimes({ accessTokenSeconds: 7 * 86_400 });
    h.clock.set((await h.row(short.id)).refreshDueAt!);
    // The 3 failed ones are due again after their backoff (≈ 33 s): still postponed.
    expect(await refresher.sweepOnce()).toMatchObject({ failed: 1, refreshed: 0, skipped: 6 });
    expect(h.sim.control.counters().serverErrors).toBe(4);

    // TikTok recovers; once the open period is over, the probe closes the circuit and everything is refreshed.
    h.sim.control.clearFaults();
    h.clock.set(new Date(h.clock.now().getTime() + 121_000));
    expect(await refresher.sweepOnce()).toMatchObject({ refreshed: 7, failed: 0 });
    for (const { id } of [...seeded, short]) expect(await h.row(id)).toMatchObject({ status: 'active', tokenVersion: 2 });
    expect(await circuitGauge()).toBe('connect_refresh_circuit_open{app="default"} 0');
  });

  it('a failed half-open probe opens it again', async () => {
    const seeded = [];
    for (let i = 0; i < 4; i += 1) seeded.push(await h.seed());
    h.clock.set((await h.row(seeded[0]!.id)).refreshDueAt!);
    h.sim.control.failNext({ kind: 'server-error', count: 10_000, path: '/api/v2/token/refresh' });
    const refresher = h.refresher({ env: circuit });
    await refresher.sweepOnce();
    expect(h.sim.control.counters().serverErrors).toBe(3);
    h.clock.advanceSeconds(121);
    expect(await refresher.sweepOnce()).toMatchObject({ failed: 1, skipped: 3 });
    expect(h.sim.control.counters().serverErrors).toBe(4);
    h.clock.advanceSeconds(60);
    expect(await refresher.sweepOnce()).toMatchObject({ failed: 0, refreshed: 0 });
    expect(h.sim.control.counters().serverErrors).toBe(4);
  });

  it('after it opened, the sweep takes the due tokens closest to expiry first', async () => {
    const late = await h.seed();
    h.sim.control.setLifetimes({ accessTokenSeconds: 6 * 86_400 });
    const soon = await h.seed();
    // The later-expiring one has been due for longer (say, a backoff): expiry decides, not the due time.
    await h.db.sql.query(`UPDATE connections SET refresh_due_at = refresh_due_at - interval '3 days' WHERE id = $1`, [late.id]);
    h.clock.advanceSeconds(7 * 86_400 - 600);
    expect(await h.store.selectDue(h.clock.now(), 10)).toStrictEqual([late.id, soon.id]);
    expect(await h.store.selectDue(h.clock.now(), 10, { byExpiry: true })).toStrictEqual([soon.id, late.id]);
  });
});

describe('an expired token in backoff after an outage (#15 item 2)', () => {
  it('is refreshed on request as soon as TikTok is back, but at most once per 30 s per connection', async () => {
    h.sim.control.setLifetimes({ accessTokenSeconds: 600 });
    const { id } = await h.seed();
    h.sim.control.failNext({ kind: 'server-error', count: 10_000, path: '/api/v2/token/refresh' });
    const refresher = h.refresher();
    let row = await h.row(id);
    let lastAttempt = h.clock.now();
    while (row.refreshDueAt!.getTime() <= row.accessTokenExpiresAt.getTime()) {
      h.clock.set(row.refreshDueAt!);
      lastAttempt = h.clock.now();
      await refresher.sweepOnce();
      row = await h.row(id);
    }
    const failures = h.sim.control.counters().serverErrors;
    // Expired, and the last sweep's attempt was more than 30 s ago; the backoff says much later.
    h.clock.set(new Date(row.accessTokenExpiresAt.getTime() + 30_000));
    expect(h.clock.now().getTime() - lastAttempt.getTime()).toBeGreaterThanOrEqual(30_000);
    expect(row.refreshDueAt!.getTime()).toBeGreaterThan(h.clock.now().getTime() + 30_000);

    // Still down: the request tries once, then not again for 30 s.
    await expect(refresher.ensureFresh(id)).rejects.toMatchObject({ code: 'tiktok_unavailable' });
    expect(h.sim.control.counters().serverErrors).toBe(failures + 1);
    h.sim.control.clearFaults();
    h.clock.advanceSeconds(10);
    await expect(refresher.ensureFresh(id)).rejects.toMatchObject({ code: 'tiktok_unavailable' });
    expect(h.sim.control.counters().refreshes.total).toBe(0);

    // 30 s after the last attempt, and TikTok is back: the next request refreshes.
    h.clock.advanceSeconds(21);
    const fresh = await refresher.ensureFresh(id);
    expect(fresh.accessTokenExpiresAt.getTime()).toBeGreaterThan(h.clock.now().getTime());
    expect(await h.row(id)).toMatchObject({ status: 'active', tokenVersion: 2, refreshFailureCount: 0 });
    expect(h.sim.control.counters().refreshes.total).toBe(1);
  });
});
