import { Router, type Response } from 'express';
import { constantTimeEqual } from '../shared/secrets.js';
import type { Clock } from '../shared/clock.js';
import { sendError, sendSuccess, tiktokErrors } from './envelope.js';
import { sleep, takeAnswerButFail, type AnswerButFail, type FaultState } from './faults.js';
import { exchangeAuthCode, refreshGrant, type GrantResult } from './grants.js';
import { firstValues } from './query.js';
import type { SimulatorState } from './state.js';

interface TokenRouteDeps {
  appKey: string;
  appSecret: string;
  clock: Clock;
  state: SimulatorState;
  faults: FaultState;
}

/** The auth host: `GET /api/v2/token/get` and `GET /api/v2/token/refresh`, unsigned, query only. */
export function tokenRoutes(deps: TokenRouteDeps): Router {
  const router = Router();
  const { clock, state } = deps;

  router.get('/api/v2/token/get', async (req, res) => {
    state.counters.tokenGets += 1;
    const query = firstValues(req);
    if (!appCredentialsValid(deps, query)) return sendError(res, clock, tiktokErrors.invalidAppCredentials);
    if (query.grant_type !== 'authorized_code') return sendError(res, clock, tiktokErrors.invalidGrantType);
    const result = exchangeAuthCode(state, clock, query.auth_code ?? '');
    await answer(res, deps, result, takeAnswerButFail(deps.faults, 'token-get'));
  });

  router.get('/api/v2/token/refresh', async (req, res) => {
    state.counters.refreshes.total += 1;
    const query = firstValues(req);
    if (!appCredentialsValid(deps, query)) return sendError(res, clock, tiktokErrors.invalidAppCredentials);
    if (query.grant_type !== 'refresh_token') return sendError(res, clock, tiktokErrors.invalidGrantType);
    const result = refreshGrant(state, clock, query.refresh_token ?? '');
    await answer(res, deps, result, takeAnswerButFail(deps.faults, 'refresh'));
  });

  return router;
}

async function answer(res: Response, deps: TokenRouteDeps, result: GrantResult, fault: AnswerButFail | undefined): Promise<void> {
  if (!result.ok) return sendError(res, deps.clock, result.error);
  if (fault?.how === 'drop') {
    res.socket?.destroy();
    return;
  }
  if (fault?.how === 'server-error') return sendError(res, deps.clock, tiktokErrors.internalError);
  if (fault?.how === 'delay') await sleep(fault.ms ?? 0);
  sendSuccess(res, deps.clock, result.data);
}

function appCredentialsValid(deps: TokenRouteDeps, query: Record<string, string>): boolean {
  return constantTimeEqual(query.app_key ?? '', deps.appKey) && constantTimeEqual(query.app_secret ?? '', deps.appSecret);
}
