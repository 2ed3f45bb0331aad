import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../support/database.js';
import { CookieBrowser, location } from '../connections/browser.js';
import { freePort, testEnv, type TestService } from '../support/service.js';

const run = promisify(execFile);

/**
 * Issue #16: the development loop never loses work. With PGlite (one process at a time), the CLI
 * while `npm start` runs is refused at once with exit 2, and so is a second `npm start`; the
 * simulator keeps its state in DATA_DIR, so the demo connection survives a restart.
 */
describe.runIf(testBackend === 'pglite')('PGlite in DATA_DIR, shared by npm start and the CLI', () => {
  // Set up in beforeAll, not here: vitest runs a skipped suite's body too (to list its tests).
  let dataDir = '';
  let env: Record<string, string> = {};
  let service: ChildProcess | undefined;
  let serviceUrl = '';
  let key = '';

  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
      return { code, stdout, stderr };
    }
  };

  /** `npm start` as a process; resolves once it prints its URL (or exits first). */
  function start(port: number): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return new Promise((resolve) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('TikTok Shop Connect is running')) resolve({ child, output: () => output, exited });
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      void exited.then(() => resolve({ child, output: () => output, exited }));
    });
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tsc-dev-loop-'));
    env = { ...process.env, ...testEnv, NODE_ENV: 'development', LOG_LEVEL: 'silent', DATA_DIR: dataDir } as Record<string, string>;
    delete env.DATABASE_URL;
    const port = await freePort();
    const started = await start(port);
    expect(started.output()).toContain('TikTok Shop Connect is running');
    service = started.child;
    serviceUrl = `http://localhost:${port}`;
  }, 120_000);
  afterAll(async () => {
    if (service && service.exitCode === null) {
      const gone = new Promise((resolve) => service!.once('exit', resolve));
      service.kill('SIGTERM');
      await gone;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the running service\'s pid in DATA_DIR/pglite.lock', () => {
    expect(readFileSync(join(dataDir, 'pglite.lock'), 'utf8')).toBe(`${service!.pid}\n`);
  });

  it('refuses the CLI at once with exit 2 and a message naming the process', async () => {
    const refused = await cli('api-clients', 'create', '--name', 'lost key?');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `Error: The PGlite database in ${join(dataDir, 'pglite')} is in use by process ${service!.pid} (npm start, or another CLI command); PGlite allows one process at a time.\n` +
        'Hint: Stop that process first, or run the service and the CLI against Postgres (DATABASE_URL) to use both at once.\n',
    );
    const json = await cli('api-clients', 'list', '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'database_in_use' } });
  }, 60_000);

  it('refuses a second npm start with exit 2', async () => {
    const second = await start(await freePort());
    expect(await second.exited).toBe(2);
    expect(second.output()).toContain(`Startup refused: The PGlite database in ${join(dataDir, 'pglite')} is in use by process ${service!.pid}`);
  }, 60_000);

  it('connects the demo shop through the running service', async () => {
    const browser = new CookieBrowser({ url: serviceUrl } as TestService);
    const demo = await browser.postForm('/demo/connect');
    const connectPath = location(demo).pathname;
    // Development runs a global and a US simulated app (#13): the merchant says where they sell.
    const started = await browser.postForm(`${connectPath}/authorize`, [['market', 'global']]);
    const state = location(started).searchParams.get('state')!;
    const page = await (await browser.request(location(started).href)).text();
    const openId = /name="open_id" value="([^"]+)"/.exec(page)?.[1];
    expect(openId).toBeDefined();
    const fields: [string, string][] = [['service_id', 'sim_service'], ['decision', 'approve'], ['state', state], ['open_id', openId!]];
    for (const scope of ['seller.authorization.info', 'seller.shop.info', 'seller.order.info', 'seller.product.basic', 'seller.fulfillment.basic', 'seller.logistics']) fields.push(['scope', scope]);
    const approved = await browser.postForm('/simulator/open/authorize', fields);
    const done = await browser.request(location(approved).href);
    expect(done.status).toBe(303);
    expect(existsSync(join(dataDir, 'simulator-state.json'))).toBe(true);
  }, 60_000);

  it('lets the CLI in once the service stopped, and the client it creates is kept', async () => {
    const gone = new Promise((resolve) => service!.once('exit', resolve));
    service!.kill('SIGTERM');
    await gone;
    expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);
    const created = await cli('api-clients', 'create', '--name', 'kept key', '--json');
    expect(created.code).toBe(0);
    key = (JSON.parse(created.stdout) as { key: string }).key;
    const list = await cli('api-clients', 'list', '--json');
    expect((JSON.parse(list.stdout) as { name: string }[]).map((client) => client.name)).toStrictEqual(['kept key']);
  }, 60_000);

  it('keeps the demo connection working after npm start again: the simulator kept its sellers, grants and tokens', async () => {
    const port = await freePort();
    const restarted = await start(port);
    expect(restarted.output()).toContain('TikTok Shop Connect is running');
    service = restarted.child;
    const call = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers: { 'x-api-key': key, 'content-type': 'application/json' } });
    const { connections } = (await (await call('/v1/connections')).json()) as { connections: { shops: { id: string }[] }[] };
    expect(connections).toHaveLength(1);
    const proxied = await call(`/v1/shops/${connections[0]!.shops[0]!.id}/proxy/order/202309/orders/search?page_size=10`, { method: 'POST', body: '{}' });
    expect(proxied.status).toBe(200);
    expect(await proxied.json()).toMatchObject({ code: 0 });
  }, 120_000);
});
