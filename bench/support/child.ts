import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';

/** A process's resident set, in MB (Linux /proc). */
export function rssMbOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;
}

/** A bench server in its own process (so the load generator does not share its event loop). */
export interface ChildServer<Ready> {
  ready: Ready;
  /** The process's resident set, in MB (Linux /proc). */
  rssMb(): number;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx <script>` and resolves with the first JSON line it prints. `plain`:
 * bundles the script with esbuild first and runs it with plain `node`, as `npm start` runs the
 * service, so that its memory is comparable (tsx's loader thread holds tens of MB).
 */
export async function startChild<Ready>(script: string, env: Record<string, string>, options: { plain?: boolean } = {}): Promise<ChildServer<Ready>> {
  let entry = ['--import', 'tsx', script];
  // Inside the project, so that its packages resolve from node_modules; removed when the process stops.
  const bundle = options.plain ? join('node_modules', '.cache', 'tsc-bench', `${process.pid}-${script.replace(/\W+/g, '-')}.mjs`) : undefined;
  if (bundle) {
    await build({ entryPoints: [script], outfile: bundle, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
    entry = [bundle];
  }
  const child: ChildProcess = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []), ...entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(JSON.parse(line) as Ready));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
  return {
    ready,
    rssMb: () => rssMbOf(child.pid!),
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }).finally(() => {
        if (bundle) rmSync(bundle, { force: true });
      }),
  };
}
