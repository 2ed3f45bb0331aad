import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { DatabaseInUse } from '../shared/errors.js';

/** The lock beside a PGlite data directory: `$DATA_DIR/pglite.lock`, holding the owner's pid. */
export function lockPathOf(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '')}.lock`;
}

/**
 * Takes the PGlite data directory for this process, or refuses at once: PGlite allows one process,
 * and a second one (the CLI while `npm start` runs) would otherwise fail later or lose its writes.
 * A lock whose process is gone (a crash, kill -9) is stale and taken over. Answers the release.
 *
 * @throws {DatabaseInUse} naming the process that holds it.
 */
export function lockPgliteDirectory(dataDir: string, pid = process.pid): () => void {
  const path = lockPathOf(dataDir);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      writeFileSync(path, `${pid}\n`, { flag: 'wx' });
      return () => release(path, pid);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(readIfThere(path) ?? '', 10);
    if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) throw new DatabaseInUse(dataDir, holder);
    // Stale (or unreadable): the holder is gone. Another process may take it over at the same time;
    // only one `wx` create can win, the other sees a live holder on its next turn.
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new DatabaseInUse(dataDir, Number.parseInt(readIfThere(path) ?? '0', 10));
}

function release(path: string, pid: number): void {
  if (readIfThere(path)?.trim() === String(pid)) unlinkSync(path);
}

function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Signal 0 checks that a process exists; EPERM means it exists under another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
