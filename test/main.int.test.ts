import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase, testBackend } from './support/database.js';
import { buildBundle, npmStart } from './support/npm-start.js';

/** Its own build beside `dist`: the PGlite and Postgres runs may build at the same time. */
const bundle = `dist-test-${process.pid}`;
beforeAll(() => buildBundle(bundle), 60_000);
afterAll(() => rmSync(bundle, { recursive: true, force: true }));

/** Runs the service the way `npm start` does, as its own process. */
function startProcess(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const start = npmStart(bundle);
  const child = spawn(process.execPath, start.args, {
    env: { ...process.env, ...start.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', TEST_BACKEND: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForReady(port: number, ms = 20_000): Promise<Response> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.status === 200) return response;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`not ready on port ${port} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const port = () => 20_000 + Math.floor(Math.random() * 20_000);

describe('the service process', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it.runIf(testBackend === 'pglite')('starts with no configuration on PGlite, prints its URL, and exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tsc-start-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const p = port();
    const service = startProcess({ PORT: String(p), DATA_DIR: dataDir });
    cleanups.push(() => void service.child.kill('SIGKILL'));
    const ready = await waitForReady(p);
    expect(await ready.json()).toStrictEqual({ status: 'ready', database: 'pglite' });
    expect(service.output()).toContain(`open http://localhost:${p}`);
    const started = Date.now();
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it.runIf(testBackend === 'postgres')('two processes starting at once on one empty Postgres migrate once and both serve', async () => {
    const empty = await createEmptyPostgresDatabase();
    cleanups.push(() => empty.drop());
    const ports = [port(), port() + 1];
    const services = ports.map((p) => startProcess({ PORT: String(p), DATABASE_URL: empty.url, DATA_DIR: mkdtempSync(join(tmpdir(), 'tsc-pg-')) }));
    for (const service of services) cleanups.push(() => void service.child.kill('SIGKILL'));
    const answers = await Promise.all(ports.map((p) => waitForReady(p)));
    expect(await Promise.all(answers.map((a) => a.json()))).toStrictEqual([
      { status: 'ready', database: 'postgres' },
      { status: 'ready', database: 'postgres' },
    ]);
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: empty.url });
    await client.connect();
    const { rows } = await client.query('SELECT migration_name, count(*)::int AS n FROM _prisma_migrations GROUP BY migration_name');
    await client.end();
    expect(rows.every((row: { n: number }) => row.n === 1)).toBe(true);
    for (const service of services) service.child.kill('SIGTERM');
    expect(await Promise.all(services.map((s) => s.exited))).toStrictEqual([0, 0]);
  });
});
