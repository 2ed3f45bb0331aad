import { PayloadTooLarge } from '../shared/errors.js';

/** The most bytes one upload may carry, and what kind of upload the limit is for. */
export interface UploadLimit {
  kind: 'image' | 'file';
  maxBytes: number;
}

/** The 413 for an upload over its limit; `declared` is its Content-Length when that said so up front. */
export function uploadTooLarge(limit: UploadLimit, declared?: number, cause?: unknown): PayloadTooLarge {
  const mb = `${Math.round((limit.maxBytes / (1024 * 1024)) * 100) / 100} MB`;
  const size = declared === undefined ? 'larger than' : `${declared} bytes, over`;
  return new PayloadTooLarge(`The ${limit.kind} upload is ${size} the limit of ${mb} (${limit.maxBytes} bytes) for this TikTok path; nothing was stored at TikTok.`, {
    cause,
    hint: `Send ${limit.kind === 'image' ? 'an image' : 'a file'} of at most ${mb}: compress or resize it first.`,
  });
}

/**
 * Passes an upload's bytes through as they come, counting them; past `maxBytes` it stops with an
 * error (so the request to TikTok is aborted) and `exceeded` becomes true.
 */
export function countedUpload(source: AsyncIterable<Uint8Array>, maxBytes: number): { body: AsyncIterable<Uint8Array>; readonly exceeded: boolean } {
  let bytes = 0;
  let exceeded = false;
  async function* body(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        exceeded = true;
        throw new Error(`upload over ${maxBytes} bytes`);
      }
      yield chunk;
    }
  }
  return {
    body: body(),
    get exceeded() {
      return exceeded;
    },
  };
}
