import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPinnedFetch, type PinnedFetch } from '../../src/webhooks/pinned-fetch.js';
import { checkSubscriptionUrl, type UrlPolicy } from '../../src/webhooks/url-guard.js';
import { startReceiver, type Receiver } from './support.js';

/**
 * DNS rebinding: a subscriber's host name is resolved again when a delivery connects, and the socket goes
 * to exactly the address that was checked. The resolver is injected (the names below exist nowhere else),
 * so reaching the local receiver at all proves the connection used the checked address.
 */
let receiver: Receiver;
let port: string;
const opened: PinnedFetch[] = [];
beforeAll(async () => {
  receiver = await startReceiver();
  port = new URL(receiver.url).port;
});
afterAll(async () => {
  for (const pinned of opened) await pinned.close();
  await receiver?.close();
});

/** A production policy whose DNS answers come from `answers` (each name's list is answered in turn, the last one for good). */
function production(answers: Record<string, string[][]>, allowlist: string[] = []): UrlPolicy & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    production: true,
    allowlist,
    lookups,
    resolve: async (host) => {
      lookups.push(host);
      const queue = answers[host] ?? [[]];
      return queue.length > 1 ? queue.shift()! : queue[0]!;
    },
  };
}

function pinnedFor(policy: UrlPolicy): PinnedFetch {
  const pinned = createPinnedFetch(policy);
  opened.push(pinned);
  return pinned;
}

const post = (pinned: PinnedFetch, url: string) => pinned.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
/** The error a POST that must be refused rejects with. */
const refusal = (sending: Promise<Response>): Promise<Error & { cause?: unknown }> =>
  sending.then(
    (response) => { throw new Error(`delivered: ${response.status}`); },
    (error: unknown) => error as Error & { cause?: unknown },
  );

describe('a delivery connection pinned to the address it checked', () => {
  it('refuses a host that resolved to a public address when subscribing and to 127.0.0.1 when delivering; nothing reaches the receiver', async () => {
    const policy = production({ 'rebind.example.test': [['93.184.216.34'], ['127.0.0.1']] });
    await expect(checkSubscriptionUrl('https://rebind.example.test/hooks', policy)).resolves.toBeInstanceOf(URL);

    const refused = await refusal(post(pinnedFor(policy), `http://rebind.example.test:${port}/rebind`));
    expect(refused).toBeInstanceOf(Error);
    expect(refused.cause).toMatchObject({ code: 'webhook_url_refused', message: 'The host rebind.example.test resolves to a private, loopback or link-local address.' });
    expect(receiver.at('/rebind')).toStrictEqual([]);
    expect(policy.lookups).toStrictEqual(['rebind.example.test', 'rebind.example.test']);
  });

  it('refuses a name that answers a private address among public ones', async () => {
    const policy = production({ 'mixed.example.test': [['93.184.216.34', '10.0.0.7']] });
    const refused = await refusal(post(pinnedFor(policy), `http://mixed.example.test:${port}/mixed`));
    expect(refused.cause).toMatchObject({ code: 'webhook_url_refused' });
    expect(receiver.at('/mixed')).toStrictEqual([]);
  });

  it('connects an allow-listed host to the address the injected resolver gave (127.0.0.1), not to whatever DNS says', async () => {
    const policy = production({ 'receiver.internal.test': [['127.0.0.1']] }, ['receiver.internal.test']);
    const response = await post(pinnedFor(policy), `http://receiver.internal.test:${port}/pinned`);
    expect(response.status).toBe(200);
    expect(receiver.at('/pinned')).toHaveLength(1);
    expect(receiver.at('/pinned')[0]!.headers.host).toBe(`receiver.internal.test:${port}`);
    expect(policy.lookups).toStrictEqual(['receiver.internal.test']);
  });

  it('outside production, connects wherever the name resolves (local receivers in development)', async () => {
    const policy = { ...production({ 'dev.example.test': [['127.0.0.1']] }), production: false };
    expect((await post(pinnedFor(policy), `http://dev.example.test:${port}/dev`)).status).toBe(200);
    expect(receiver.at('/dev')).toHaveLength(1);
  });
});
