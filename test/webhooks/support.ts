import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatedSeller, WebhookInput } from '../../src/simulator/index.js';
import type { TestService } from '../support/service.js';

/** What a receiver got: one request. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status it answered. */
  status: number;
}

/** A scripted answer: status and headers; when a path's script runs out, it answers 200. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Answers this much later (a slow receiver). */
  delayMs?: number;
}

/** A local HTTP receiver for webhook pushes: records every request, answers from a per-path script. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Requests to one path, in arrival order. */
  at(path: string): Received[];
  /** The next answers for `path`, in order. */
  script(path: string, answers: Answer[]): void;
  /** Every answer for `path` from now on (until changed). */
  always(path: string, answer: Answer | undefined): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const scripts = new Map<string, Answer[]>();
  const fixed = new Map<string, Answer>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const answer = scripts.get(path)?.shift() ?? fixed.get(path) ?? { status: 200 };
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: answer.status });
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.status >= 300 ? `receiver says ${answer.status}` : 'ok');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    at: (path) => received.filter((request) => request.path === path),
    script: (path, answers) => void scripts.set(path, [...answers]),
    always: (path, answer) => void (answer ? fixed.set(path, answer) : fixed.delete(path)),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A connection for a new simulated seller, with its shops (tokens are placeholders: webhooks never read them). */
export async function seedConnection(service: TestService): Promise<{ id: string; seller: SimulatedSeller }> {
  const seller = service.simulator!.control.addSeller();
  const id = randomUUID();
  const now = new Date();
  await service.db.sql.query(
    `INSERT INTO connections (id, open_id, user_type, seller_name, status, granted_scopes, access_token_sealed, refresh_token_sealed,
       encryption_key_id, access_token_expires_at, refresh_token_expires_at, refresh_due_at, authorized_at, updated_at)
     VALUES ($1, $2, 0, $3, 'active', '{}', 'sealed', 'sealed', 'k1', $4, $5, $6, $7, $7)`,
    [id, seller.openId, seller.name, new Date(now.getTime() + 7 * 86_400_000), new Date(now.getTime() + 60 * 86_400_000),
      new Date(now.getTime() + 6 * 86_400_000), now],
  );
  for (const shop of seller.shops) {
    await service.db.sql.query('INSERT INTO shops (id, connection_id, cipher, name, region, updated_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      shop.id, id, shop.cipher, shop.name, shop.region, now,
    ]);
  }
  return { id, seller };
}

/** TikTok (the simulator) sends a webhook to the service; asserts TikTok got its 200 with an empty body. */
export async function tiktokSends(service: TestService, input: Omit<WebhookInput, 'url'>): Promise<void> {
  const delivery = await service.simulator!.control.sendWebhook({ url: `${service.url}/webhooks/tiktok`, ...input });
  if (delivery.status !== 200) throw new Error(`TikTok's webhook got ${delivery.status ?? delivery.error}`);
}

/** `fetch` to the service's /v1 with an API key, JSON in and out. */
export function api(service: TestService, key: string) {
  return async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await service.request(path, {
      method,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

/** Settings that make retries and polling fast enough for tests (the waits stay in order: 3 retries, 4 attempts). */
export const fastWebhookEnv = { WEBHOOK_POLL_INTERVAL_MS: '20', WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.05,0.1,0.1' };
