/** Byte limits for `multipart/form-data` uploads: images, and every other file. */
export interface UploadLimits {
  imageMaxBytes: number;
  fileMaxBytes: number;
}

/**
 * TikTok's limits as the issue and SDK field reports give them (images 5 MB, files 20 MB). Partner
 * Center's 2025 references say more (Upload Product Image: 10 MB; Upload Product File: PDF 20 MB,
 * video 100 MB), so both are settings; these defaults are the defensive side.
 */
export const defaultUploadLimits: UploadLimits = { imageMaxBytes: 5 * 1024 * 1024, fileMaxBytes: 20 * 1024 * 1024 };

/**
 * The most bytes an upload to `path` may carry: the image limit for `…/images/upload` (Upload Product
 * Image, and the customer service, fulfillment and affiliate image uploads), the file limit otherwise.
 *
 * @example
 * uploadLimitFor('/product/202309/images/upload', defaultUploadLimits) // { kind: 'image', maxBytes: 5242880 }
 * uploadLimitFor('/product/202309/files/upload', defaultUploadLimits) // { kind: 'file', maxBytes: 20971520 }
 */
export function uploadLimitFor(path: string, limits: UploadLimits): { kind: 'image' | 'file'; maxBytes: number } {
  return /\/images\/upload$/.test(path) ? { kind: 'image', maxBytes: limits.imageMaxBytes } : { kind: 'file', maxBytes: limits.fileMaxBytes };
}
