import type { FetchLike } from '../../src/tiktok/index.js';

/** One answer TikTok gives instead of the simulator: its HTTP status and envelope code and message. */
export interface ScriptedAnswer {
  status: number;
  code: number;
  message: string;
  /** The body exactly as TikTok sends it, instead of an envelope made of `code` and `message`. */
  raw?: string;
}

/**
 * The service's outbound `fetch` (ServiceOptions.fetch): every call goes to the built-in simulator,
 * except calls to a path with answers queued by `answer`, which get those answers, one per call, in
 * order. For what the simulator does not do: a refresh denied for lack of a scope, an endpoint the
 * scope table does not know, a token refused again right after its refresh.
 */
export function scriptedTikTok() {
  const queued: { path: RegExp; answers: ScriptedAnswer[]; calls: number }[] = [];
  let sequence = 0;
  const fetch: FetchLike = async (url, init) => {
    const path = new URL(url).pathname.replace(/^\/simulator/, '');
    const script = queued.find((entry) => entry.path.test(path) && entry.answers.length > 0);
    if (!script) return globalThis.fetch(url, init);
    script.calls += 1;
    const answer = script.answers.shift()!;
    const body = answer.raw ?? JSON.stringify({ code: answer.code, message: answer.message, request_id: `scripted-${++sequence}`, data: {} });
    return new Response(body, { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
  return {
    fetch,
    /** Queues answers for calls whose path (without the simulator's mount point) matches. */
    answer(path: RegExp, ...answers: ScriptedAnswer[]) {
      const entry = { path, answers, calls: 0 };
      queued.push(entry);
      return { calls: () => entry.calls, left: () => entry.answers.length };
    },
  };
}

export const tiktokSays = {
  invalidToken: { status: 401, code: 105001, message: 'access token is invalid' },
  expiredToken: { status: 401, code: 105002, message: 'Expired credentials. The access_token or x-tts-access-token header has expired.' },
  scopeDenied: { status: 401, code: 105005, message: 'Access denied. The app or the access token lacks the required access scope; you should apply auth pkg for this api' },
} satisfies Record<string, ScriptedAnswer>;
