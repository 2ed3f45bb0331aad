import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase, testBackend } from '../support/database.js';

const run = promisify(execFile);

/** The operator CLI as a process: `webhooks subscribe|list|pause|resume|rotate-secret|deliveries|replay|delete`. */
describe('npm run cli -- webhooks', () => {
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
      const dir = mkdtempSync(join(tmpdir(), 'tsc-cli-webhooks-'));
      env = { ...base, DATA_DIR: dir };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(async () => {
    await cleanup?.();
  });

  const cli = async (...args: string[]) => JSON.parse((await run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args, '--json'], { env, timeout: 60_000 })).stdout) as Record<string, unknown>;
  const cliWith = async (extra: Record<string, string>, ...args: string[]) =>
    JSON.parse((await run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args, '--json'], { env: { ...env, ...extra }, timeout: 60_000 })).stdout) as Record<string, unknown>;
  const failure = async (...args: string[]) => {
    try {
      await run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args, '--json'], { env, timeout: 60_000 });
    } catch (error) {
      const { code, stderr } = error as { code: number; stderr: string };
      return { code, error: (JSON.parse(stderr) as { error: Record<string, unknown> }).error };
    }
    throw new Error(`webhooks ${args.join(' ')} succeeded`);
  };

  it('subscribes, lists with health, pauses, resumes, rotates the secret, replays and deletes', async () => {
    const created = await cli('webhooks', 'subscribe', '--url', 'http://127.0.0.1:9/hooks', '--events', 'tiktok.*,connection.*', '--shops', '7001');
    expect(created).toMatchObject({ id: expect.stringMatching(/^whsub_/), secret: expect.stringMatching(/^whsec_/), events: ['tiktok.*', 'connection.*'], shopIds: ['7001'], status: 'active' });
    const id = created.id as string;

    expect(await cli('webhooks', 'pause', '--id', id)).toMatchObject({ id, status: 'paused', pausedReason: 'Paused by its owner.' });
    const listed = (await cli('webhooks', 'list')) as unknown as Record<string, unknown>[];
    expect(listed).toMatchObject([{ id, status: 'paused', health: { backlog: 0, deadLetters: 0, attemptsLastDay: 0 } }]);
    expect(await cli('webhooks', 'resume', '--id', id)).toMatchObject({ id, status: 'active' });
    const rotated = await cli('webhooks', 'rotate-secret', '--id', id);
    expect(rotated).toMatchObject({ id, secret: expect.stringMatching(/^whsec_/) });
    expect(rotated.secret).not.toBe(created.secret);
    expect(await cli('webhooks', 'replay', '--id', id, '--dead-letters')).toStrictEqual({ replayed: [] });
    expect(await cli('webhooks', 'deliveries', '--id', id)).toStrictEqual([] as unknown as Record<string, unknown>);
    expect(await cli('webhooks', 'delete', '--id', id)).toStrictEqual({ id, deleted: true });

    const gone = await failure('webhooks', 'pause', '--id', id);
    expect(gone.code).toBe(1);
    expect(gone.error).toMatchObject({ code: 'webhook_subscription_not_found', hint: 'npm run cli -- webhooks list shows every subscription with its id.' });
  }, 180_000);

  it('keys reencrypt re-seals the signing secrets of subscriptions too', async () => {
    const oldKey = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
    const newKey = `k2:${Buffer.alloc(32, 2).toString('base64')}`;
    const created = await cliWith({ TOKEN_ENCRYPTION_KEYS: oldKey }, 'webhooks', 'subscribe', '--url', 'http://127.0.0.1:9/keys', '--events', 'tiktok.*');
    await cliWith({ TOKEN_ENCRYPTION_KEYS: oldKey }, 'webhooks', 'rotate-secret', '--id', created.id as string);

    expect(await cliWith({ TOKEN_ENCRYPTION_KEYS: `${newKey},${oldKey}` }, 'keys', 'reencrypt')).toMatchObject({
      currentKeyId: 'k2', webhookSecrets: { scanned: 1, reencrypted: 1, alreadyCurrent: 0, failed: [], currentKeyId: 'k2' },
    });
    // With the old key gone, nothing is left on it.
    expect(await cliWith({ TOKEN_ENCRYPTION_KEYS: newKey }, 'keys', 'reencrypt')).toMatchObject({ webhookSecrets: { scanned: 1, reencrypted: 0, alreadyCurrent: 1, failed: [] } });
    await cliWith({ TOKEN_ENCRYPTION_KEYS: newKey }, 'webhooks', 'delete', '--id', created.id as string);
  }, 180_000);

  it('refuses a replay that names no target or two (exit 2, nothing opened)', async () => {
    const refused = await failure('webhooks', 'replay', '--id', 'whsub_000000000000000000000000', '--dead-letters', '--since', '2026-01-01T00:00:00Z');
    expect(refused.code).toBe(2);
    expect(refused.error).toStrictEqual({ code: 'validation_failed', message: 'Give exactly one of --delivery, --dead-letters and --since.', hint: 'See npm run cli -- webhooks replay --help.' });
  });
});
