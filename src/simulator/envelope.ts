import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import type { Clock } from '../shared/clock.js';

/**
 * TikTok's answer on every host: `{ code, message, request_id, data }`, `code: 0` for success.
 * Errors carry no `data`. The HTTP status is evidenced only for 106001 and 105005 (401), 36009002
 * (429) and 36009003 (503); the other statuses in {@link tiktokErrors} are the simulator's choice.
 */
export interface TikTokError {
  status: number;
  code: number;
  message: string;
}

export const tiktokErrors = {
  invalidPath: { status: 404, code: 36009009, message: 'Invalid path. The request path does not exist.' },
  invalidMethod: { status: 405, code: 36009010, message: 'Invalid method. The request method is not supported for this path.' },
  invalidAppKey: { status: 401, code: 36009004, message: 'Invalid app_key. The app_key query parameter is invalid.' },
  missingSign: { status: 401, code: 36009004, message: 'Missing signature. The sign query parameter is required.' },
  invalidTimestamp: { status: 400, code: 36009004, message: 'Invalid timestamp. The timestamp query parameter must be within [now-5min, now+30s].' },
  badSign: { status: 401, code: 106001, message: 'Invalid credentials. The sign query parameter is invalid.' },
  missingAccessToken: { status: 401, code: 36009004, message: 'Invalid access_token. The x-tts-access-token header is missing.' },
  unknownAccessToken: { status: 401, code: 105001, message: 'access token is invalid' },
  deauthorizedAccessToken: { status: 401, code: 105001, message: 'access token is invalid; detail: your token has been deauthorized' },
  expiredAccessToken: { status: 401, code: 105002, message: 'Expired credentials. The access_token or x-tts-access-token header has expired.' },
  scopeDenied: { status: 401, code: 105005, message: 'Access denied. The app or the access token lacks the required access scope; you should apply auth pkg for this api' },
  missingCipher: { status: 400, code: 106013, message: 'The shop_cipher query parameter is required.' },
  unexpectedCipher: { status: 400, code: 36009004, message: 'Unexpected identifier. The shop_cipher query parameter is not required' },
  cipherMismatch: { status: 400, code: 101000, message: 'The x-tts-access-token is not associated with the shop identified by shop_cipher.' },
  invalidBody: { status: 400, code: 36009022, message: 'The request body must be JSON.' },
  // Partner Center "Common errors" (36009021-23) and the Upload Product Image / File references (120xxxxx)
  invalidContentType: {
    status: 400,
    code: 36009022,
    message: 'Invalid request format. The request body format must be `application/json` for structured data or `multipart/form-data` for binary files.',
  },
  notMultipart: { status: 400, code: 36009023, message: 'Invalid request format. The value of the `content-type` header must be `multipart/form-data`.' },
  fileTooLarge: { status: 413, code: 36009021, message: 'Invalid file size. The uploaded file size exceeds the maximum limit.' },
  invalidUploadFile: { status: 400, code: 12038002, message: 'Invalid upload file. Please ensure you are passing the correct file data.' },
  emptyFile: { status: 400, code: 12019103, message: "Couldn't upload file, the file is empty." },
  emptyFileName: { status: 400, code: 12019104, message: 'The file name is empty.' },
  unsupportedFile: { status: 400, code: 12019105, message: 'Failed to process the file. The format or content is not supported.' },
  unsupportedImage: { status: 400, code: 12038004, message: 'Failed to process the image. The format or content is not supported.' },
  queryAccessToken: {
    status: 401,
    code: 36009004,
    message: 'Invalid credentials. The `access_token` query parameter is no longer supported since version 202309; send the `x-tts-access-token` header.',
  },
  notFound: { status: 404, code: 36009004, message: 'The requested resource was not found in this shop (simulator).' },
  tooManyRequests: { status: 429, code: 36009002, message: 'Too many requests. Please retry later.' },
  internalError: { status: 503, code: 36009003, message: 'Internal error. Please retry later.' },
  // token host (reported by field users, see tiktok-protocol.md §6)
  invalidAuthCode: { status: 200, code: 36004004, message: 'invalid auth code' },
  refreshTokenExpired: { status: 200, code: 36004001, message: 'rt has expired' },
  authRecordNotFound: { status: 200, code: 36004005, message: 'can not find related auth record' },
  invalidAppCredentials: { status: 200, code: 36009004, message: 'Invalid app_key or app_secret.' },
  invalidGrantType: { status: 200, code: 36009004, message: 'Invalid grant_type.' },
} satisfies Record<string, TikTokError>;

/** `20220808094623` + 20 upper-case hex digits, the shape of TikTok's request ids. */
export function requestId(clock: Clock): string {
  const stamp = clock.now().toISOString().replace(/\D/g, '').slice(0, 14);
  return stamp + randomBytes(10).toString('hex').toUpperCase();
}

export function sendSuccess(res: Response, clock: Clock, data: unknown): void {
  res.status(200).json({ code: 0, message: 'Success', request_id: requestId(clock), data });
}

export function sendError(res: Response, clock: Clock, error: TikTokError): void {
  res.status(error.status).json({ code: error.code, message: error.message, request_id: requestId(clock) });
}
