import { createServer } from 'node:net';
import { loadConfig, type Config } from '../../src/config.js';
import { startService, type Service, type ServiceOptions } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestService extends Service {
  db: TestDatabase;
  /** `fetch` against the service: `request('/v1/…', init)`. */
  request(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export const testEnv: Record<string, string> = {
  NODE_ENV: 'test',
  PORT: '0',
  LOG_LEVEL: 'silent',
  TOKEN_ENCRYPTION_KEYS: 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
  COOKIE_SECRET: 'test-cookie-secret-test-cookie-secret-0123',
};

/** The real service (same composition as `npm start`) on an ephemeral port over a fresh test database. */
export async function startTestService(
  env: Record<string, string> = {},
  options: ServiceOptions & { configure?: (config: Config) => Config } = {},
): Promise<TestService> {
  const db = (options.db as TestDatabase | undefined) ?? (await createTestDatabase());
  // A real port up front, so PUBLIC_URL (and the simulator's redirect URL) is known before listening.
  const port = env.PORT ?? String(await freePort());
  let config = loadConfig({ ...testEnv, PORT: port, PUBLIC_URL: `http://127.0.0.1:${port}`, ...env });
  if (options.configure) config = options.configure(config);
  const service = await startService(config, { logger: createLogger('silent'), ...options, db });
  return {
    ...service,
    db,
    request: (path, init) => fetch(`${service.url}${path}`, { redirect: 'manual', ...init }),
    stop: async () => {
      await service.close();
      await db.close();
    },
  };
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
