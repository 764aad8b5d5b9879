import type { Tally } from '../manifest.js';

const NON_ASCII = /[\u0080-\u{10FFFF}]/u;

/** Counts a person row whose first or last name is not ASCII (the names come from the plan). */
export function countNonAscii(tally: Tally, table: string, first: string, last: string): void {
  if (NON_ASCII.test(first) || NON_ASCII.test(last)) tally.add('nonAsciiNames', table);
}
