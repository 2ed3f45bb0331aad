import express, { Router } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorizePage } from './authorize-page.js';
import { createControl, type SimulatorControl } from './control.js';
import { controlRoutes } from './control-routes.js';
import { emptyFaults, injectFaults } from './faults.js';
import { openApiRoutes } from './open-api-routes.js';
import { loadSimulatorState, persistSimulatorState, restoreSimulatorState } from './persistence.js';
import { defaultAppScopes } from './scope-catalog.js';
import { builtInSellers } from './sellers.js';
import { createState, type SimulatorState } from './state.js';
import { tokenRoutes } from './token-routes.js';
import { strictDefaults, type SimulatorOptions } from './types.js';

export type { SimulatorControl } from './control.js';
export type { NewSeller, NewShop } from './sellers.js';
export type { SimulatorCounters, SimulatorState } from './state.js';
export type { RotationMode, SimulatedSeller, SimulatedShop, SimulatorOptions, SimulatorSettings, StrictSettings } from './types.js';
export type { WebhookDelivery, WebhookInput, WebhookType } from './webhooks.js';
export { webhookSignature } from './webhooks.js';
export { defaultAppScopes } from './scope-catalog.js';

export interface Simulator {
  router: Router;
  state: SimulatorState;
  control: SimulatorControl;
}

export interface RunningSimulator {
  /** `http://127.0.0.1:<port>`: the authorize page, auth host and open API host all live here. */
  url: string;
  close(): Promise<void>;
  state: SimulatorState;
  control: SimulatorControl;
}

/**
 * A TikTok Shop fake as an Express router. Mount it anywhere: every link it renders is relative to
 * `req.baseUrl`, and signatures are checked against the path below the mount point.
 *
 * @example
 * const sim = createSimulator({ appKey, appSecret, serviceId, redirectUrl, clock: systemClock });
 * app.use('/simulator', sim.router);
 */
export function createSimulator(options: SimulatorOptions): Simulator {
  const { appKey, appSecret, clock } = options;
  const state = createState({
    rotation: options.rotation ?? 'strict',
    rotationGraceSeconds: options.rotationGraceSeconds ?? 60,
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 7 * 86_400,
    refreshTokenLifetimeSeconds: options.refreshTokenLifetimeSeconds ?? 365 * 86_400,
    appScopes: [...(options.appScopes ?? defaultAppScopes)],
    strict: { ...strictDefaults, ...options.strict },
    sendGrantedScopes: true,
  });
  const faults = emptyFaults();
  const saved = options.stateFile ? loadSimulatorState(options.stateFile) : undefined;
  const restored = saved ? restoreSimulatorState(state, saved) : undefined;
  const sellers = restored ?? builtInSellers();
  state.sellers.set(sellers.local.openId, sellers.local);
  state.sellers.set(sellers.crossBorder.openId, sellers.crossBorder);
  const control = createControl({
    appKey, appSecret, clock, state, faults, builtInSellers: sellers, fetch: options.fetch ?? globalThis.fetch,
    ...(options.webhookRetryDelaysMs ? { retryDelaysMs: options.webhookRetryDelaysMs } : {}),
  });

  const router = Router();
  if (options.stateFile) {
    router.use(persistSimulatorState(options.stateFile, state, { local: sellers.local.openId, crossBorder: sellers.crossBorder.openId }));
  }
  router.use('/_sim', controlRoutes(control, state));
  router.use(authorizePage({ appKey, serviceId: options.serviceId, redirectUrl: options.redirectUrl, label: options.label, clock, state }));
  router.use(injectFaults(faults, state, clock));
  router.use(tokenRoutes({ appKey, appSecret, clock, state, faults }));
  router.use(openApiRoutes({ appKey, appSecret, clock, state, faults }));
  return { router, state, control };
}

/** Starts the simulator on 127.0.0.1 with an ephemeral port, at the root path. */
export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const simulator = createSimulator(options);
  const app = express();
  app.disable('x-powered-by');
  app.use(simulator.router);
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state: simulator.state,
    control: simulator.control,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
