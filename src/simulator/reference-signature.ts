import { createHmac } from 'node:crypto';

/**
 * The simulator's own request signer, written from /work/shared/tiktok-protocol.md §4.2 and
 * deliberately independent of src/tiktok/sign.ts: if the service's signer drifts from the
 * protocol, the simulator answers 106001 exactly like real TikTok would, instead of mirroring
 * the bug. test/simulator/reference-signature.test.ts pins it to the public vectors (§4.4) and
 * cross-checks it against the service's signer.
 */
export interface ReferenceSignInput {
  appSecret: string;
  /** The request path only: no host, no query. */
  path: string;
  /** Decoded query values, one per name. `sign` and `access_token` are ignored. */
  query: Readonly<Record<string, string>>;
  /** The body exactly as received: raw bytes, or their text. Absent or empty: nothing is appended. */
  body?: Buffer | string | undefined;
  /** The request's content-type header, if any. */
  contentType?: string | undefined;
}

const excludedParams = new Set(['sign', 'access_token']);

/** The UTF-8 bytes the HMAC runs over: `app_secret + path + (name + value)… + body + app_secret`. */
export function referenceStringToSign(input: ReferenceSignInput): Buffer {
  const names = Object.keys(input.query)
    .filter((name) => !excludedParams.has(name))
    .sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  let base = input.path;
  for (const name of names) base += name + input.query[name];
  const parts: Buffer[] = [Buffer.from(input.appSecret + base, 'utf8')];
  if (!isMultipart(input.contentType) && input.body !== undefined) {
    parts.push(typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body);
  }
  parts.push(Buffer.from(input.appSecret, 'utf8'));
  return Buffer.concat(parts);
}

/** Lowercase hex HMAC-SHA256 keyed with app_secret over {@link referenceStringToSign}. */
export function referenceSign(input: ReferenceSignInput): string {
  return createHmac('sha256', Buffer.from(input.appSecret, 'utf8')).update(referenceStringToSign(input)).digest('hex');
}

function isMultipart(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mediaType = contentType.split(';', 1)[0] ?? '';
  return mediaType.trim().toLowerCase() === 'multipart/form-data';
}
