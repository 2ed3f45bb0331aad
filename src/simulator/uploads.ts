import { createHash } from 'node:crypto';
import { tiktokErrors, type TikTokError } from './envelope.js';
import { parseMultipart } from './multipart.js';

/** TikTok's limits (tiktok-protocol.md §10): images up to 5 MB, other files up to 20 MB. */
export const simulatedUploadLimits = { imageBytes: 5 * 1024 * 1024, fileBytes: 20 * 1024 * 1024 };

const imageFormats = new Set(['JPG', 'JPEG', 'PNG', 'WEBP', 'HEIC', 'BMP']);
const fileFormats = new Set(['PDF', 'MP4', 'MOV', 'MKV', 'WMV', 'WEBM', 'AVI', '3GP', 'FLV', 'MPEG']);

type UploadResult = { data: unknown } | { error: TikTokError };

/**
 * Upload Product Image (`POST /product/202309/images/upload`): the image is the `data` part, `use_case`
 * optional. The answer's `uri` ends with the SHA-256 of the bytes received, so a test can check that
 * what arrived is byte for byte what was sent. Dimensions are not decoded: they are reported as 720.
 */
export function uploadImage(contentType: string | undefined, body: Buffer | undefined, baseUrl: string): UploadResult {
  const parts = parseMultipart(contentType, body ?? Buffer.alloc(0));
  const file = parts?.find((part) => part.name === 'data');
  if (file === undefined) return { error: tiktokErrors.invalidUploadFile };
  if (file.content.length === 0) return { error: tiktokErrors.emptyFile };
  if (file.content.length > simulatedUploadLimits.imageBytes) return { error: tiktokErrors.fileTooLarge };
  if (file.filename !== undefined && !imageFormats.has(extension(file.filename))) return { error: tiktokErrors.unsupportedImage };
  const useCase = parts?.find((part) => part.name === 'use_case')?.content.toString('utf8') || 'MAIN_IMAGE';
  const uri = `tos-simulator-i/${sha256(file.content)}`;
  return { data: { uri, url: `${baseUrl}/${uri}`, height: 720, width: 720, use_case: useCase } };
}

/**
 * Upload Product File (`POST /product/202309/files/upload`): the file is the `data` part and its name
 * (with extension) the `name` part. `id` is `v09` + the start of the SHA-256 of the bytes received, and
 * `url` ends with all of it.
 */
export function uploadFile(contentType: string | undefined, body: Buffer | undefined, baseUrl: string): UploadResult {
  const parts = parseMultipart(contentType, body ?? Buffer.alloc(0));
  const file = parts?.find((part) => part.name === 'data');
  if (file === undefined) return { error: tiktokErrors.invalidUploadFile };
  if (file.content.length === 0) return { error: tiktokErrors.emptyFile };
  if (file.content.length > simulatedUploadLimits.fileBytes) return { error: tiktokErrors.fileTooLarge };
  const name = parts?.find((part) => part.name === 'name')?.content.toString('utf8') ?? '';
  if (name === '') return { error: tiktokErrors.emptyFileName };
  const format = extension(name);
  if (!fileFormats.has(format)) return { error: tiktokErrors.unsupportedFile };
  const hash = sha256(file.content);
  return { data: { id: `v09${hash.slice(0, 29)}`, url: `${baseUrl}/tos-simulator-f/${hash}`, name, format } };
}

function extension(name: string): string {
  return (name.split('.').pop() ?? '').toUpperCase();
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
