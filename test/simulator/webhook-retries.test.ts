import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { tiktokWebhookRetryDelaysMs } from '../../src/simulator/webhooks.js';
import { fakeClock, start } from './support.js';

/** Issue #11 item 2: the simulator sends the shapes TikTok sends, and retries what was not acknowledged. */
let sim: RunningSimulator;
let receiver: Server;
let url: string;
const bodies: string[] = [];
const answers: number[] = [];

beforeAll(async () => {
  sim = await start(fakeClock(), { webhookRetryDelaysMs: [5, 5, 5, 5] });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await sim?.close();
});

describe('simulated TikTok webhook deliveries', () => {
  it("retries TikTok's schedule (+2 min, +30 min, +3 h, +12 h) by default", () => {
    expect(tiktokWebhookRetryDelaysMs).toStrictEqual([120_000, 1_800_000, 10_800_000, 43_200_000]);
  });

  it('sends the same bytes again until a 200, and stops there', async () => {
    bodies.length = 0;
    answers.push(500, 503);
    const delivery = await sim.control.sendWebhook({ url, type: 1, shopId: '7494726673780148744', retry: true });
    expect(delivery.attempts).toStrictEqual([500, 503, 200]);
    expect(bodies).toHaveLength(3);
    expect(new Set(bodies).size).toBe(1);
  });

  it('gives up after the fourth retry', async () => {
    bodies.length = 0;
    answers.push(500, 500, 500, 500, 500);
    const delivery = await sim.control.sendWebhook({ url, type: 1, shopId: '1', retry: true });
    expect(delivery.attempts).toStrictEqual([500, 500, 500, 500, 500]);
  });

  it('sends a body without tts_notification_id, or exact bytes with long numeric ids', async () => {
    bodies.length = 0;
    await sim.control.sendWebhook({ url, type: 3, shopId: '1', omitNotificationId: true, data: { order_id: '2' } });
    expect(JSON.parse(bodies[0]!)).not.toHaveProperty('tts_notification_id');
    const raw = '{"type":1,"tts_notification_id":7311238419012345678,"shop_id":7494726673780148744}';
    await sim.control.sendWebhook({ url, type: 1, rawBody: raw });
    expect(bodies[1]).toBe(raw);
  });
});
