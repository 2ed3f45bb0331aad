import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { npmStart } from '../../test/support/npm-start.js';
import { benchApp } from './bench-app.js';
import { rssMbOf } from './child.js';

export interface ServiceProcess {
  url: string;
  pid: number;
  /** From spawning the process to its first 200 from GET /readyz. */
  readyMs: number;
  /** Where its stdout/stderr (the request log) goes. */
  logFile: string;
  /** The process's resident set, in MB (Linux /proc). */
  rssMb(): number;
  stop(): Promise<void>;
}

/**
 * The service as `npm start` starts it (the arguments and environment of package.json's start script,
 * on the bundle `npm run bench` builds first, as `npm start` does):
 * NODE_ENV=production with real generated keys and secrets, the request log at the default level
 * (written to a file, as a log collector would take it), Postgres, TikTok = the bench's simulator.
 */
export async function startServiceProcess(input: { port: number; databaseUrl: string; keys: string; simulatorUrl: string; env?: Record<string, string>; nodeFlags?: string[]; bundle?: string }): Promise<ServiceProcess> {
  const logFile = join(tmpdir(), `tsc-bench-service-${input.port}.log`);
  const out = openSync(logFile, 'w');
  const start = npmStart(input.bundle);
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []),
      ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), // e.g. --trace-gc, to see the heap in the log
      ...(input.nodeFlags ?? []),
      ...start.args,
    ],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...start.env,
        NODE_ENV: 'production',
        PORT: String(input.port),
        PUBLIC_URL: 'https://connect.bench.invalid',
        DATABASE_URL: input.databaseUrl,
        TOKEN_ENCRYPTION_KEYS: input.keys,
        COOKIE_SECRET: randomBytes(32).toString('base64url'),
        TIKTOK_APP_KEY: benchApp.appKey,
        TIKTOK_APP_SECRET: benchApp.appSecret,
        TIKTOK_SERVICE_ID: benchApp.serviceId,
        TIKTOK_AUTH_BASE_URL: input.simulatorUrl,
        TIKTOK_API_BASE_URL: input.simulatorUrl,
        ADMIN_OIDC_ISSUER: 'https://idp.bench.invalid',
        ADMIN_OIDC_CLIENT_ID: 'bench',
        ADMIN_OIDC_CLIENT_SECRET: randomBytes(16).toString('hex'),
        ADMIN_EMAILS: 'bench@example.com',
        ...input.env,
      },
      stdio: ['ignore', out, out],
    },
  );
  closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${input.port}`;
  let readyMs: number;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode} before it was ready:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    const ok = await fetch(`${url}/readyz`).then((response) => response.ok, () => false);
    if (ok) {
      readyMs = performance.now() - started;
      break;
    }
    if (performance.now() - started > 180_000) throw new Error('the service was not ready within 180 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    url,
    pid: child.pid!,
    readyMs,
    logFile,
    rssMb: () => rssMbOf(child.pid!),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Size of the request log written so far (to show that logging was on). */
export function logBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
