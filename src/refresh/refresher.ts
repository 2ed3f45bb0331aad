import { setTimeout as sleep } from 'node:timers/promises';
import type { RefreshState } from '../connections/model.js';
import { ConnectionNotFound, ConnectionUnusable, RefreshBusy } from '../shared/errors.js';
import { processOwner } from '../shared/process-owner.js';
import { TikTokUnavailable } from '../tiktok/index.js';
import { openAccessToken } from '../vault/tokens.js';
import { refreshClaimed, type AttemptDeps, type AttemptResult, type FreshToken, type Trigger } from './attempt.js';
import { sweepAuthorizationExpiry, type ExpiryDeps } from './authorization-expiry.js';
import { createRefreshCircuit, type CircuitSignal, type RefreshCircuit } from './circuit.js';
import { isServableWhileRefreshing, isTokenDue, minimumValidityMs, refreshUrgency, servableUntil } from './due.js';
import { defaultBackoff, type BackoffPolicy } from './failure.js';
import { markAccessRefused, type AccessRefused } from './grant-dead.js';
import { createSingleFlight } from './single-flight.js';
import { createSweeper, type SweepReport } from './sweeper.js';

export type { FreshToken } from './attempt.js';
export type { SweepReport } from './sweeper.js';

export interface RefresherDeps extends Omit<AttemptDeps, 'policy' | 'claimSeconds' | 'backoff' | 'owner' | 'random' | 'sleep' | 'lifecycle'> {
  lifecycle: AttemptDeps['lifecycle'] & Pick<ExpiryDeps['lifecycle'], 'warnExpiring'>;
  /** Selection of ended and expiring authorizations, for the sweeper. */
  expiry: ExpiryDeps['store'];
  /** `config.refresh`. */
  settings: {
    sweepIntervalSeconds: number; atLifetimeFraction: number; safetyMarginSeconds: number; concurrency: number; claimSeconds: number;
    /** How long a request waits for a refresh (default 10). */
    waitSeconds?: number;
    /** Refresh circuit (default 5 failures, 60 s open). */
    circuitFailures?: number;
    circuitOpenSeconds?: number;
  };
  /** Names this process in claims; default `hostname:pid:random`. */
  owner?: string;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Timer interval of `start()`; default `settings.sweepIntervalSeconds`. */
  sweepIntervalMs?: number;
  /** How long `ensureFresh` waits for another process's refresh, polling the row. Default `settings.waitSeconds` / 100 ms. */
  waitForOther?: { maxMs: number; pollMs: number };
  /** How long a request waits for this process's refresh before it is answered without it; default `settings.waitSeconds`. */
  callerWaitMs?: number;
  /** The storm brake; default one per refresher, from `settings`. */
  circuit?: RefreshCircuit;
  /**
   * Runs after every stored refresh, in the background (the caller gets its token at once; `stop()`
   * waits for it): the core fetches the authorized shops again here (#11 item 8). Failures are logged.
   */
  afterRefresh?: (fresh: FreshToken) => Promise<unknown>;
}

export interface Refresher {
  /**
   * A usable access token: the stored one unless it is due (or `force`), otherwise refreshed first.
   * Concurrent callers in this process share one refresh; across processes the database claim decides.
   * Throws ConnectionNotFound, ConnectionUnusable (never a stale token of a dead connection),
   * RefreshBusy, or the TikTok error when the token has expired and refreshing keeps failing.
   *
   * @example
   * const { accessToken, accessTokenExpiresAt } = await refresher.ensureFresh(connection.id);
   */
  ensureFresh(connectionId: string, options?: { force?: boolean }): Promise<FreshToken>;
  /**
   * Starts refreshing a due token unless this process already is, and returns at once: callers are
   * answered with the stored token meanwhile. Failures are recorded by the attempt as usual.
   */
  refreshInBackground(connectionId: string): void;
  /** An operator's "refresh now": refreshes whatever the due time and backoff say; throws when the attempt failed. */
  refreshNow(connectionId: string): Promise<FreshToken>;
  /**
   * An API call learned that TikTok will never accept the grant again: marks the connection as a dead
   * refresh token does (see `markAccessRefused` in grant-dead.ts) and answers its status afterwards.
   *
   * @example
   * const after = await refresher.markGrantDead({ connectionId, accessToken, tiktok: error.tiktok, requestId });
   */
  markGrantDead(input: AccessRefused): Promise<Pick<RefreshState, 'status' | 'statusReason'> | undefined>;
  /** Refreshes every due connection (bounded concurrency), then authorization expiry warnings and ends. */
  sweepOnce(): Promise<SweepReport>;
  /** Starts the background sweeper (an unref'd timer); nothing runs before. */
  start(): void;
  /** Stops the timer and waits for running sweeps and refreshes. */
  stop(): Promise<void>;
  /** How many refreshes this process has in flight (a shutdown waits for their TikTok answers). */
  inFlight(): number;
}

/** Forcing more often than this returns the token refreshed moments ago instead of calling TikTok again. */
const minForceIntervalMs = 10_000;
/** An expired token in backoff is refreshed on request at most this often per connection (#15 item 2). */
export const backoffRetrySeconds = 30;
/** A caller's wait ends this long before its stored token would stop being servable: time to read it again and answer. */
const servableMarginMs = 1_000;
/**
 * The token refresher: in-process single flight per connection over a cross-process claim with a
 * lease, compare-and-set writes, failure classes with bounded retries, and the sweeper.
 *
 * @example
 * const refresher = createRefresher({ store: createRefreshClaimStore(db.sql), lifecycle, expiry: createLifecycleStore(db.sql),
 *   auth, vault, clock, logger, audit, metrics: metrics.refresh, problems, settings: config.refresh });
 * refresher.start();
 * await refresher.stop(); // before the database closes
 */
export function createRefresher(deps: RefresherDeps): Refresher {
  const { store, clock, settings } = deps;
  const attemptDeps: AttemptDeps = {
    ...deps,
    policy: settings,
    claimSeconds: settings.claimSeconds,
    backoff: deps.backoff ?? defaultBackoff,
    owner: deps.owner ?? processOwner(),
    random: deps.random ?? Math.random,
    sleep: (ms) => sleep(ms),
  };
  const callerWaitMs = deps.callerWaitMs ?? (settings.waitSeconds ?? 10) * 1000;
  const waitForOther = deps.waitForOther ?? { maxMs: callerWaitMs, pollMs: 100 };
  const circuit = deps.circuit ?? createRefreshCircuit({ clock, failures: settings.circuitFailures ?? 5, openSeconds: settings.circuitOpenSeconds ?? 60 });
  /** Set when the circuit opens; cleared once a sweep with the circuit closed finds the due backlog worked off. */
  let expiryFirst = false;
  const flights = createSingleFlight<FreshToken | undefined>();
  /** For each refresh in flight here: until when the connection's stored token can be handed out, for the requests that join it. */
  const servableWhileInFlight = new Map<string, number>();
  /** Runs (or joins) the connection's one refresh in this process. */
  const fly = (id: string, input: RefreshFlowInput) =>
    flights.run(id, async () => {
      try {
        return await refreshFlow(id, input);
      } finally {
        servableWhileInFlight.delete(id);
      }
    });
  const followUps = new Set<Promise<unknown>>();
  const followUp = (fresh: FreshToken): void => {
    if (!deps.afterRefresh) return;
    const running: Promise<unknown> = deps.afterRefresh(fresh)
      .catch((error: unknown) => deps.logger.warn({ err: error, connectionId: fresh.connectionId }, 'the work after a refresh failed'))
      .finally(() => followUps.delete(running));
    followUps.add(running);
  };

  /** Active, or `refresh_lost` with its access token not yet expired (served, never refreshed). */
  const assertUsable = (state: RefreshState): void => {
    if (state.status === 'active') return;
    if (state.status === 'refresh_lost' && state.accessTokenExpiresAt.getTime() > clock.now().getTime()) return;
    throw new ConnectionUnusable(state.id, state.status, state.statusReason);
  };

  const open = (state: RefreshState): FreshToken => ({
    connectionId: state.id,
    app: state.app,
    accessToken: openAccessToken(deps.vault, state.id, state.accessTokenSealed),
    accessTokenExpiresAt: state.accessTokenExpiresAt,
    grantedScopes: state.grantedScopes,
  });

  /** The stored token if it is still usable; a dead connection or an expired token never leaves. */
  const serve = (state: RefreshState): FreshToken => {
    assertUsable(state);
    if (state.accessTokenExpiresAt.getTime() <= clock.now().getTime()) {
      throw new TikTokUnavailable(
        // The stored last error can be any internal failure: admins see it, API clients only the schedule.
        `The access token expired and refreshing it has not succeeded yet` +
          `${state.refreshDueAt ? `; the next attempt is at ${state.refreshDueAt.toISOString()}` : ''}.`,
        { method: 'GET', apiPath: '/api/v2/token/refresh' },
      );
    }
    return open(state);
  };

  /** Reports to the circuit, and logs when it opens (or opens again) or closes. */
  const settle = (app: string | undefined, signal: CircuitSignal): void => {
    if (app === undefined) return;
    const before = circuit.state(app);
    circuit.settle(app, signal);
    const after = circuit.state(app);
    if (after === before) return;
    deps.metrics.circuitOpen.set({ app }, after === 'closed' ? 0 : 1);
    if (after === 'open') expiryFirst = true;
    if (after === 'open') deps.logger.warn({ app }, "refresh circuit open: TikTok's token endpoint keeps timing out or failing; refreshes of tokens that still have time are postponed");
    else if (after === 'closed') deps.logger.info({ app }, 'refresh circuit closed: TikTok answers token refreshes again');
  };

  const claim = (id: string, force: boolean, retryInBackoff = false) => {
    const now = clock.now();
    return store.claim({
      id, owner: attemptDeps.owner, now, leaseUntil: new Date(now.getTime() + settings.claimSeconds * 1000), force,
      ...(retryInBackoff ? { retryEvery: { seconds: backoffRetrySeconds, urgentUntil: new Date(now.getTime() + minimumValidityMs) } } : {}),
    });
  };

  /** Runs one attempt on a claimed row and turns its result into a token (or the reason there is none). */
  const attempt = async (claimed: RefreshState, trigger: Trigger): Promise<FreshToken> => {
    let result: AttemptResult;
    try {
      result = await refreshClaimed(attemptDeps, claimed, trigger);
    } catch (error) {
      settle(claimed.app, 'none');
      throw error;
    }
    settle(claimed.app, circuitSignal(result));
    if (result.ok) {
      followUp(result.fresh);
      return result.fresh;
    }
    const state = await store.read(claimed.id);
    if (!state) throw new ConnectionNotFound(claimed.id);
    if (result.stale) return serve(state);
    assertUsable(state);
    // The sweeper and an operator's "refresh now" are told it failed; a request keeps being served.
    if (trigger !== 'request') throw result.failure.error;
    // Transient failure: keep serving the old token until it expires.
    if (state.accessTokenExpiresAt.getTime() > clock.now().getTime()) return open(state);
    throw result.failure.error;
  };

  /**
   * Whether the circuit lets this refresh start (#15 item 2): always when closed or forced; otherwise
   * only for a token about to expire, or as the half-open probe. The row is read only when the circuit is not closed.
   */
  const circuitAllows = async (id: string, input: { force: boolean; known?: RefreshState }): Promise<{ allowed: boolean; app?: string }> => {
    if (input.force || circuit.allClosed()) return { allowed: true, ...(input.known ? { app: input.known.app } : {}) };
    const row = input.known ?? (await store.read(id));
    if (!row) return { allowed: true };
    const allowed = circuit.mayStart(row.app, row.accessTokenExpiresAt);
    if (!allowed) deps.logger.debug({ connectionId: id, app: row.app }, 'refresh postponed: the refresh circuit is open and the token still has time');
    return { allowed, app: row.app };
  };

  /** Claims and refreshes; when another process holds the claim, polls until it finishes (bounded). */
  const refreshFlow = async (id: string, input: RefreshFlowInput) => {
    if (input.known) servableWhileInFlight.set(id, servableUntil(input.known));
    const gate = await circuitAllows(id, input);
    if (!gate.allowed) {
      if (!input.wait) return undefined;
      const state = input.known ?? (await store.read(id));
      if (!state) throw new ConnectionNotFound(id);
      return serve(state);
    }
    let claimed: RefreshState | undefined;
    try {
      claimed = await claim(id, input.force, input.retryInBackoff);
    } finally {
      if (!claimed) settle(gate.app, 'none');
    }
    if (claimed) {
      servableWhileInFlight.set(id, servableUntil(claimed));
      return attempt(claimed, input.trigger);
    }
    if (!input.wait) return undefined;
    const started = Date.now();
    for (;;) {
      const state = await store.read(id);
      if (!state) throw new ConnectionNotFound(id);
      assertUsable(state);
      servableWhileInFlight.set(id, servableUntil(state));
      const now = clock.now().getTime();
      const versionChanged = input.seenVersion !== undefined && state.tokenVersion !== input.seenVersion;
      if (versionChanged || state.claimOwner === null) return serve(state);
      // Another process is refreshing: a token that is still good is served, never refused for that (#15 item 4).
      if (!input.force && refreshUrgency(state, now) !== 'urgent') return open(state);
      if (state.claimExpiresAt && state.claimExpiresAt.getTime() < now) {
        const taken = await claim(id, input.force);
        if (taken) return attempt(taken, input.trigger);
        continue;
      }
      if (Date.now() - started >= waitForOther.maxMs) {
        if (!input.force && isServableWhileRefreshing(state, now)) return open(state);
        throw new RefreshBusy(`Another process is refreshing connection ${id} and did not finish within ${waitForOther.maxMs} ms.`);
      }
      await sleep(waitForOther.pollMs);
    }
  };

  /**
   * A request waits for a refresh at most `callerWaitMs` (#15 item 1). Then the refresh keeps running (its answer,
   * however late, is stored) and the caller gets the stored token if it is still valid for more than the
   * last-resort validity ({@link isServableWhileRefreshing}), otherwise RefreshBusy (503 with Retry-After).
   * A caller whose stored token was servable when it asked (`until`, from {@link servableUntil}) is never
   * refused (#15 item 4): its wait ends a second before that token stops being servable (asked with 15 s left,
   * it gets that token with 11 s left, not a 503), and that token is handed out if nothing newer is stored.
   * `until` unknown, or a forced refresh (which wants a new token): the whole `callerWaitMs`.
   */
  const withinWait = async (id: string, running: Promise<FreshToken | undefined>, until: number | undefined): Promise<FreshToken | undefined> => {
    const askedAt = clock.now().getTime();
    const servableWhenAsked = until !== undefined && until > askedAt;
    const waitMs = servableWhenAsked ? Math.min(callerWaitMs, Math.max(0, until - servableMarginMs - askedAt)) : callerWaitMs;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), waitMs);
    });
    try {
      const first = await Promise.race([running, late]);
      if (first !== 'late') return first;
    } finally {
      clearTimeout(timer);
    }
    running.catch(() => undefined);
    const state = await store.read(id);
    if (!state) throw new ConnectionNotFound(id);
    assertUsable(state);
    const now = clock.now().getTime();
    const stillTheOneAskedFor = servableWhenAsked && servableUntil(state) === until && state.accessTokenExpiresAt.getTime() > now;
    if (isServableWhileRefreshing(state, now) || stillTheOneAskedFor) return open(state);
    throw new RefreshBusy(`Connection ${id}'s token is being refreshed and TikTok has not answered within ${Math.round(waitMs)} ms; retry shortly.`);
  };

  const ensureFresh = async (connectionId: string, options: { force?: boolean } = {}, trigger: Trigger = 'request'): Promise<FreshToken> => {
    const bounded = options.force !== true;
    const waited = (running: Promise<FreshToken | undefined>, until: number | undefined) =>
      trigger === 'request' ? withinWait(connectionId, running, bounded ? until : undefined) : running;
    const pending = flights.pending(connectionId);
    if (pending) {
      // Share the running refresh; if it failed, the row says what to serve (old token, or why not).
      const shared = await waited(pending.catch(() => undefined), servableWhileInFlight.get(connectionId));
      if (shared) return shared;
    }
    const state = await store.read(connectionId);
    if (!state) throw new ConnectionNotFound(connectionId);
    assertUsable(state);
    if (state.status === 'refresh_lost') {
      // Nothing can refresh it: an operator is told so, everyone else gets the token while it lasts.
      if (trigger === 'operator') throw new ConnectionUnusable(state.id, state.status, state.statusReason);
      return open(state);
    }
    const force = options.force === true;
    const need = needsRefresh(state, clock.now(), force, trigger === 'operator');
    if (need === 'no') return serve(state);
    const fresh = await waited(
      fly(connectionId, {
        force: need === 'yes' && (force || state.refreshDueAt === null), trigger, wait: true, seenVersion: state.tokenVersion, known: state,
        retryInBackoff: need === 'retry_in_backoff',
      }),
      servableUntil(state),
    );
    return fresh ?? ensureFresh(connectionId, options, trigger);
  };

  const sweeper = createSweeper({
    clock,
    logger: deps.logger,
    concurrency: settings.concurrency,
    intervalMs: deps.sweepIntervalMs ?? settings.sweepIntervalSeconds * 1000,
    // After an outage (the circuit opened), tokens about to expire go first until the backlog is worked off.
    selectDue: async (now, limit) => {
      const closed = circuit.allClosed();
      const ids = await store.selectDue(now, limit, { byExpiry: expiryFirst || !closed });
      if (closed && ids.length < limit) expiryFirst = false;
      return ids;
    },
    refreshOne: (id) => fly(id, { force: false, trigger: 'sweep', wait: false }),
    authorizationExpiry: (now, limit) => sweepAuthorizationExpiry({ ...deps, store: deps.expiry }, now, limit),
  });

  return {
    ensureFresh: (connectionId, options) => ensureFresh(connectionId, options),
    refreshNow: (connectionId) => ensureFresh(connectionId, { force: true }, 'operator'),
    refreshInBackground(connectionId) {
      if (flights.pending(connectionId)) return;
      fly(connectionId, { force: false, trigger: 'request', wait: false })
        .catch((error: unknown) => deps.logger.debug({ err: error, connectionId }, 'background refresh did not succeed; the attempt recorded why'));
    },
    markGrantDead: (input) => markAccessRefused({ ...attemptDeps, claimSeconds: settings.claimSeconds }, input),
    sweepOnce: () => sweeper.sweepOnce(),
    start: () => sweeper.start(),
    inFlight: () => flights.all().length,
    async stop() {
      await sweeper.stop();
      await Promise.allSettled(flights.all());
      await Promise.allSettled([...followUps]);
    },
  };
}

/** How one refresh runs: whether it may skip the schedule, who asked, whether it waits for another process's. */
interface RefreshFlowInput {
  force: boolean;
  trigger: Trigger;
  wait: boolean;
  seenVersion?: number;
  known?: RefreshState;
  retryInBackoff?: boolean;
}

/**
 * Whether a request must refresh first: the due time has come (and no failure backoff is running),
 * or the caller forces it (not twice within seconds, and not through a backoff unless an operator asks).
 * `retry_in_backoff`: the token is expired (or about to) while failures back off, and no attempt started
 * in the last {@link backoffRetrySeconds}: one request may try now, so service returns soon after TikTok does.
 */
function needsRefresh(state: RefreshState, now: Date, force: boolean, operator: boolean): 'yes' | 'no' | 'retry_in_backoff' {
  if (operator) return 'yes';
  const due = state.refreshDueAt;
  const backingOff = state.refreshFailureCount > 0 && due !== null && due.getTime() > now.getTime();
  if (backingOff) {
    const attempted = state.refreshAttemptedAt;
    const retryable = refreshUrgency(state, now.getTime()) === 'urgent' && (!attempted || now.getTime() - attempted.getTime() >= backoffRetrySeconds * 1000);
    return retryable ? 'retry_in_backoff' : 'no';
  }
  if (force) return !state.lastRefreshedAt || now.getTime() - state.lastRefreshedAt.getTime() >= minForceIntervalMs ? 'yes' : 'no';
  return isTokenDue(state, now.getTime()) ? 'yes' : 'no';
}

/** What an attempt tells the circuit: timeouts and 5xx (TikTokUnavailable) count against TikTok; any answer closes it. */
function circuitSignal(result: AttemptResult): CircuitSignal {
  if (result.ok || result.stale) return 'answered';
  const code = (result.failure.error as { code?: string }).code;
  if (code === 'tiktok_unavailable') return 'unavailable';
  return result.failure.failureClass === 'grant_dead' || result.failure.failureClass === 'permission' || code?.startsWith('tiktok_') ? 'answered' : 'none';
}
