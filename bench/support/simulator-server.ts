import { writeFileSync } from 'node:fs';
import { systemClock } from '../../src/shared/clock.js';
import { startSimulator } from '../../src/simulator/index.js';
import { exchangeAuthCode } from '../../src/simulator/grants.js';
import { benchApp } from './bench-app.js';

/**
 * The TikTok Shop simulator in a process of its own, standing in for TikTok's remote hosts. With
 * BENCH_GRANTS=n and BENCH_GRANTS_FILE, it first authorizes n new sellers (one shop each) in process
 * and writes their tokens there as JSON (the refresh backlog bench).
 */
const simulator = await startSimulator({ ...benchApp, redirectUrl: 'http://127.0.0.1:9/unused', clock: systemClock, label: 'bench' });
const grants = Number(process.env.BENCH_GRANTS ?? 0);
if (grants > 0 && process.env.BENCH_GRANTS_FILE) {
  const sellers = [];
  for (let i = 0; i < grants; i++) {
    const seller = simulator.control.addSeller({ name: `Backlog Seller ${i}` });
    const result = exchangeAuthCode(simulator.state, systemClock, simulator.control.issueAuthCode({ openId: seller.openId }));
    if (!result.ok) throw new Error('simulator: could not authorize a bench seller');
    const shop = seller.shops[0]!;
    sellers.push({ openId: seller.openId, shopId: shop.id, cipher: shop.cipher, accessToken: result.data.access_token, refreshToken: result.data.refresh_token });
  }
  writeFileSync(process.env.BENCH_GRANTS_FILE, JSON.stringify(sellers));
}
process.stdout.write(`${JSON.stringify({ url: simulator.url })}\n`);
process.once('SIGTERM', () => void simulator.close().then(() => process.exit(0)));
