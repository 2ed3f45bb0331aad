import type { Request } from 'express';
import type { CallContext } from '../../apps/ports.js';
import type { ShopCalls } from '../../apps/shop-calls.js';
import { uploadTooLarge } from '../../apps/upload-limit.js';
import { defaultUploadLimits, uploadLimitFor, type UploadLimits } from '../../tiktok/index.js';

/**
 * Forwards a `multipart/form-data` proxy call as it streams in: never held whole in memory, the
 * caller's Content-Type (boundary included) and bytes unchanged. Over the limit for the path it is a
 * 413: by Content-Length before anything is sent, or (in the use case) as soon as a chunked body
 * passes it, aborting TikTok's half-sent request.
 */
export function forwardUpload(
  shopCalls: ShopCalls,
  limits: UploadLimits | undefined,
  req: Request,
  input: { shopId: string; path: string; query: Record<string, string | string[]>; context: CallContext },
) {
  const limit = uploadLimitFor(input.path, limits ?? defaultUploadLimits);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit.maxBytes) {
    // Refused before the use case runs (which audits what it does): the error handler audits it as a refusal.
    if (req.auditedCall) req.auditedCall.reachedHandler = false;
    throw uploadTooLarge(limit, declared);
  }
  return shopCalls.upload(input.context, input.shopId, {
    path: input.path,
    query: input.query,
    contentType: req.headers['content-type']!,
    body: req,
    limit,
  });
}
