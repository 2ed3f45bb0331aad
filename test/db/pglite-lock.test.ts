import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockPathOf, lockPgliteDirectory } from '../../src/db/pglite-lock.js';

describe('lockPgliteDirectory', () => {
  const base = mkdtempSync(join(tmpdir(), 'tsc-lock-'));
  const dataDir = join(base, 'pglite');
  afterEach(() => rmSync(lockPathOf(dataDir), { force: true }));

  it('writes the pid beside the data directory and removes it on release', () => {
    const release = lockPgliteDirectory(dataDir, process.pid);
    expect(readFileSync(join(base, 'pglite.lock'), 'utf8')).toBe(`${process.pid}\n`);
    release();
    expect(existsSync(join(base, 'pglite.lock'))).toBe(false);
  });

  it('refuses a second holder while the first one runs, naming its pid', () => {
    const release = lockPgliteDirectory(dataDir, process.pid);
    expect(() => lockPgliteDirectory(dataDir, process.pid + 1)).toThrowError(
      expect.objectContaining({
        code: 'database_in_use',
        pid: process.pid,
        message: `The PGlite database in ${dataDir} is in use by process ${process.pid} (npm start, or another CLI command); PGlite allows one process at a time.`,
      }),
    );
    release();
  });

  it('takes over a stale lock whose process is gone', () => {
    const gone = 2 ** 22 + 12345; // above Linux's default pid_max of 4,194,304: never a live process
    writeFileSync(lockPathOf(dataDir), `${gone}\n`);
    const release = lockPgliteDirectory(dataDir, process.pid);
    expect(readFileSync(lockPathOf(dataDir), 'utf8')).toBe(`${process.pid}\n`);
    release();
  });

  it('does not remove a lock that another process took over', () => {
    const release = lockPgliteDirectory(dataDir, process.pid);
    writeFileSync(lockPathOf(dataDir), '1\n');
    release();
    expect(readFileSync(lockPathOf(dataDir), 'utf8')).toBe('1\n');
  });
});
