import { fetch as undiciFetch, MockAgent } from 'undici';
import type { FetchLike } from '../../../src/tiktok/fetch-envelope.js';

/** A MockAgent with the network disabled, a fetch bound to it, and a log of the URLs requested. */
export function mockTikTok() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const requests: { url: string; method: string; headers: Record<string, string>; body: string | undefined }[] = [];
  const fetch: FetchLike = (url, init) => {
    requests.push({ url, method: init.method, headers: init.headers, body: typeof init.body === 'string' ? init.body : init.body === undefined ? undefined : '[stream]' });
    return undiciFetch(url, { ...init, dispatcher: agent });
  };
  return { agent, fetch, requests };
}

/** The decoded query of a requested URL. */
export function queryOf(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url).searchParams);
}

/** A clock that moves only when told to, with a sleep that advances it. */
export function fakeTime(startMs = 1_700_000_000_000) {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    clock: { now: () => new Date(now) },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
    nowMs: () => now,
  };
}
