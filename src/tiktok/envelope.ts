import { z } from 'zod';

/** The `{ code, message, request_id, data }` wrapper of every TikTok Shop answer. `code === 0` is success. */
export interface TikTokEnvelope<T = unknown> {
  code: number;
  message: string;
  request_id?: string;
  data?: T;
}

const envelopeSchema = z.looseObject({
  code: z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]),
  message: z.string().optional().default(''),
  request_id: z.string().optional(),
  data: z.unknown().optional(),
});

/**
 * Reads a response body as a TikTok envelope; `undefined` when it is not JSON or has no numeric `code`.
 *
 * @example
 * parseEnvelope('{"code":0,"message":"success","request_id":"r1","data":{}}')
 * // { code: 0, message: 'success', request_id: 'r1', data: {} }
 * parseEnvelope('<html>502</html>') // undefined
 */
export function parseEnvelope(text: string): TikTokEnvelope | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = envelopeSchema.safeParse(json);
  return parsed.success ? (parsed.data as TikTokEnvelope) : undefined;
}
