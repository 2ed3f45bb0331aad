import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { simulatorApp } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrate, readMigrations } from '../src/db/migrate.js';
import { migrationsDirectory } from '../src/db/target.js';
import { webhookSignature } from '../src/tiktok/index.js';
import { parseKeyRing } from '../src/vault/key-ring.js';
import { createVault } from '../src/vault/vault.js';
import { newSigningSecret } from '../src/webhooks/signing.js';
import { startChild, type ChildServer } from './support/child.js';

/**
 * Webhook delivery on Postgres: TikTok webhooks POSTed to the service (replicas in their own
 * processes, default settings) and relayed to one local receiver subscribed to `tiktok.*`. Prints
 * deliveries per second with one and with two replicas, and the added latency from the webhook
 * reaching the service to the receiver getting it (p50, p99). No goal is set by the issue.
 */
export async function benchWebhookDelivery(): Promise<void> {
  const server = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  const events = Number(process.env.BENCH_WEBHOOKS ?? 300);
  const shops = 20;
  const name = `tsc_bench_hooks_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const keys = `k1:${randomBytes(32).toString('base64')}`;
  const received = new Map<string, number>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payload: { notificationId: string } }).payload.notificationId;
      if (!received.has(id)) received.set(id, performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const replicas: ChildServer<{ url: string }>[] = [];
  try {
    const db = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 2 });
    await migrate(db.sql, await readMigrations(migrationsDirectory));
    const sealed = createVault(parseKeyRing(keys)).seal(newSigningSecret(), { rowId: 'whsub_bench', purpose: 'webhook_secret' });
    await db.sql.query(
      `INSERT INTO webhook_subscriptions (id, url, events, secret_sealed) VALUES ('whsub_bench', $1, '{tiktok.*}', $2)`,
      [`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, sealed],
    );
    await db.close();
    const start = async () => {
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      replicas.push(await startChild('bench/support/webhook-service.ts', { BENCH_PORT: String(port), BENCH_DATABASE_URL: url.toString(), BENCH_KEYS: keys }));
    };

    /** Sends `total` webhooks (20 at a time, or one every `everyMs`) over the replicas; answers when each was sent and got. */
    const run = async (total: number, everyMs: number | undefined) => {
      const prefix = randomBytes(3).toString('hex');
      const sent = new Map<string, number>();
      const send = async (index: number) => {
        const id = `${prefix}-${index}`;
        const body = JSON.stringify({ type: 1, tts_notification_id: id, shop_id: `70000000000000000${String(index % shops).padStart(2, '0')}`, timestamp: 1_700_000_000, data: { order_id: String(index) } });
        sent.set(id, performance.now());
        const response = await fetch(`${replicas[index % replicas.length]!.ready.url}/webhooks/tiktok`, {
          method: 'POST', body, headers: { 'content-type': 'application/json', authorization: webhookSignature(simulatorApp.appKey, simulatorApp.appSecret, body) },
        });
        if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
      };
      const began = performance.now();
      if (everyMs === undefined) {
        let next = 0;
        await Promise.all(Array.from({ length: 20 }, async () => {
          while (next < total) await send(next++);
        }));
      } else {
        for (let index = 0; index < total; index += 1) {
          void send(index);
          await new Promise((resolve) => setTimeout(resolve, everyMs));
        }
      }
      const acceptedMs = performance.now() - began;
      const deadline = Date.now() + 120_000;
      while ([...sent.keys()].some((id) => !received.has(id)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      const done = [...sent.keys()].filter((id) => received.has(id));
      const latencies = done.map((id) => received.get(id)! - sent.get(id)!).sort((a, b) => a - b);
      const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * q) - 1)]!;
      const last = Math.max(...done.map((id) => received.get(id)!));
      return { done: done.length, perSecond: done.length / ((last - began) / 1000), accepted: total / (acceptedMs / 1000), p50: pick(0.5), p99: pick(0.99) };
    };

    for (const count of [1, 2]) {
      while (replicas.length < count) await start();
      const burst = await run(events, undefined);
      const steady = await run(100, 50);
      console.log(`${count} replica(s): burst of ${events}: ${burst.done} delivered, ${burst.perSecond.toFixed(0)} deliveries/s (webhooks acknowledged at ${burst.accepted.toFixed(0)}/s)`);
      console.log(`${count} replica(s): 20 webhooks/s: added latency webhook → subscriber p50 ${steady.p50.toFixed(0)} ms, p99 ${steady.p99.toFixed(0)} ms (${steady.done}/100 delivered; no goal set by the issue)`);
    }
  } finally {
    for (const replica of replicas) await replica.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
