/** One part of a `multipart/form-data` body. */
export interface FormPart {
  name: string;
  filename: string | undefined;
  content: Buffer;
}

/**
 * Reads a `multipart/form-data` body (RFC 7578) into its parts, by the boundary of its content-type.
 * Undefined when the content-type has no boundary or the body is not framed by it. Enough for the
 * simulator's upload endpoints; not a general-purpose parser (no nested multipart, no encodings).
 */
export function parseMultipart(contentType: string | undefined, body: Buffer): FormPart[] | undefined {
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const marker = boundary?.[1] ?? boundary?.[2];
  if (marker === undefined) return undefined;
  const delimiter = Buffer.from(`--${marker}`);
  const parts: FormPart[] = [];
  let start = body.indexOf(delimiter);
  if (start === -1) return undefined;
  for (;;) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') return parts;
    const headersStart = afterDelimiter + 2; // CRLF
    const headersEnd = body.indexOf('\r\n\r\n', headersStart);
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersStart);
    if (headersEnd === -1 || next === -1 || headersEnd > next) return undefined;
    const headers = body.subarray(headersStart, headersEnd).toString('utf8');
    const disposition = /content-disposition:\s*form-data([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) return undefined;
    parts.push({ name, filename: /;\s*filename="([^"]*)"/i.exec(disposition)?.[1], content: body.subarray(headersEnd + 4, next) });
    start = next + 2;
  }
}
