import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from './support/database.js';
import { freePort } from './support/service.js';

/**
 * Issue #11 item 1, "done means": `npm start` in development (no configuration) shows an "Install from
 * the App Store" path on the simulator that ends on the merchant page. Runs the service as its own process.
 */
describe.runIf(testBackend === 'pglite')('npm start in development: Install from the App Store', () => {
  // Started in beforeAll, not here: vitest runs a skipped suite's body too (to list its tests), and a
  // service spawned there on the Postgres run would never be stopped.
  let dataDir = '';
  let base = '';
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tsc-app-store-'));
    const port = await freePort();
    base = `http://localhost:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', TEST_BACKEND: '', PORT: String(port), DATA_DIR: dataDir },
      stdio: 'ignore',
    });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('goes from the home page to the App Store page, installs without state, and lands on the merchant page', async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await fetch(`${base}/readyz`).catch(() => undefined);
      if (ready?.status === 200) break;
      if (Date.now() > deadline) throw new Error('the service did not start');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const home = await (await fetch(`${base}/`)).text();
    expect(home).toContain('<a href="/simulator/app-store">Install from the App Store</a>');

    const store = await (await fetch(`${base}/simulator/app-store`)).text();
    expect(store).toContain('Install from the App Store</button>');
    const openId = /name="open_id" value="([^"]+)" checked/.exec(store)![1]!;
    const installed = await fetch(`${base}/simulator/open/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ service_id: 'sim_service', decision: 'approve', open_id: openId }).toString(),
      redirect: 'manual',
    });
    const callback = new URL(installed.headers.get('location')!);
    expect(callback.pathname).toBe('/oauth/tiktok/callback');
    expect(callback.searchParams.has('state')).toBe(false);

    const done = await fetch(callback, { redirect: 'manual' });
    expect(done.status).toBe(303);
    const statusPage = done.headers.get('location')!;
    expect(statusPage).toMatch(/^\/merchant\/connections\/[0-9a-f-]{36}\?outcome=created$/);
    const cookie = done.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
    const page = await fetch(`${base}${statusPage}`, { headers: { cookie, accept: 'text/html' } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('Your TikTok Shop is connected');
    expect(text).toContain('Demo Local Seller');
  }, 60_000);
});
