import { readdirSync, readFileSync } from 'node:fs';

/**
 * A process's CPU time so far (user + system), in ms, from Linux /proc; 0 once it has gone. `children`:
 * with that of its children that have exited (Postgres's backends end when a pool closes a connection;
 * their time then counts in the postmaster's).
 */
export function cpuMsOf(pid: number, options: { children?: boolean } = {}): number {
  try {
    // Fields after the command's closing parenthesis: state is the 1st; utime, stime, cutime and cstime the 12th to 15th (clock ticks, 100 a second).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').map(Number);
    return (fields[11]! + fields[12]! + (options.children ? fields[13]! + fields[14]! : 0)) * 10;
  } catch {
    return 0;
  }
}

/** The CPU time of every process named `postgres` on this machine (the server and its backends, those gone included), in ms. */
export function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += cpuMsOf(Number(entry), { children: true });
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** CPU spent by the process `pid`, by Postgres and by this process (the load generator) while `work` runs, in ms. */
export async function cpuDuring<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; serverMs: number; postgresMs: number; loadMs: number }> {
  const before = { server: cpuMsOf(pid), postgres: postgresCpuMs(), load: process.cpuUsage() };
  const result = await work();
  const load = process.cpuUsage(before.load);
  return { result, serverMs: cpuMsOf(pid) - before.server, postgresMs: postgresCpuMs() - before.postgres, loadMs: (load.user + load.system) / 1000 };
}
