import type { Clock } from '../shared/clock.js';
import { minimumValidityMs } from './due.js';

/** What one refresh attempt told about TikTok's token endpoint. */
export type CircuitSignal =
  /** TikTok answered (tokens, or a refusal): the endpoint works. */
  | 'answered'
  /** No answer in time, network error, or 5xx: the endpoint is unwell. */
  | 'unavailable'
  /** Nothing was learnt about TikTok (our own error, a 429, no call made). */
  | 'none';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface RefreshCircuit {
  /**
   * Whether a refresh of a token expiring at `accessTokenExpiresAt` may start for `app` now. Closed:
   * always. Open: only for a token that would not survive until the circuit half-opens (it expires
   * within the open period plus the minimum validity). Half-open: the first caller is the probe; the
   * others as when open. A caller told yes must report what it learnt with {@link settle}.
   */
  mayStart(app: string, accessTokenExpiresAt: Date): boolean;
  /** Reports the outcome of an attempt {@link mayStart} allowed. */
  settle(app: string, signal: CircuitSignal): void;
  state(app: string): CircuitState;
  /** Whether every app's circuit is closed (the common case: nothing to look up). */
  allClosed(): boolean;
}

/**
 * The refresh storm brake (#15 item 2), one per process and per app. Consecutive timeouts and 5xx
 * from the token endpoint open it; it then stops *starting* refreshes of tokens that still have time,
 * until one probe after `openSeconds` succeeds. It only delays refreshes (a token keeps being served
 * and is refreshed before it expires), so per-process state is safe: with R replicas, at most R × `failures`
 * calls reach an unwell TikTok before every circuit is open, and R probes per open period after.
 *
 * @example
 * const circuit = createRefreshCircuit({ clock, failures: 5, openSeconds: 60 });
 * if (circuit.mayStart('default', row.accessTokenExpiresAt)) { … circuit.settle('default', 'answered'); }
 */
export function createRefreshCircuit(deps: { clock: Clock; failures: number; openSeconds: number }): RefreshCircuit {
  const openMs = deps.openSeconds * 1000;
  const apps = new Map<string, { failures: number; openedAt: number | undefined; probing: boolean }>();
  const entry = (app: string) => {
    let found = apps.get(app);
    if (!found) apps.set(app, (found = { failures: 0, openedAt: undefined, probing: false }));
    return found;
  };
  const stateOf = (app: string, now: number): CircuitState => {
    const circuit = apps.get(app);
    if (circuit?.openedAt === undefined) return 'closed';
    return now - circuit.openedAt < openMs ? 'open' : 'half_open';
  };

  return {
    mayStart(app, accessTokenExpiresAt) {
      const now = deps.clock.now().getTime();
      const state = stateOf(app, now);
      if (state === 'closed') return true;
      const circuit = entry(app);
      if (state === 'half_open' && !circuit.probing) {
        circuit.probing = true;
        return true;
      }
      return accessTokenExpiresAt.getTime() - now <= openMs + minimumValidityMs;
    },
    settle(app, signal) {
      const circuit = entry(app);
      const now = deps.clock.now().getTime();
      if (signal === 'answered') {
        apps.delete(app);
        return;
      }
      if (signal === 'none') {
        // A probe that learnt nothing gives its turn back.
        if (stateOf(app, now) === 'half_open') circuit.probing = false;
        return;
      }
      circuit.failures += 1;
      if (stateOf(app, now) === 'half_open' || circuit.failures >= deps.failures) {
        circuit.openedAt = now;
        circuit.probing = false;
      }
    },
    state: (app) => stateOf(app, deps.clock.now().getTime()),
    allClosed: () => apps.size === 0 || [...apps.keys()].every((app) => stateOf(app, deps.clock.now().getTime()) === 'closed'),
  };
}
