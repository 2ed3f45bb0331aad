import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { createCore } from '../../src/core.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createRefreshClaimStore } from '../../src/db/stores/refresh-claims.js';
import type { RefresherDeps } from '../../src/refresh/refresher.js';
import { refreshDueAt } from '../../src/refresh/schedule.js';
import { createLogger } from '../../src/shared/logger.js';
import { startSimulator } from '../../src/simulator/index.js';
import { createAuthClient, type TokenSet } from '../../src/tiktok/index.js';
import { parseKeyRing } from '../../src/vault/key-ring.js';
import { openAccessToken, sealTokens } from '../../src/vault/tokens.js';
import { createVault } from '../../src/vault/vault.js';
import { FakeClock } from '../support/clock.js';
import { createTestDatabase, testBackend, type TestDatabase } from '../support/database.js';

export const app = { appKey: 'refresh-test-key', appSecret: 'refresh-test-secret', serviceId: '7000000000000000042' };
export const settings = { sweepIntervalSeconds: 60, atLifetimeFraction: 0.85, safetyMarginSeconds: 3600, concurrency: 4, claimSeconds: 60 };

/**
 * One database, one simulator on a fake clock, and helpers that seed connections holding real
 * simulator tokens (sealed as the connect flow seals them).
 */
export async function createHarness() {
  const clock = new FakeClock('2026-11-23T10:00:00.000Z');
  const db = await createTestDatabase();
  const sim = await startSimulator({ ...app, redirectUrl: 'https://connect.example.test/callback', clock });
  const encryptionKeys = 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
  const vault = createVault(parseKeyRing(encryptionKeys));
  const logger = createLogger('silent');
  const env = {
    NODE_ENV: 'test', TOKEN_ENCRYPTION_KEYS: encryptionKeys, COOKIE_SECRET: 'refresh-harness-cookie-secret-0123456789',
    TIKTOK_APP_KEY: app.appKey, TIKTOK_APP_SECRET: app.appSecret, TIKTOK_SERVICE_ID: app.serviceId,
    TIKTOK_AUTH_BASE_URL: sim.url, TIKTOK_API_BASE_URL: sim.url,
  };
  const config = loadConfig(env);
  /** The service's own composition; the harness reads its audit trail and metrics. */
  const core = createCore(config, db, { clock, logger, fetch: globalThis.fetch });
  const { audit, metrics } = core;
  const auth = createAuthClient({ fetch: globalThis.fetch, authBaseUrl: sim.url, ...app, timeoutMs: 5_000 });
  const extraDatabases: Database[] = [];

  const harness = {
    clock, db, sim, vault, auth, audit, metrics,
    store: createRefreshClaimStore(db.sql),

    /**
     * A refresher as one process builds it (createCore), sharing this harness's audit trail and metrics;
     * `database` gives it its own pool (another process), `settings` are extra environment settings
     * (e.g. `REFRESH_CLAIM_SECONDS`), overrides inject faults. Its workers never
     * start, and it is never stopped: a test may leave it hanging, as a killed process would.
     */
    refresher(overrides: Partial<RefresherDeps> & { database?: Database; env?: Record<string, string> } = {}) {
      const { database = db, env: extra, ...refresher } = overrides;
      return createCore(extra ? loadConfig({ ...env, ...extra }) : config, database, {
        clock, logger, fetch: globalThis.fetch,
        refresher: { audit, metrics: metrics.refresh, random: () => 0.5, waitForOther: { maxMs: 400, pollMs: 20 }, ...refresher },
      }).refresher;
    },

    /** Another process's connection pool on the same database (PGlite has one connection: the same one). */
    async otherProcessDatabase(): Promise<Database> {
      if (testBackend !== 'postgres') return db;
      const other = await openDatabase({ kind: 'postgres', url: (db as TestDatabase).url!, poolSize: 5 });
      extraDatabases.push(other);
      return other;
    },

    /** A seller who authorized the app: a connection row with real simulator tokens, due per the policy. */
    async seed(input: { status?: string } = {}) {
      const seller = sim.control.addSeller();
      const tokens = await auth.getToken(sim.control.issueAuthCode({ openId: seller.openId }));
      const id = randomUUID();
      const sealed = sealTokens(vault, id, tokens);
      const now = clock.now();
      await db.sql.query(
        `INSERT INTO connections (id, open_id, user_type, seller_name, seller_base_region, status, granted_scopes,
           access_token_sealed, refresh_token_sealed, encryption_key_id, access_token_expires_at, refresh_token_expires_at,
           refresh_due_at, authorized_at, updated_at)
         VALUES ($1, $2, 0, $3, $4, $5::"ConnectionStatus", $6::text[], $7, $8, $9, $10, $11, $12, $13, $13)`,
        [id, tokens.openId, tokens.sellerName, tokens.sellerBaseRegion, input.status ?? 'active', tokens.grantedScopes,
          sealed.accessTokenSealed, sealed.refreshTokenSealed, sealed.encryptionKeyId, tokens.accessTokenExpiresAt,
          tokens.refreshTokenExpiresAt, refreshDueAt(now, tokens.accessTokenExpiresAt, settings, () => 0.5), now],
      );
      for (const shop of seller.shops) {
        await db.sql.query(
          `INSERT INTO shops (id, connection_id, cipher, code, name, region, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [shop.id, id, shop.cipher, shop.code, shop.name, shop.region, now],
        );
      }
      return { id, seller, tokens };
    },

    async row(id: string) {
      const state = await harness.store.read(id);
      if (!state) throw new Error(`no connection ${id}`);
      return { ...state, accessToken: openAccessToken(vault, id, state.accessTokenSealed) };
    },

    async outbox(connectionId?: string) {
      return db.sql.query<{ type: string; connection_id: string; payload: Record<string, unknown> }>(
        `SELECT type, connection_id, payload FROM outbox_events ${connectionId ? 'WHERE connection_id = $1' : ''} ORDER BY id`,
        connectionId ? [connectionId] : [],
      );
    },

    async auditEvents(connectionId: string) {
      await audit.flush();
      return db.sql.query<{ action: string; outcome: string; detail: Record<string, unknown> }>(
        'SELECT action, outcome, detail FROM audit_events WHERE connection_id = $1 ORDER BY id', [connectionId],
      );
    },

    /** Every test starts from an empty table, a strict simulator with default lifetimes, and zero counters. */
    async reset() {
      await audit.flush();
      await db.sql.exec('DELETE FROM connections; DELETE FROM outbox_events; DELETE FROM audit_events; DELETE FROM problems;');
      sim.control.clearFaults();
      sim.control.setRotation('strict');
      sim.control.setLifetimes({ accessTokenSeconds: 7 * 86_400, refreshTokenSeconds: 90 * 86_400 });
      sim.control.resetCounters();
      clock.set('2026-11-23T10:00:00.000Z');
    },

    async close() {
      await audit.close();
      for (const other of extraDatabases) await other.close();
      await sim.close();
      await db.close();
    },
  };
  return harness;
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/** An auth client whose refresh answers only when the test says so. */
export function gatedAuth(auth: { refreshToken(token: string): Promise<TokenSet> }) {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let calls = 0;
  return {
    auth: {
      async refreshToken(token: string) {
        calls += 1;
        const result = await auth.refreshToken(token);
        await gate;
        return result;
      },
    },
    release: () => open(),
    calls: () => calls,
  };
}
