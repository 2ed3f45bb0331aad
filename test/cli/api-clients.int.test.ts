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
  /** Runs a command that must fail; answers its exit code and both streams. */
  const failure = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      await cli(...args);
    } catch (error) {
      const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
      return { code, stdout, stderr };
    }
    throw new Error(`npm run cli -- ${args.join(' ')} succeeded`);
  };
  const clientNames = async () => (JSON.parse((await cli('api-clients', 'list', '--json')).stdout) as { name: string }[]).map((client) => client.name);
  const createHint = '"api-clients create" takes --name, --scopes, --shops, --apps, --rate-limit, --daily-quota, --json, --help. See npm run cli -- api-clients create --help.';

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
      apps: [],
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
  }, 120_000); // four CLI processes, each compiling the service with tsx

  it('prints the key in words without --json, and refuses an unknown scope', async () => {
    const { stdout } = await cli('api-clients', 'create', '--name', 'reporting');
    expect(stdout).toMatch(/^Created API client [0-9a-f-]{36} \(reporting\)\.\n\n {2}tsc_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\n\nThis key is shown once; store it now\./);
    await expect(cli('api-clients', 'create', '--name', 'x', '--scopes', 'admin')).rejects.toMatchObject({
      code: 2,
      stderr: 'Error: Unknown scope admin; scopes are connect, connections:read, tokens:read, sign, proxy, webhooks:manage.\nHint: Separate several scopes with commas, e.g. --scopes tokens:read,sign.\n',
    });
  });

  it('says in words that a key created without --scopes or --shops has every scope and every shop', async () => {
    const { stdout } = await cli('api-clients', 'create', '--name', 'everything');
    expect(stdout).toContain('scopes connect,connections:read,tokens:read,sign,proxy,webhooks:manage  shops all');
    expect(stdout.endsWith('\nNo --scopes given: the key has every scope.\nNo --shops given: it may use every shop.\n')).toBe(true);
  });

  describe('issue: a mistyped --scope silently created a key with every scope', () => {
    it('refuses an unknown flag with exit 2, names it and suggests the closest one, and creates nothing', async () => {
      expect(await failure('api-clients', 'create', '--name', 'typo', '--scope', 'tokens:read')).toStrictEqual({
        code: 2,
        stdout: '',
        stderr: `Error: Unknown flag --scope for "api-clients create"; did you mean --scopes?\nHint: ${createHint}\n`,
      });
      expect(await clientNames()).not.toContain('typo');
    });

    it('with --json, answers the refusal as one JSON object on stderr', async () => {
      const { code, stdout, stderr } = await failure('api-clients', 'create', '--name', 'typo', '--scope', 'tokens:read', '--json');
      expect({ code, stdout }).toStrictEqual({ code: 2, stdout: '' });
      expect(JSON.parse(stderr)).toStrictEqual({
        error: { code: 'flag_unknown', message: 'Unknown flag --scope for "api-clients create"; did you mean --scopes?', hint: createHint },
      });
    });

    it('refuses a single-dash flag, suggesting its double-dash form', async () => {
      expect(await failure('api-clients', 'create', '--name', 'x', '-json')).toMatchObject({
        code: 2,
        stderr: `Error: Unknown flag -json for "api-clients create"; did you mean --json?\nHint: ${createHint}\n`,
      });
    });
  });

  describe('issue: --scopes "" created a key that can do nothing', () => {
    it('refuses an empty scope list with exit 2 and lists the scopes', async () => {
      expect(await failure('api-clients', 'create', '--name', 'nothing', '--scopes', '')).toStrictEqual({
        code: 2,
        stdout: '',
        stderr:
          'Error: --scopes is empty: a key with no scope could do nothing.\n' +
          'Hint: Give at least one of connect, connections:read, tokens:read, sign, proxy, webhooks:manage (comma-separated), or leave --scopes out for every scope.\n',
      });
      expect(await clientNames()).not.toContain('nothing');
    });

    it('refuses it before opening the database', async () => {
      const unreachable = { ...env, DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/nothing' };
      const refused = await run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'api-clients', 'create', '--name', 'x', '--scopes', ''], { env: unreachable, timeout: 60_000 }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/^Error: --scopes is empty/) });
    });

    it('refuses a list of only commas the same way, as JSON with --json', async () => {
      const { code, stderr } = await failure('api-clients', 'create', '--name', 'nothing', '--scopes', ',', '--json');
      expect(code).toBe(2);
      expect(JSON.parse(stderr)).toStrictEqual({
        error: {
          code: 'validation_failed',
          message: '--scopes is empty: a key with no scope could do nothing.',
          hint: 'Give at least one of connect, connections:read, tokens:read, sign, proxy, webhooks:manage (comma-separated), or leave --scopes out for every scope.',
        },
      });
    });

    it('refuses an empty --shops, which would otherwise allow every shop', async () => {
      expect(await failure('api-clients', 'create', '--name', 'noshop', '--scopes', 'sign', '--shops', '', '--json')).toStrictEqual({
        code: 2,
        stdout: '',
        stderr: `${JSON.stringify({ error: { code: 'validation_failed', message: '--shops is empty.', hint: 'Give the shop ids the key may use, separated by commas, or leave --shops out to allow every shop.' } })}\n`,
      });
    });
  });

  describe('with a wrong command line', () => {
    it('refuses an unknown scope as JSON with --json', async () => {
      const { code, stderr } = await failure('api-clients', 'create', '--name', 'x', '--scopes', 'tokens:read,admin', '--json');
      expect(code).toBe(2);
      expect(JSON.parse(stderr)).toStrictEqual({
        error: {
          code: 'validation_failed',
          message: 'Unknown scope admin; scopes are connect, connections:read, tokens:read, sign, proxy, webhooks:manage.',
          hint: 'Separate several scopes with commas, e.g. --scopes tokens:read,sign.',
        },
      });
    });

    it('refuses a flag given twice', async () => {
      const { code, stderr } = await failure('api-clients', 'create', '--name', 'x', '--scopes', 'sign', '--scopes', 'proxy', '--json');
      expect(code).toBe(2);
      expect(JSON.parse(stderr)).toStrictEqual({
        error: { code: 'flag_repeated', message: '--scopes is given more than once.', hint: 'Give --scopes once. To give several values, separate them with commas: --scopes <a,b>.' },
      });
    });

    it('refuses a flag without its value, at the end or followed by another flag', async () => {
      expect(await failure('api-clients', 'create', '--name', 'x', '--scopes')).toStrictEqual({
        code: 2,
        stdout: '',
        stderr: 'Error: --scopes needs a value.\nHint: Write --scopes <a,b> (or --scopes=<a,b>).\n',
      });
      const { code, stderr } = await failure('api-clients', 'create', '--name', '--json');
      expect(code).toBe(2);
      expect(JSON.parse(stderr)).toStrictEqual({
        error: { code: 'flag_value_missing', message: '--name needs a value.', hint: 'Write --name <name> (or --name=<name>).' },
      });
    });

    it('refuses a missing required flag and a value given to a switch', async () => {
      const usage = 'npm run cli -- api-clients create --name <name> [--scopes <a,b>] [--shops <id,id>] [--apps <id,id>] [--rate-limit <per minute>] [--daily-quota <per day>] [--json]';
      const missing = await failure('api-clients', 'create', '--scopes', 'sign', '--json');
      expect(missing.code).toBe(2);
      expect(JSON.parse(missing.stderr)).toStrictEqual({ error: { code: 'flag_missing', message: '"api-clients create" needs --name.', hint: `Usage: ${usage}` } });
      expect(await failure('api-clients', 'list', '--json=yes')).toStrictEqual({
        code: 2,
        stdout: '',
        stderr: 'Error: --json takes no value.\nHint: Write --json on its own.\n',
      });
    });

    it('refuses a rate limit that is not a positive whole number, empty included', async () => {
      for (const value of ['', '0', '1.5', 'ten']) {
        const { code, stderr } = await failure('api-clients', 'create', '--name', 'x', '--rate-limit', value, '--json');
        expect({ value, code, error: JSON.parse(stderr) as unknown }).toStrictEqual({
          value,
          code: 2,
          error: { error: { code: 'validation_failed', message: '--rate-limit must be a positive whole number.', hint: 'See npm run cli -- api-clients create --help.' } },
        });
      }
    });

    it('refuses an unknown command, suggesting the closest one', async () => {
      const { code, stderr } = await failure('api-client', 'create', '--name', 'x', '--json');
      expect(code).toBe(2);
      expect(JSON.parse(stderr)).toStrictEqual({
        error: {
          code: 'command_unknown',
          message: 'Unknown command "api-client create"; did you mean "api-clients create"?',
          hint: 'Commands: apps list, api-clients create, api-clients list, api-clients revoke, connections list, connections refresh, connections sync-shops, webhooks register-tiktok, webhooks subscribe, webhooks list, webhooks pause, webhooks resume, webhooks delete, webhooks rotate-secret, webhooks deliveries, webhooks replay, keys reencrypt, db migrate. See npm run cli -- --help.',
        },
      });
    });
  });

  describe('api-clients revoke', () => {
    it('refuses an unknown id with exit 1, in words', async () => {
      expect(await failure('api-clients', 'revoke', '--id', 'no-such-client')).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: 'Error: No API client has id no-such-client.\nHint: npm run cli -- api-clients list shows every client with its id.\n',
      });
    });

    it('refuses an unknown id with exit 1 as one JSON object with --json', async () => {
      const { code, stdout, stderr } = await failure('api-clients', 'revoke', '--id', 'no-such-client', '--json');
      expect({ code, stdout }).toStrictEqual({ code: 1, stdout: '' });
      expect(JSON.parse(stderr)).toStrictEqual({
        error: { code: 'api_client_not_found', message: 'No API client has id no-such-client.', hint: 'npm run cli -- api-clients list shows every client with its id.' },
      });
    });

    it('refuses an id given without --id', async () => {
      const { code, stderr } = await failure('api-clients', 'revoke', 'no-such-client', '--json');
      expect(code).toBe(2);
      expect(JSON.parse(stderr)).toStrictEqual({
        error: {
          code: 'argument_unexpected',
          message: 'Unexpected argument "no-such-client" after "api-clients revoke".',
          hint: 'Values go after their flag. Usage: npm run cli -- api-clients revoke --id <id> [--json]',
        },
      });
    });
  });

  describe('--help', () => {
    it('lists the flags of a command, saying what leaving --scopes and --shops out means, and exits 0', async () => {
      const { stdout } = await cli('api-clients', 'create', '--help');
      expect(stdout.split('\n').slice(0, 6)).toStrictEqual([
        'Usage: npm run cli -- api-clients create --name <name> [--scopes <a,b>] [--shops <id,id>] [--apps <id,id>] [--rate-limit <per minute>] [--daily-quota <per day>] [--json]',
        '',
        'Creates an API client and prints its key once (with --json: one JSON object with id and key).',
        '',
        'Flags:',
        '  --name <name>              Required. What the client is for; shown in lists.',
      ]);
      expect(stdout).toContain('  --scopes <a,b>             What the key may do, comma-separated: connect, connections:read, tokens:read, sign, proxy, webhooks:manage. Left out: every scope.\n');
      expect(stdout).toContain('  --shops <id,id>            The shop ids the key may use, comma-separated. Left out: every shop.\n');
    });

    it('lists every command and the exit codes', async () => {
      const { stdout } = await cli('--help');
      expect(stdout).toContain('  api-clients revoke        Revokes a client: every replica refuses its key within 5 seconds.\n');
      expect(stdout).toContain("  connections sync-shops    Fetches the connection's authorized shops from TikTok again and stores what changed.\n");
      expect(stdout).toContain('Exit codes: 0 done; 1 the command failed; 2 the command line is wrong (nothing was done).\n');
    });
  });

  it('lists connections (none yet)', async () => {
    expect(JSON.parse((await cli('connections', 'list', '--status', 'active', '--json')).stdout)).toStrictEqual([]);
  });

  it('refuses an unknown connection status with exit 2', async () => {
    const { code, stderr } = await failure('connections', 'list', '--status', 'broken', '--json');
    expect(code).toBe(2);
    expect(JSON.parse(stderr)).toStrictEqual({
      error: { code: 'validation_failed', message: '--status must be one of active, refresh_lost, needs_reauth, expired, suspended, revoked.', hint: 'See npm run cli -- connections list --help.' },
    });
  });

  describe('keys reencrypt', () => {
    it('refuses a mistyped flag and a bad batch size with exit 2, as JSON with --json', async () => {
      const mistyped = await failure('keys', 'reencrypt', '--batch', '10', '--json');
      expect(mistyped.code).toBe(2);
      expect(JSON.parse(mistyped.stderr)).toStrictEqual({
        error: {
          code: 'flag_unknown',
          message: 'Unknown flag --batch for "keys reencrypt"; did you mean --batch-size?',
          hint: '"keys reencrypt" takes --batch-size, --json, --help. See npm run cli -- keys reencrypt --help.',
        },
      });
      const zero = await failure('keys', 'reencrypt', '--batch-size', '0', '--json');
      expect(zero.code).toBe(2);
      expect(JSON.parse(zero.stderr)).toStrictEqual({
        error: { code: 'validation_failed', message: '--batch-size must be a positive whole number.', hint: 'See npm run cli -- keys reencrypt --help.' },
      });
    });
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
  }, 90_000); // three CLI processes, each compiling the service with tsx

  it('sync-shops fetches the authorized shops again and prints what changed (#11 item 8)', async () => {
    const seller = sim.control.builtInSellers.local;
    const [row] = JSON.parse((await cli('connections', 'list', '--json')).stdout) as { id: string; shops: { id: string }[]; grantedScopes: unknown }[];
    // The refresh above already fetched the shops once (after every refresh), so the seller's shop is there.
    expect(row!.shops.map((shop) => shop.id)).toStrictEqual(seller.shops.map((shop) => shop.id));
    expect(row!.grantedScopes).toStrictEqual(sim.control.settings().appScopes);
    const added = sim.control.addShop(seller.openId, { region: 'MX', name: 'CLI Added MX' });
    const { stdout } = await cli('connections', 'sync-shops', '--id', row!.id, '--json');
    expect(JSON.parse(stdout)).toStrictEqual({
      connectionId: row!.id, shopIds: [...seller.shops.map((shop) => shop.id)].sort(), addedShopIds: [added.id], removedShopIds: [],
    });
  }, 90_000);

  it('says so and exits 1 when TikTok refuses the refresh (issue #16)', async () => {
    const seller = sim.control.addSeller({ name: 'Gone Seller' });
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
    sim.control.revokeSeller(seller.openId);

    const failed = await cli('connections', 'refresh', '--id', id, '--json').then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(failed!.stderr)).toMatchObject({ error: { code: expect.stringMatching(/^(tiktok_grant_dead|connection_needs_reauth)$/) } });
    const words = await cli('connections', 'refresh', '--id', id).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(words).toMatchObject({ code: 1 });
    expect(words!.stderr).toMatch(/^Error: .+\nHint: .+\n$/);
  });

  it('says so and exits 1 when TikTok is unavailable, rather than printing the old token as refreshed (issue #16)', async () => {
    const seller = sim.control.addSeller({ name: 'Busy Seller' });
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
    sim.control.failNext({ kind: 'server-error', count: 10 });
    const failed = await cli('connections', 'refresh', '--id', id, '--json').then(
      (done) => ({ code: 0, ...done }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    sim.control.clearFaults();
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse((failed as { stderr: string }).stderr)).toStrictEqual({
      error: {
        code: 'refresh_failed',
        message: expect.stringMatching(new RegExp(`^The refresh of ${id} failed: .+\\.$`)),
        hint: `The connection keeps its current access token (valid until ${tokens.accessTokenExpiresAt.toISOString()}) and the service retries in the background; run the command again later.`,
      },
    });
  });

  it('says which connection is unknown', async () => {
    await expect(cli('connections', 'refresh', '--id', '00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('00000000-0000-0000-0000-000000000000'),
    });
  });

  it('says which connection is unknown as JSON with --json', async () => {
    const failed = await cli('connections', 'refresh', '--id', '00000000-0000-0000-0000-000000000000', '--json').then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(failed!.stderr)).toStrictEqual({
      error: {
        code: 'connection_not_found',
        message: 'No connection has id 00000000-0000-0000-0000-000000000000.',
        hint: 'npm run cli -- connections list shows every connection with its id.',
      },
    });
  });
});
