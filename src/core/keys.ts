import type { Value } from './types.js';

/**
 * One exact text form for a (possibly composite) key: a JSON array of each part's text. A key
 * read as `42` (number), `42n` (bigint) or `'42'` (text) encodes the same, so keys compare
 * equal across engines whose drivers type them differently. Binary parts are hex.
 */
export function encodeKey(values: readonly Value[]): string {
  // Called several times per row on the hot path: the text is built part by part, each part
  // exactly as JSON.stringify writes it (see partJson), with no intermediate array.
  if (values.length === 1) return `[${partJson(values[0])}]`;
  let text = '[';
  for (let i = 0; i < values.length; i++) text += i === 0 ? partJson(values[i]) : `,${partJson(values[i])}`;
  return `${text}]`;
}

/** Text JSON.stringify writes as is between quotes: no `"`, `\\`, control character or surrogate. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what JSON escapes
const PLAIN_JSON_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** `JSON.stringify(keyPart(value))`, without JSON.stringify for plain text and numbers. */
function partJson(value: Value): string {
  if (typeof value === 'string') return PLAIN_JSON_STRING.test(value) ? `"${value}"` : JSON.stringify(value);
  // The digits of a number or bigint (String(n)) never need escaping.
  if (typeof value === 'number' || typeof value === 'bigint') return `"${value}"`;
  const part = keyPart(value);
  return part === null ? 'null' : JSON.stringify(part);
}

export function decodeKey(text: string): (string | null)[] {
  // A one-part key of plain text (the common case) is `["…"]` with nothing to unescape.
  if (text.startsWith('["') && text.endsWith('"]') && text.length >= 4) {
    const inner = text.slice(2, -2);
    if (PLAIN_JSON_STRING.test(inner)) return [inner];
  }
  return JSON.parse(text) as (string | null)[];
}

function keyPart(value: Value): string | null {
  if (value === null) return null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}
