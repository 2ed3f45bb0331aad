import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Clock } from '../shared/clock.js';
import { sendError, tiktokErrors } from './envelope.js';
import type { SimulatorState } from './state.js';

/** Where a fault applies: a literal request path (e.g. `/api/v2/token/refresh`), or every path. */
export interface FaultTarget {
  path?: string;
}

export interface FailureBurst extends FaultTarget {
  /** `invalid-auth-code`: 200 + 36004004, as token endpoints answer for a code (or, reportedly, a grant) TikTok rejects. */
  kind: 'rate-limit' | 'server-error' | 'invalid-auth-code';
  remaining: number;
}

export interface Latency extends FaultTarget {
  ms: number;
  /** Calls left; undefined = until cleared. */
  remaining?: number;
}

/**
 * The token call succeeds at "TikTok" (code consumed, token rotated), but the caller does not learn it:
 * `delay` answers after `ms`, `drop` destroys the socket, `server-error` answers 503/36009003.
 */
export interface AnswerButFail {
  endpoint: 'token-get' | 'refresh';
  how: 'delay' | 'drop' | 'server-error';
  ms?: number;
  remaining: number;
}

export interface FaultState {
  forcedScopeDenied: Set<string>;
  bursts: FailureBurst[];
  latencies: Latency[];
  answerButFail: AnswerButFail[];
}

export function emptyFaults(): FaultState {
  return { forcedScopeDenied: new Set(), bursts: [], latencies: [], answerButFail: [] };
}

function applies(target: FaultTarget, path: string): boolean {
  return target.path === undefined || target.path === path;
}

/** Takes one use of the first matching entry, dropping it when used up. */
function take<T extends { remaining?: number }>(list: T[], match: (item: T) => boolean): T | undefined {
  const index = list.findIndex(match);
  const item = list[index];
  if (item === undefined) return undefined;
  if (item.remaining !== undefined) {
    item.remaining -= 1;
    if (item.remaining <= 0) list.splice(index, 1);
  }
  return item;
}

export function takeAnswerButFail(faults: FaultState, endpoint: AnswerButFail['endpoint']): AnswerButFail | undefined {
  return take(faults.answerButFail, (item) => item.endpoint === endpoint);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Latency, then 429 / 503 bursts, for every simulated TikTok route (token host and open API). */
export function injectFaults(faults: FaultState, state: SimulatorState, clock: Clock): RequestHandler {
  return async function injectFaultsMiddleware(req: Request, res: Response, next: NextFunction) {
    const latency = take(faults.latencies, (item) => applies(item, req.path));
    if (latency !== undefined) await sleep(latency.ms);
    const burst = take(faults.bursts, (item) => applies(item, req.path));
    if (burst?.kind === 'rate-limit') {
      state.counters.rateLimited += 1;
      sendError(res, clock, tiktokErrors.tooManyRequests);
      return;
    }
    if (burst?.kind === 'server-error') {
      state.counters.serverErrors += 1;
      sendError(res, clock, tiktokErrors.internalError);
      return;
    }
    if (burst?.kind === 'invalid-auth-code') {
      if (req.path === '/api/v2/token/refresh') state.counters.refreshes.total += 1;
      sendError(res, clock, tiktokErrors.invalidAuthCode);
      return;
    }
    next();
  };
}
