/**
 * Parses JSON with every integer too long to be exact as a JavaScript number (more than 15 digits)
 * turned into a string of the same digits first: TikTok's ids (`shop_id`, `order_id`,
 * `tts_notification_id`) are 18–19 digit numbers in some payloads, and `JSON.parse` would round them.
 * Throws `SyntaxError` like `JSON.parse` for text that is not JSON.
 *
 * @example
 * parseLosslessJson('{"shop_id":7494726673780148744}') // { shop_id: '7494726673780148744' }
 */
export function parseLosslessJson(text: string): unknown {
  return JSON.parse(quoteLongIntegers(text));
}

/** The text with integer literals of more than 15 digits, outside strings, wrapped in quotes. */
function quoteLongIntegers(text: string): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (char === '"') {
      const end = stringEnd(text, index);
      out += text.slice(index, end);
      index = end;
      continue;
    }
    if (char === '-' || (char >= '0' && char <= '9')) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(index, index + 400));
      const literal = match?.[0] ?? char;
      const digits = literal.replace('-', '').length;
      out += !match?.[1] && !match?.[2] && digits > 15 ? `"${literal}"` : literal;
      index += literal.length;
      continue;
    }
    out += char;
    index += 1;
  }
  return out;
}

/** Index just past the string literal that starts at `start` (or the text's end for an unterminated one). */
function stringEnd(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length) {
    const char = text[index];
    if (char === '\\') index += 2;
    else if (char === '"') return index + 1;
    else index += 1;
  }
  return text.length;
}
