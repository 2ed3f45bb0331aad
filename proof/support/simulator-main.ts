/**
 * The TikTok Shop simulator as its own process (for the chaos proof): `tsx proof/support/simulator-main.ts`.
 * Settings from the environment: SIM_PORT (0: any), SIM_REDIRECT_URL (the service's OAuth callback),
 * SIM_ACCESS_TOKEN_SECONDS, SIM_ROTATION (strict by default). Prints `listening <url>` once up.
 * Besides the simulator's own `/_sim` control routes, `GET /_proof/tokens` lists every token it issued
 * (for the secret scan).
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { simulatorApp } from '../../src/config.js';
import { systemClock } from '../../src/shared/clock.js';
import { createSimulator, type RotationMode } from '../../src/simulator/index.js';

const simulator = createSimulator({
  ...simulatorApp,
  redirectUrl: process.env.SIM_REDIRECT_URL ?? 'http://127.0.0.1:3000/oauth/tiktok/callback',
  clock: systemClock,
  rotation: (process.env.SIM_ROTATION as RotationMode | undefined) ?? 'strict',
  accessTokenLifetimeSeconds: Number(process.env.SIM_ACCESS_TOKEN_SECONDS ?? 7 * 86_400),
  label: 'proof simulator',
});
const app = express();
app.disable('x-powered-by');
app.get('/_proof/tokens', (_req, res) => {
  res.json({ accessTokens: [...simulator.state.accessTokens.keys()], refreshTokens: [...simulator.state.refreshTokens.keys()] });
});
app.use(simulator.router);
const server = app.listen(Number(process.env.SIM_PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
