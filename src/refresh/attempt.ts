import { performance } from 'node:perf_hooks';
import type { AuditLog } from '../audit/audit-log.js';
import type { Lifecycle } from '../connections/lifecycle/index.js';
import type { RefreshState } from '../connections/model.js';
import type { Problems } from '../connections/problems.js';
import type { ClaimGuard, RefreshClaimStore } from '../db/stores/refresh-claims.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { RefreshMetrics, RefreshOutcome } from '../shared/metrics.js';
import type { TokenSet } from '../tiktok/index.js';
import { openRefreshToken, sealTokens } from '../vault/tokens.js';
import type { Vault } from '../vault/vault.js';
import { classifyFailure, nextAttemptAt, startsFailureStreak, type BackoffPolicy, type ClassifiedFailure } from './failure.js';
import { grantDeadVerdict, markGrantDead, type GrantDeadVerdict } from './grant-dead.js';
import { refreshDueAt, type RefreshPolicy } from './schedule.js';

/** A usable access token, as `ensureFresh` hands it out. */
export interface FreshToken {
  connectionId: string;
  /** The connection's TikTok Shop app. */
  app: string;
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** null: unknown (no token answer listed them). */
  grantedScopes: string[] | null;
}

export type Trigger = 'sweep' | 'request' | 'operator';

export type AttemptResult =
  | { ok: true; fresh: FreshToken }
  /** The write was refused (stale version or lost claim): newer tokens are stored; read them. */
  | { ok: false; stale: true }
  | { ok: false; stale: false; failure: ClassifiedFailure; verdict?: GrantDeadVerdict };

export interface AttemptDeps {
  store: RefreshClaimStore;
  lifecycle: Pick<Lifecycle, 'transition' | 'announce'>;
  /** Refreshes with the connection's own app (`app`: its id): its key, secret and auth host. */
  auth: { refreshToken(refreshToken: string, app: string): Promise<TokenSet> };
  vault: Vault;
  clock: Clock;
  logger: Logger;
  audit: Pick<AuditLog, 'record'>;
  metrics: RefreshMetrics;
  problems?: Pick<Problems, 'recordScopeMissing' | 'resolveAfterRefresh'>;
  policy: RefreshPolicy;
  /** The claim lease; renewed every third of it while the TikTok request is in flight. */
  claimSeconds: number;
  backoff: BackoffPolicy;
  owner: string;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

const refreshPath = '/api/v2/token/refresh';
const permissionRetrySeconds = 3600;

/**
 * One refresh by the holder of the claim on `claimed`: call TikTok, then at once the one
 * compare-and-set write (nothing slow in between), then audit and metrics. A failure is recorded by
 * class (see {@link classifyFailure}); the old tokens always stay unless new ones were stored.
 */
export async function refreshClaimed(deps: AttemptDeps, claimed: RefreshState, trigger: Trigger): Promise<AttemptResult> {
  const guard: ClaimGuard = { id: claimed.id, owner: deps.owner, expectedVersion: claimed.tokenVersion };
  const started = performance.now();
  if (claimed.refreshTokenExpiresAt.getTime() <= deps.clock.now().getTime()) {
    const failure: ClassifiedFailure = {
      failureClass: 'grant_dead', outcomeUnknown: false, tiktokCode: undefined, error: new Error('The refresh token has expired; TikTok was not called.'),
    };
    return failed(deps, claimed, guard, failure, started, trigger, grantDeadVerdict(claimed, deps.clock.now(), undefined));
  }
  let tokens: TokenSet;
  // Once sent, the request is awaited to its hard limit (TikTok may rotate the refresh token before it
  // answers); meanwhile the lease is kept, so no other process re-sends the old refresh token (#15 item 1).
  const renewal = keepLease(deps, guard);
  try {
    tokens = await deps.auth.refreshToken(openRefreshToken(deps.vault, claimed.id, claimed.refreshTokenSealed), claimed.app);
  } catch (error) {
    const failure = classifyFailure(error, claimed);
    const verdict = failure.failureClass === 'grant_dead' ? grantDeadVerdict(claimed, deps.clock.now(), tiktokOf(error)) : undefined;
    return failed(deps, claimed, guard, failure, started, trigger, verdict);
  } finally {
    renewal.stop();
  }

  const now = deps.clock.now();
  const sealed = sealTokens(deps.vault, claimed.id, tokens);
  // An answer without granted_scopes says nothing about them: keep the last known list (#11 item 5).
  const grantedScopes = tokens.grantedScopes ?? claimed.grantedScopes;
  const write = {
    ...sealed,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
    grantedScopes,
    refreshDueAt: refreshDueAt(now, tokens.accessTokenExpiresAt, deps.policy, deps.random),
  };
  let written: { tokenVersion: number } | undefined;
  try {
    // The new refresh token exists only in memory now: retry the write before giving up on it.
    written = await withRetries(deps, () => deps.store.writeRefreshed(guard, now, write));
  } catch (error) {
    deps.logger.error({ err: error, connectionId: claimed.id }, 'TikTok refreshed the tokens but they could not be stored');
    const failure: ClassifiedFailure = { failureClass: 'error', outcomeUnknown: true, tiktokCode: undefined, error: error as Error };
    return failed(deps, claimed, guard, failure, started, trigger);
  }
  const seconds = (performance.now() - started) / 1000;
  deps.metrics.duration.observe(seconds);
  if (!written) {
    // Newer tokens were stored meanwhile (e.g. the merchant re-authorized): ours are discarded and the
    // lease given back at once, so the next claim does not take this attempt for one that died.
    await deps.store.releaseClaim(guard).catch(() => undefined);
    count(deps, 'stale_write');
    deps.logger.warn({ connectionId: claimed.id, tokenVersion: claimed.tokenVersion }, 'refresh result discarded: newer tokens were stored meanwhile');
    record(deps, claimed.id, 'failure', { trigger, result: 'stale_write', expectedVersion: claimed.tokenVersion });
    return { ok: false, stale: true };
  }
  count(deps, 'refreshed');
  deps.metrics.leadTime.observe((claimed.accessTokenExpiresAt.getTime() - now.getTime()) / 1000);
  record(deps, claimed.id, 'success', {
    trigger,
    tokenVersion: written.tokenVersion,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt.toISOString(),
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt.toISOString(),
    refreshDueAt: write.refreshDueAt.toISOString(),
    seconds,
  });
  if (deps.problems) {
    // Closes what scopes new in this grant fix, and the permission problem an earlier refresh recorded
    // here. A scope granted before stays suspect: TikTok refused a call with it (say, the app's package).
    const newlyGranted = (grantedScopes ?? []).filter((scope) => !(claimed.grantedScopes ?? []).includes(scope));
    deps.problems.resolveAfterRefresh(claimed.id, { newlyGranted, refreshPath }).catch((error: unknown) => {
      deps.logger.warn({ err: error, connectionId: claimed.id }, 'could not resolve scope problems after a refresh');
    });
  }
  return {
    ok: true,
    fresh: {
      connectionId: claimed.id,
      app: claimed.app,
      accessToken: tokens.accessToken,
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      grantedScopes,
    },
  };
}

async function failed(
  deps: AttemptDeps,
  claimed: RefreshState,
  guard: ClaimGuard,
  failure: ClassifiedFailure,
  started: number,
  trigger: Trigger,
  verdict?: GrantDeadVerdict,
): Promise<AttemptResult> {
  const now = deps.clock.now();
  const message = failure.error.message;
  const detail: Record<string, unknown> = { trigger, failureClass: failure.failureClass, error: message, tiktokCode: failure.tiktokCode ?? null };
  try {
    if (verdict) {
      await markGrantDead(deps.lifecycle, {
        id: claimed.id, verdict, cause: 'refresh', guard, error: message, at: now, accessTokenExpiresAt: claimed.accessTokenExpiresAt,
      });
      detail.status = verdict.status;
      detail.reason = verdict.reason;
    } else {
      const permission = failure.failureClass === 'permission';
      const next = permission
        ? new Date(now.getTime() + permissionRetrySeconds * 1000)
        : nextAttemptAt(now, claimed.refreshFailureCount + 1, deps.backoff, deps.random);
      const recorded = await deps.store.recordFailure(guard, now, {
        error: message, nextAttemptAt: next, countsAsFailure: !permission, outcomeUnknown: failure.outcomeUnknown,
      });
      detail.nextAttemptAt = next.toISOString();
      if (recorded && startsFailureStreak(failure, claimed)) {
        await deps.lifecycle.announce(claimed.id, 'connection.refresh_failed', {
          failureClass: failure.failureClass as 'transient' | 'error', error: message, tiktokCode: failure.tiktokCode ?? null,
          nextAttemptAt: next.toISOString(), accessTokenExpiresAt: claimed.accessTokenExpiresAt.toISOString(), occurredAt: now.toISOString(),
        });
      }
      if (permission && deps.problems) {
        await deps.problems.recordScopeMissing({
          connectionId: claimed.id, apiPath: refreshPath, scopeKeys: [], tiktokCode: failure.tiktokCode ?? null, tiktokMessage: message,
        });
      }
    }
  } catch (error) {
    // The lease runs out on its own; the next holder sees the attempt as abandoned.
    deps.logger.error({ err: error, connectionId: claimed.id }, 'could not record a failed refresh');
  }
  deps.metrics.duration.observe((performance.now() - started) / 1000);
  const outcome: RefreshOutcome = verdict ? 'grant_dead' : failure.failureClass === 'permission' ? 'permission' : failure.failureClass === 'error' ? 'error' : 'transient_failure';
  count(deps, outcome);
  const level = verdict || failure.failureClass === 'error' ? 'error' : 'warn';
  deps.logger[level]({ connectionId: claimed.id, ...detail }, 'token refresh failed');
  record(deps, claimed.id, 'failure', detail);
  return { ok: false, stale: false, failure, ...(verdict ? { verdict } : {}) };
}

/** Renews the lease every third of it until stopped; a renewal that fails is logged (the compare-and-set still guards the write). */
function keepLease(deps: AttemptDeps, guard: ClaimGuard): { stop(): void } {
  const leaseMs = deps.claimSeconds * 1000;
  const timer = setInterval(() => {
    deps.store.renewClaim(guard, new Date(deps.clock.now().getTime() + leaseMs)).then(
      (held) => {
        if (!held) deps.logger.warn({ connectionId: guard.id }, 'the refresh lease was lost while TikTok was answering');
      },
      (error: unknown) => deps.logger.warn({ err: error, connectionId: guard.id }, 'could not renew the refresh lease'),
    );
  }, Math.max(leaseMs / 3, 50));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

async function withRetries<T>(deps: AttemptDeps, work: () => Promise<T>): Promise<T> {
  for (const pause of [50, 250]) {
    try {
      return await work();
    } catch {
      await deps.sleep(pause);
    }
  }
  return work();
}

function count(deps: AttemptDeps, outcome: RefreshOutcome): void {
  deps.metrics.outcomes.inc({ outcome });
}

function record(deps: AttemptDeps, connectionId: string, outcome: 'success' | 'failure', detail: Record<string, unknown>): void {
  deps.audit.record({ actorType: 'system', actorId: deps.owner, action: 'token.refresh', outcome, connectionId, detail });
}

function tiktokOf(error: unknown) {
  return (error as { tiktok?: { code: number; message: string } }).tiktok;
}
