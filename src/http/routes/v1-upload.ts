import type { Request } from 'express';
import type { ShopCalls } from '../../apps/shop-calls.js';
import { PayloadTooLarge } from '../../shared/errors.js';
import { defaultUploadLimits, uploadLimitFor, type UploadLimits } from '../../tiktok/index.js';

/**
 * Forwards a `multipart/form-data` proxy call as it streams in: never held whole in memory, the
 * caller's Content-Type (boundary included) and bytes unchanged. Over the limit for the path (by
 * Content-Length before anything is sent, or while streaming a chunked body) it is a 413, and TikTok's
 * half-sent request is aborted.
 */
export async function forwardUpload(
  shopCalls: ShopCalls,
  limits: UploadLimits | undefined,
  req: Request,
  input: { shopId: string; path: string; query: Record<string, string | string[]> },
) {
  const limit = uploadLimitFor(input.path, limits ?? defaultUploadLimits);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit.maxBytes) {
    // Refused before the use case runs (which audits what it does): the error handler audits it as a refusal.
    if (req.auditedCall) req.auditedCall.reachedHandler = false;
    throw tooLarge(limit, declared);
  }
  const counter = { bytes: 0, exceeded: false };
  try {
    return await shopCalls.upload({ clientId: req.apiClient!.id, requestId: req.id }, input.shopId, {
      path: input.path,
      query: input.query,
      contentType: req.headers['content-type']!,
      body: counted(req, limit.maxBytes, counter),
    });
  } catch (error) {
    if (counter.exceeded) throw tooLarge(limit, undefined, error);
    throw error;
  }
}

async function* counted(source: AsyncIterable<Uint8Array>, maxBytes: number, counter: { bytes: number; exceeded: boolean }): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    counter.bytes += chunk.length;
    if (counter.bytes > maxBytes) {
      counter.exceeded = true;
      throw new Error('upload over the limit');
    }
    yield chunk;
  }
}

function tooLarge(limit: { kind: 'image' | 'file'; maxBytes: number }, declared: number | undefined, cause?: unknown): PayloadTooLarge {
  const mb = `${Math.round((limit.maxBytes / (1024 * 1024)) * 100) / 100} MB`;
  const size = declared === undefined ? 'larger than' : `${declared} bytes, over`;
  return new PayloadTooLarge(`The ${limit.kind} upload is ${size} the limit of ${mb} (${limit.maxBytes} bytes) for this TikTok path; nothing was stored at TikTok.`, {
    cause,
    hint: `Send ${limit.kind === 'image' ? 'an image' : 'a file'} of at most ${mb}: compress or resize it first.`,
  });
}
