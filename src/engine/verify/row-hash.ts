import { hash } from 'node:crypto';

/**
 * The in-process half of the checksum contract (see `ChecksumRequest` in connectors/contract.ts):
 * each dialect computes the same row string and hash in SQL, so a file hashed here and a table
 * hashed by its database agree exactly when their canonical texts do.
 */

/** The text with `\` and `|` escaped, then `|`; NULL is `\N|` (an escaped text never holds `\N`). */
export function fieldText(text: string | null): string {
  if (text === null) return '\\N|';
  return `${text.replaceAll('\\', '\\\\').replaceAll('|', '\\|')}|`;
}

/** The row hash: the first 64 bits of md5(row string), unsigned. */
export function rowHash(key: readonly string[], values: readonly (string | null)[]): bigint {
  let row = '';
  for (const k of key) row += fieldText(k);
  for (const v of values) row += fieldText(v);
  return (hash('md5', row, 'buffer') as Buffer).readBigUInt64BE(0);
}

const MASK = (1n << 64n) - 1n;

/** Sum modulo 2^64: the order-free combination of row hashes in a segment checksum. */
export function addHash(sum: bigint, rowHashValue: bigint): bigint {
  return (sum + rowHashValue) & MASK;
}

export function subtractHash(sum: bigint, rowHashValue: bigint): bigint {
  return (sum - rowHashValue) & MASK;
}
