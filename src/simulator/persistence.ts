import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RequestHandler } from 'express';
import type { AccessTokenRecord, GrantRecord, RefreshTokenRecord, SimulatorState } from './state.js';
import type { SimulatedSeller } from './types.js';

/**
 * What the simulator keeps across restarts in development (`$DATA_DIR/simulator-state.json`):
 * sellers with their shops, grants and tokens, so the demo connection keeps refreshing after
 * `npm start` again. Faults, counters and pending authorization codes are not kept.
 */
export interface SavedSimulator {
  version: 1;
  builtIn: { local: string; crossBorder: string };
  sellers: SimulatedSeller[];
  grants: GrantRecord[];
  accessTokens: AccessTokenRecord[];
  refreshTokens: RefreshTokenRecord[];
}

/** The saved state, or undefined when there is none yet (or it is not one this version reads). */
export function loadSimulatorState(file: string): SavedSimulator | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const saved = JSON.parse(text) as Partial<SavedSimulator>;
  return saved.version === 1 && saved.builtIn && Array.isArray(saved.sellers) ? (saved as SavedSimulator) : undefined;
}

/** Fills `state` from a saved simulator; answers the built-in sellers it names. */
export function restoreSimulatorState(state: SimulatorState, saved: SavedSimulator): { local: SimulatedSeller; crossBorder: SimulatedSeller } | undefined {
  const sellers = new Map(saved.sellers.map((seller) => [seller.openId, seller]));
  const local = sellers.get(saved.builtIn.local);
  const crossBorder = sellers.get(saved.builtIn.crossBorder);
  if (!local || !crossBorder) return undefined;
  state.sellers.clear();
  for (const seller of saved.sellers) state.sellers.set(seller.openId, seller);
  for (const grant of saved.grants) state.grants.set(grant.id, grant);
  for (const token of saved.accessTokens) state.accessTokens.set(token.token, token);
  for (const token of saved.refreshTokens) state.refreshTokens.set(token.token, token);
  return { local, crossBorder };
}

/**
 * Writes the state after every simulator request that changed it (atomically: a temporary file,
 * then a rename), so a restart finds what the last request left.
 */
export function persistSimulatorState(file: string, state: SimulatorState, builtIn: SavedSimulator['builtIn']): RequestHandler {
  let written = '';
  const save = () => {
    const snapshot: SavedSimulator = {
      version: 1,
      builtIn,
      sellers: [...state.sellers.values()],
      grants: [...state.grants.values()],
      accessTokens: [...state.accessTokens.values()],
      refreshTokens: [...state.refreshTokens.values()],
    };
    const text = JSON.stringify(snapshot);
    if (text === written) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    written = text;
  };
  save();
  return function persistAfterResponse(_req, res, next) {
    res.once('finish', save);
    next();
  };
}
