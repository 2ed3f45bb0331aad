import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { npmStart } from '../../test/support/npm-start.js';
import { logDir } from './figures.js';

const run = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');

/** A child process in its own process group (tsx starts node as a child: a kill must reach both). */
export interface Child {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code or signal. */
  exited: Promise<string>;
  /** SIGKILL to the whole group: no shutdown hook runs. */
  kill9(): void;
  /** SIGTERM to the group, then waits for the exit (SIGKILL after `graceMs`, default 10 s). */
  stop(graceMs?: number): Promise<void>;
  /** Whether `pid` belongs to this child's process group. */
  owns(pid: number): Promise<boolean>;
}

/** Starts `tsx <args>` with `env`, its output appended to proof/out/logs/<logName>.log. */
export function startTsx(name: string, args: string[], env: Record<string, string>, logName = name, onLine?: (line: string) => void): Child {
  return startChild(tsx, name, args, env, logName, onLine);
}

/** Starts the service as `npm start` runs it (node on the bundle the proof's global setup built). */
export function startService(name: string, env: Record<string, string>, logName = name, onLine?: (line: string) => void): Child {
  const start = npmStart();
  return startChild(process.execPath, name, start.args, { ...start.env, ...env }, logName, onLine);
}

function startChild(command: string, name: string, args: string[], env: Record<string, string>, logName: string, onLine?: (line: string) => void): Child {
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(join(logDir, `${logName}.log`), { flags: 'a' });
  let pending = '';
  const take = (chunk: Buffer) => {
    log.write(chunk);
    if (!onLine) return;
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => {
    log.end();
    resolve(signal ?? String(code));
  }));
  const signal = (which: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, which);
    } catch {
      // already gone
    }
  };
  return {
    name,
    process: child,
    exited,
    kill9: () => signal('SIGKILL'),
    stop: async (graceMs = 10_000) => {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    owns: async (pid) => {
      try {
        const { stdout } = await run('ps', ['-o', 'pgid=', '-p', String(pid)]);
        return Number(stdout.trim()) === child.pid;
      } catch {
        return false;
      }
    },
  };
}

/** Polls `check` until it is true or `timeoutMs` passed; answers whether it became true. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return false;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the CLI (`tsx src/cli/index.ts …`) with `env` and answers its stdout. */
export async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(tsx, ['src/cli/index.ts', ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, maxBuffer: 10_000_000 });
  return stdout;
}
