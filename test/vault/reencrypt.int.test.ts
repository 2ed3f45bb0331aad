import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealedTokenStore } from '../../src/db/stores/sealed-token-store.js';
import type { Sealed } from '../../src/shared/sealed.js';
import { parseKeyRing } from '../../src/vault/key-ring.js';
import { createWebhookSubscriptionStore } from '../../src/db/stores/webhook-subscription-store.js';
import { reencryptTokens, reencryptWebhookSecrets } from '../../src/vault/reencrypt.js';
import { openAccessToken, openRefreshToken } from '../../src/vault/tokens.js';
import { createVault } from '../../src/vault/vault.js';
import { connectThroughSimulator } from '../connections/browser.js';
import { startTestService, testEnv, type TestService } from '../support/service.js';

const oldKeys = testEnv.TOKEN_ENCRYPTION_KEYS!;
const newKeys = `k2:${randomBytes(32).toString('base64')},${oldKeys}`;

interface SealedColumns {
  id: string;
  access_token_sealed: Sealed;
  refresh_token_sealed: Sealed;
  encryption_key_id: string;
}

describe('the token vault over stored connections', () => {
  let service: TestService;
  let ids: string[];
  const plainTokens = () => {
    const state = service.simulator!.state;
    return [...state.accessTokens.keys(), ...state.refreshTokens.keys()];
  };
  const sealedRows = () =>
    service.db.sql.query<SealedColumns>('SELECT id, access_token_sealed, refresh_token_sealed, encryption_key_id FROM connections ORDER BY id');

  beforeAll(async () => {
    service = await startTestService();
    const control = service.simulator!.control;
    ids = [
      await connectThroughSimulator(service, { openId: control.builtInSellers.local.openId }),
      await connectThroughSimulator(service, { openId: control.builtInSellers.crossBorder.openId }),
    ].sort();
  });
  afterAll(async () => {
    await service?.stop();
  });

  describe('the connections table', () => {
    it('holds no token in plain text in any text column', async () => {
      const columns = await service.db.sql.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns
          WHERE table_name = 'connections' AND data_type IN ('text', 'ARRAY', 'character varying')`,
      );
      expect(columns.map((c) => c.column_name)).toContain('access_token_sealed');
      const tokens = plainTokens();
      expect(tokens.length).toBeGreaterThanOrEqual(4);
      const rows = await service.db.sql.query<Record<string, unknown>>(
        `SELECT ${columns.map((c) => `"${c.column_name}"::text AS "${c.column_name}"`).join(', ')} FROM connections`,
      );
      expect(rows).toHaveLength(2);
      const everything = JSON.stringify(rows);
      for (const token of tokens) expect(everything).not.toContain(token);
      const outbox = JSON.stringify(await service.db.sql.query('SELECT payload::text FROM outbox_events'));
      const audit = JSON.stringify(await service.db.sql.query('SELECT detail::text FROM audit_events'));
      for (const token of tokens) {
        expect(outbox).not.toContain(token);
        expect(audit).not.toContain(token);
      }
    });

    it('refuses a ciphertext copied to another connection row with DecryptionFailed', async () => {
      const [first, second] = await sealedRows();
      const vault = createVault(parseKeyRing(oldKeys));
      expect(plainTokens()).toContain(openAccessToken(vault, first!.id, first!.access_token_sealed));
      await service.db.sql.query('UPDATE connections SET access_token_sealed = $2 WHERE id = $1', [second!.id, first!.access_token_sealed]);
      const [, moved] = await sealedRows();
      expect(() => openAccessToken(vault, second!.id, moved!.access_token_sealed)).toThrowError(
        expect.objectContaining({ code: 'decryption_failed', message: 'A stored secret could not be decrypted (altered, or not sealed for this row).' }),
      );
      expect(() => openRefreshToken(vault, first!.id, first!.access_token_sealed)).toThrowError(
        expect.objectContaining({ code: 'decryption_failed' }),
      );
      await service.db.sql.query('UPDATE connections SET access_token_sealed = $2 WHERE id = $1', [second!.id, second!.access_token_sealed]);
    });
  });

  describe('reencryptTokens', () => {
    it('moves every row to the new first key; the tokens still open and nothing is reported twice', async () => {
      const oldVault = createVault(parseKeyRing(oldKeys));
      const before = await sealedRows();
      const plain = before.map((row) => [openAccessToken(oldVault, row.id, row.access_token_sealed), openRefreshToken(oldVault, row.id, row.refresh_token_sealed)]);
      const newVault = createVault(parseKeyRing(newKeys));

      const result = await reencryptTokens(newVault, createSealedTokenStore(service.db.sql), { batchSize: 1 });
      expect(result).toStrictEqual({ scanned: 2, reencrypted: 2, alreadyCurrent: 0, changedConcurrently: 0, failed: [], currentKeyId: 'k2' });

      const after = await sealedRows();
      expect(after.map((row) => row.id)).toStrictEqual(ids);
      expect(after.map((row) => [row.encryption_key_id, newVault.keyIdOf(row.access_token_sealed), newVault.keyIdOf(row.refresh_token_sealed)])).toStrictEqual([
        ['k2', 'k2', 'k2'],
        ['k2', 'k2', 'k2'],
      ]);
      expect(after.map((row) => [openAccessToken(newVault, row.id, row.access_token_sealed), openRefreshToken(newVault, row.id, row.refresh_token_sealed)])).toStrictEqual(plain);
      const newOnly = createVault(parseKeyRing(newKeys.split(',')[0]!));
      expect(openAccessToken(newOnly, after[0]!.id, after[0]!.access_token_sealed)).toBe(plain[0]![0]);

      expect(await reencryptTokens(newVault, createSealedTokenStore(service.db.sql))).toStrictEqual({
        scanned: 2, reencrypted: 0, alreadyCurrent: 2, changedConcurrently: 0, failed: [], currentKeyId: 'k2',
      });
    });

    it('never overwrites a row a refresh changed meanwhile (compare-and-set on the old ciphertext)', async () => {
      const store = createSealedTokenStore(service.db.sql);
      const vault = createVault(parseKeyRing(`k3:${randomBytes(32).toString('base64')},${newKeys}`));
      const racing = {
        listSealed: store.listSealed,
        async replaceSealed(...args: Parameters<typeof store.replaceSealed>) {
          // A refresh lands between the read and the write of the first row.
          if (args[0] === ids[0]) await service.db.sql.query("UPDATE connections SET access_token_sealed = 'v1.k2.refreshed' WHERE id = $1", [ids[0]]);
          return store.replaceSealed(...args);
        },
      };
      const result = await reencryptTokens(vault, racing);
      expect(result).toStrictEqual({ scanned: 2, reencrypted: 1, alreadyCurrent: 0, changedConcurrently: 1, failed: [], currentKeyId: 'k3' });
      const [first] = await sealedRows();
      expect(first!.access_token_sealed).toBe('v1.k2.refreshed');
    });

    it('reports rows it cannot open (altered, or sealed with a key that is gone) by id only', async () => {
      const vault = createVault(parseKeyRing(`k9:${randomBytes(32).toString('base64')}`));
      const result = await reencryptTokens(vault, createSealedTokenStore(service.db.sql));
      expect(result.failed).toStrictEqual([
        { id: ids[0], reason: 'decryption_failed' },
        { id: ids[1], reason: 'encryption_key_unknown' },
      ]);
      expect(result.reencrypted).toBe(0);
    });
  });

  describe('reencryptWebhookSecrets', () => {
    it('moves every subscription secret (and the one a rotation replaced) to the new first key; both still open', async () => {
      const operator = { kind: 'operator' } as const;
      const rotated = await service.core.webhooks.subscriptions.create(operator, { url: 'http://127.0.0.1:9/rotated', events: ['tiktok.*'] });
      const { secret: current } = await service.core.webhooks.subscriptions.rotateSecret(operator, rotated.subscription.id);
      const plain = await service.core.webhooks.subscriptions.create(operator, { url: 'http://127.0.0.1:9/plain', events: ['connection.*'] });
      const store = createWebhookSubscriptionStore(service.db.sql);
      const context = (id: string) => ({ rowId: id, purpose: 'webhook_secret' }) as const;
      const newVault = createVault(parseKeyRing(newKeys));

      const result = await reencryptWebhookSecrets(newVault, store, { batchSize: 1 });
      expect(result).toStrictEqual({ scanned: 2, reencrypted: 2, alreadyCurrent: 0, changedConcurrently: 0, failed: [], currentKeyId: 'k2' });

      const newOnly = createVault(parseKeyRing(newKeys.split(',')[0]!));
      const rows = new Map((await store.listSealedSecrets('', 10)).map((row) => [row.id, row]));
      const rotatedRow = rows.get(rotated.subscription.id)!;
      expect(newOnly.open(rotatedRow.secret, context(rotatedRow.id))).toBe(current);
      expect(newOnly.open(rotatedRow.previous!, context(rotatedRow.id))).toBe(rotated.secret);
      const plainRow = rows.get(plain.subscription.id)!;
      expect([newOnly.open(plainRow.secret, context(plainRow.id)), plainRow.previous]).toStrictEqual([plain.secret, null]);

      expect(await reencryptWebhookSecrets(newVault, store)).toMatchObject({ scanned: 2, reencrypted: 0, alreadyCurrent: 2, failed: [] });
      // A secret rotated between the read and the write is left as the rotation wrote it.
      const racing = {
        listSealedSecrets: store.listSealedSecrets,
        async replaceSealedSecrets(...args: Parameters<typeof store.replaceSealedSecrets>) {
          if (args[0] === plain.subscription.id) await service.core.webhooks.subscriptions.rotateSecret(operator, plain.subscription.id);
          return store.replaceSealedSecrets(...args);
        },
      };
      const k3 = createVault(parseKeyRing(`k3:${randomBytes(32).toString('base64')},${newKeys}`));
      expect(await reencryptWebhookSecrets(k3, racing)).toMatchObject({ scanned: 2, reencrypted: 1, changedConcurrently: 1, failed: [] });
      expect(await reencryptWebhookSecrets(createVault(parseKeyRing(`k9:${randomBytes(32).toString('base64')}`)), store)).toMatchObject({
        reencrypted: 0, failed: [{ id: expect.stringMatching(/^whsub_/), reason: 'encryption_key_unknown' }, { id: expect.stringMatching(/^whsub_/), reason: 'encryption_key_unknown' }],
      });
    });
  });
});
