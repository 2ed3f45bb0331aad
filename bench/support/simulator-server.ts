import { systemClock } from '../../src/shared/clock.js';
import { startSimulator } from '../../src/simulator/index.js';
import { benchApp } from './bench-app.js';

/** The TikTok Shop simulator in a process of its own, standing in for TikTok's remote hosts. */
const simulator = await startSimulator({ ...benchApp, redirectUrl: 'http://127.0.0.1:9/unused', clock: systemClock, label: 'bench' });
process.stdout.write(`${JSON.stringify({ url: simulator.url })}\n`);
process.once('SIGTERM', () => void simulator.close().then(() => process.exit(0)));
