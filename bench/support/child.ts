import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A bench server in its own process (so the load generator does not share its event loop). */
export interface ChildServer<Ready> {
  ready: Ready;
  stop(): Promise<void>;
}

/** Starts `node --import tsx <script>` and resolves with the first JSON line it prints. */
export async function startChild<Ready>(script: string, env: Record<string, string>): Promise<ChildServer<Ready>> {
  const child: ChildProcess = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []), '--import', 'tsx', script], {
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
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
