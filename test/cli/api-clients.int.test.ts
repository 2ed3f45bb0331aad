import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase, testBackend } from '../support/database.js';

const run = promisify(execFile);

/** The operator CLI as a process, on a temporary PGlite directory or a fresh Postgres database. */
describe('npm run cli -- api-clients', () => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const base = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' } as Record<string, string>;
    delete base.DATABASE_URL;
    if (testBackend === 'postgres') {
      const db = await createEmptyPostgresDatabase();
      env = { ...base, DATABASE_URL: db.url };
      cleanup = db.drop;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'tsc-cli-'));
      env = { ...base, DATA_DIR: dir };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(async () => {
    await cleanup?.();
  });

  const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { env, timeout: 60_000 });

  it('creates a client and prints its key once, as one JSON object with --json', async () => {
    const { stdout } = await cli('api-clients', 'create', '--name', 'orders app', '--scopes', 'tokens:read,sign', '--shops', '7001,7002', '--rate-limit', '120', '--daily-quota', '5000', '--json');
    const created = JSON.parse(stdout) as Record<string, unknown>;
    expect(created).toStrictEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      key: expect.stringMatching(/^tsc_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/),
      name: 'orders app',
      maskedKey: expect.stringMatching(/^tsc_[0-9a-f]{12}_\*{8}$/),
      scopes: ['tokens:read', 'sign'],
      shopIds: ['7001', '7002'],
      rateLimitPerMinute: 120,
      dailyQuota: 5000,
      createdAt: expect.any(String),
      revokedAt: null,
    });
    expect((created.key as string).startsWith((created.maskedKey as string).slice(0, 17))).toBe(true);

    const listed = JSON.parse((await cli('api-clients', 'list', '--json')).stdout) as Record<string, unknown>[];
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.key as string);

    const revoked = JSON.parse((await cli('api-clients', 'revoke', '--id', created.id as string, '--json')).stdout) as Record<string, unknown>;
    expect(revoked.revokedAt).toEqual(expect.any(String));
  });

  it('prints the key in words without --json, and refuses an unknown scope', async () => {
    const { stdout } = await cli('api-clients', 'create', '--name', 'reporting');
    expect(stdout).toMatch(/^Created API client [0-9a-f-]{36} \(reporting\)\.\n\n {2}tsc_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\n\nThis key is shown once; store it now\./);
    await expect(cli('api-clients', 'create', '--name', 'x', '--scopes', 'admin')).rejects.toMatchObject({
      code: 1,
      stderr: 'Error: Unknown scope admin; scopes are connect, connections:read, tokens:read, sign, proxy.\n',
    });
  });

  it('lists connections (none yet)', async () => {
    expect(JSON.parse((await cli('connections', 'list', '--status', 'active', '--json')).stdout)).toStrictEqual([]);
  });
});
