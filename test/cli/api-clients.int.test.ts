import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openDatabase, type DatabaseTarget } from '../../src/db/database.js';
import { systemClock } from '../../src/shared/clock.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { createAuthClient } from '../../src/tiktok/index.js';
import { parseKeyRing } from '../../src/vault/key-ring.js';
import { sealTokens } from '../../src/vault/tokens.js';
import { createVault } from '../../src/vault/vault.js';
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

describe('npm run cli -- connections refresh', () => {
  const keys = 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
  const app = { appKey: 'cli_app_key', appSecret: 'cli_app_secret', serviceId: 'cli_service' };
  let sim: RunningSimulator;
  let env: Record<string, string>;
  let target: DatabaseTarget;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    sim = await startSimulator({ ...app, redirectUrl: 'http://127.0.0.1:9/unused', clock: systemClock });
    const base = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', TOKEN_ENCRYPTION_KEYS: keys, TIKTOK_APP_KEY: app.appKey,
      TIKTOK_APP_SECRET: app.appSecret, TIKTOK_SERVICE_ID: app.serviceId, TIKTOK_AUTH_BASE_URL: sim.url, TIKTOK_API_BASE_URL: sim.url } as Record<string, string>;
    delete base.DATABASE_URL;
    if (testBackend === 'postgres') {
      const db = await createEmptyPostgresDatabase();
      env = { ...base, DATABASE_URL: db.url };
      target = { kind: 'postgres', url: db.url };
      cleanup = db.drop;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'tsc-cli-refresh-'));
      env = { ...base, DATA_DIR: dir };
      target = { kind: 'pglite', dataDir: join(dir, 'pglite') };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(async () => {
    await sim?.close();
    await cleanup?.();
  });

  const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { env, timeout: 60_000 });

  it('refreshes one connection at TikTok now and prints the new expiry', async () => {
    await cli('db', 'migrate');
    const seller = sim.control.builtInSellers.local;
    const tokens = await createAuthClient({ fetch, authBaseUrl: sim.url, ...app }).getToken(sim.control.issueAuthCode({ openId: seller.openId }));
    const db = await openDatabase(target);
    const id = randomUUID();
    const sealed = sealTokens(createVault(parseKeyRing(keys)), id, tokens);
    await db.sql.query(
      `INSERT INTO connections (id, open_id, user_type, seller_name, granted_scopes, access_token_sealed, refresh_token_sealed,
         encryption_key_id, access_token_expires_at, refresh_token_expires_at, refresh_due_at, authorized_at)
       VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, $8, now())`,
      [id, seller.openId, seller.name, tokens.grantedScopes, sealed.accessTokenSealed, sealed.refreshTokenSealed, sealed.encryptionKeyId,
        tokens.accessTokenExpiresAt, tokens.refreshTokenExpiresAt],
    );
    await db.close();

    const { stdout } = await cli('connections', 'refresh', '--id', id, '--json');
    const result = JSON.parse(stdout) as { connectionId: string; accessTokenExpiresAt: string; grantedScopes: string[] };
    expect(result.connectionId).toBe(id);
    expect(new Date(result.accessTokenExpiresAt).getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    expect(sim.control.counters().refreshes.byOpenId[seller.openId]).toBe(1);

    const listed = JSON.parse((await cli('connections', 'list', '--json')).stdout) as { id: string; status: string }[];
    expect(listed).toStrictEqual([expect.objectContaining({ id, status: 'active' })]);
  });

  it('says which connection is unknown', async () => {
    await expect(cli('connections', 'refresh', '--id', '00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('00000000-0000-0000-0000-000000000000'),
    });
  });
});
