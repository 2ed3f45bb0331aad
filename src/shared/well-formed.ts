/**
 * Text that every store and log can hold. JSON may carry `\uD800`-style escapes of lone UTF-16
 * surrogates, which have no UTF-8 form (an audit event carrying one was dropped): they become
 * U+FFFD, the replacement character. Optionally NUL (U+0000) too, which Postgres refuses in `text`
 * and `jsonb` (the HTTP edge refuses NUL with a 400 instead; TikTok's webhooks cannot be refused).
 * (`String.prototype.toWellFormed` is in Node 20; the ES2023 typings do not have it.)
 */

type WellFormedString = { isWellFormed(): boolean; toWellFormed(): string };

const replacement = '\uFFFD';

export interface WellFormedOptions {
  /** Replace NUL (U+0000) by U+FFFD too. */
  nul?: boolean;
}

/** `text` with lone surrogates (and, with `nul`, NUL) replaced by U+FFFD; the same string when there is none. */
export function wellFormed(text: string, options: WellFormedOptions = {}): string {
  const checked = text as unknown as WellFormedString;
  const fixed = checked.isWellFormed() ? text : checked.toWellFormed();
  return options.nul && fixed.includes('\u0000') ? fixed.replaceAll('\u0000', replacement) : fixed;
}

/** Nesting past which {@link wellFormedJson} stops looking (no schema here reads that deep). */
const maxDepth = 256;

/**
 * A parsed JSON value with every string (keys too) passed through {@link wellFormed}. Values that
 * need no change are returned as they are (no copy), so the common case costs one scan.
 */
export function wellFormedJson<T>(value: T, options: WellFormedOptions = {}, depth = 0): T {
  if (typeof value === 'string') return wellFormed(value, options) as T;
  // Bytes (a raw webhook body) are not text yet: left alone.
  if (value === null || typeof value !== 'object' || depth > maxDepth || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, index) => {
      const fixed = wellFormedJson(item, options, depth + 1);
      if (fixed !== item) (copy ??= [...(value as unknown[])])[index] = fixed;
    });
    return (copy ?? value) as T;
  }
  const record = value as Record<string, unknown>;
  let changed = false;
  const entries = Object.entries(record).map(([key, item]) => {
    const fixedKey = wellFormed(key, options);
    const fixed = wellFormedJson(item, options, depth + 1);
    if (fixedKey !== key || fixed !== item) changed = true;
    return [fixedKey, fixed] as const;
  });
  return (changed ? Object.fromEntries(entries) : value) as T;
}
