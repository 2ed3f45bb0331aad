import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { appKey, appSecret, fakeClock, start } from './support.js';

interface Received {
  authorization: string | undefined;
  rawBody: string;
}

const clock = fakeClock();
let sim: RunningSimulator;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** The receiver's own check, written from the protocol: hex HMAC-SHA256(app_secret, app_key + raw body). */
function verifies({ authorization, rawBody }: Received): boolean {
  const expected = Buffer.from(createHmac('sha256', appSecret).update(appKey + rawBody).digest('hex'));
  const actual = Buffer.from(authorization ?? '');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

beforeAll(async () => {
  sim = await start(clock);
  receiver = createServer(async (req, res) => {
    received.push({ authorization: req.headers.authorization, rawBody: await readBody(req) });
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/tiktok`;
});
afterAll(async () => {
  await sim.close();
  receiver.close();
});

describe('control.sendWebhook', () => {
  it('sends type 6 (seller deauthorization) signed over the raw body', async () => {
    const shop = sim.control.builtInSellers.local.shops[0];
    const delivery = await sim.control.sendWebhook({ url: receiverUrl, type: 6, shopId: shop?.id, notificationId: 'n-6' });
    expect(delivery.status).toBe(200);
    const last = received.at(-1) as Received;
    expect(verifies(last)).toBe(true);
    expect(JSON.parse(last.rawBody)).toStrictEqual({
      type: 6,
      tts_notification_id: 'n-6',
      shop_id: shop?.id,
      timestamp: clock.seconds(),
      data: { message: `Shop_id ${shop?.id} is deauthorized from your APP by merchant.` },
    });
  });

  it('sends type 7 with data.expiration_time as a string', async () => {
    await sim.control.sendWebhook({ url: receiverUrl, type: 7, shopId: '7000714532876273420', expirationTime: 1_900_000_000 });
    const last = received.at(-1) as Received;
    expect(verifies(last)).toBe(true);
    expect(JSON.parse(last.rawBody)).toMatchObject({ type: 7, shop_id: '7000714532876273420', data: { expiration_time: '1900000000' } });
  });

  it('sends type 20 with creator_open_id and data.cancel_time', async () => {
    await sim.control.sendWebhook({ url: receiverUrl, type: 20, creatorOpenId: 'creator-1' });
    const payload = JSON.parse((received.at(-1) as Received).rawBody) as Record<string, unknown>;
    expect(payload).toMatchObject({ type: 20, creator_open_id: 'creator-1', data: { cancel_time: clock.seconds() } });
    expect(payload).not.toHaveProperty('shop_id');
  });

  it('a signature that does not match the body fails the receiver check', () => {
    const last = received.at(-1) as Received;
    expect(verifies({ ...last, rawBody: `${last.rawBody} ` })).toBe(false);
  });

  it('also works over POST /_sim/webhooks and counts deliveries', async () => {
    const response = await fetch(`${sim.url}/_sim/webhooks`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: receiverUrl, type: 6, shopId: '1' }),
    });
    expect(await response.json()).toMatchObject({ status: 200, error: null, payload: { type: 6, shop_id: '1' } });
    expect(verifies(received.at(-1) as Received)).toBe(true);
    expect(sim.control.counters().webhooksSent).toBe(4);
  });
});
