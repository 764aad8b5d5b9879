import { shortenIdentifier } from '../../core/identifiers.js';

/** MySQL's identifier limit in bytes, for tables, columns, indexes and constraints alike. */
export const MAX_IDENTIFIER_BYTES = 64;

/** The name as stored: names over 64 bytes are shortened the same way everywhere (DDL, reads, writes). */
export function nativeName(name: string): string {
  return shortenIdentifier(name, MAX_IDENTIFIER_BYTES);
}

/** A backtick-quoted identifier, shortened to the dialect limit. */
export function quoteId(name: string): string {
  return `\`${nativeName(name).replace(/`/g, '``')}\``;
}

export function quoteList(names: readonly string[]): string {
  return names.map(quoteId).join(', ');
}

/** `(a, b)` or `a`: a row constructor for tuple comparisons (one column needs no parentheses). */
export function tuple(parts: readonly string[]): string {
  return parts.length === 1 ? parts[0] : `(${parts.join(', ')})`;
}

/** `(k1, k2) IN ((?, ?), (?, ?))` for `count` keys. */
export function keyInList(keyColumns: readonly string[], count: number): string {
  const one = tuple(keyColumns.map(() => '?'));
  return `${tuple(keyColumns.map(quoteId))} IN (${Array.from({ length: count }, () => one).join(', ')})`;
}
