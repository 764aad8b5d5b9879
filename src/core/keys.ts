import type { Value } from './types.js';

/**
 * One exact text form for a (possibly composite) key: a JSON array of each part's text. A key
 * read as `42` (number), `42n` (bigint) or `'42'` (text) encodes the same, so keys compare
 * equal across engines whose drivers type them differently. Binary parts are hex.
 */
export function encodeKey(values: readonly Value[]): string {
  // Fast path for the common single-part key (one call per row on the hot path); same text.
  if (values.length === 1) {
    const part = keyPart(values[0]);
    return part === null ? '[null]' : `[${JSON.stringify(part)}]`;
  }
  return JSON.stringify(values.map(keyPart));
}

export function decodeKey(text: string): (string | null)[] {
  return JSON.parse(text) as (string | null)[];
}

function keyPart(value: Value): string | null {
  if (value === null) return null;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}
