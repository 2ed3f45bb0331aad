import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Pool } from 'undici';
import { createLogger } from '../../src/shared/logger.js';
import { startTestService, type TestService } from '../../test/support/service.js';
import { dumpDir, logDir } from './figures.js';

/** The real service in this process (on a fresh Postgres database), logging at info into proof/out/logs/<name>.log. */
export async function startLoggedService(name: string, env: Record<string, string> = {}, options: Parameters<typeof startTestService>[1] = {}): Promise<TestService> {
  const destination = pino.destination({ dest: join(logDir, `${name}.log`), sync: true, mkdir: true });
  return startTestService({ LOG_LEVEL: 'info', ...env }, { logger: createLogger('info', destination), ...options });
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * A keep-alive HTTP client for many small requests; each one must be answered within `timeoutMs`
 * (a hang fails the property that sent it).
 */
export function keepAliveClient(url: string, timeoutMs = 10_000) {
  const pool = new Pool(url, { connections: 4, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return {
    async request(input: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer> {
      const response = await pool.request({ method: input.method as 'GET', path: input.path, headers: input.headers ?? {}, ...(input.body !== undefined ? { body: input.body } : {}) });
      const text = await response.body.text();
      return { status: response.statusCode, headers: response.headers, text };
    },
    close: () => pool.close(),
  };
}

/** Row counts of the tables a request could change, to show that refused input changed nothing. */
export async function tableCounts(service: TestService, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await service.db.sql.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${table}`);
    counts[table] = row!.count;
  }
  return counts;
}

/** Counts answers by `status code` (`201`, `400 validation_failed`). */
export function tally(into: Record<string, number>, answer: Answer): void {
  let code = '';
  if (answer.text.startsWith('{')) {
    try {
      const parsed = JSON.parse(answer.text) as { code?: unknown };
      if (typeof parsed.code === 'string') code = ` ${parsed.code}`;
    } catch {
      // not JSON: the status alone
    }
  }
  const key = `${answer.status}${code}`;
  into[key] = (into[key] ?? 0) + 1;
}

/** Every row of every table, one JSON line each, into proof/out/dumps/<name>.jsonl (scanned for secrets at the end). */
export async function dumpDatabase(service: TestService, name: string): Promise<void> {
  await service.audit.flush().catch(() => undefined);
  const tables = await service.db.sql.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  const lines: string[] = [];
  for (const table of tables) {
    for (const row of await service.db.sql.query(`SELECT row_to_json(t)::text AS row FROM "${table.name}" t`)) lines.push(`${table.name} ${(row as { row: string }).row}`);
  }
  writeFileSync(join(dumpDir, `${name}.jsonl`), `${lines.join('\n')}\n`);
}
