import { CrmError } from '../../core/errors/index.js';
import type { CanonicalKind } from '../../core/types.js';

/**
 * Canonical key order, the one every checksum session sorts by (see `ChecksumRequest`):
 * integers and decimals numerically, every other kind by the code points of its canonical text
 * (which is byte order of UTF-8, PostgreSQL's "C" collation and MySQL's binary collations).
 */
export type KeyComparator = (a: readonly string[], b: readonly string[]) => number;

const NUMERIC: readonly CanonicalKind[] = ['integer', 'bigint', 'decimal'];
const TEXTUAL: readonly CanonicalKind[] = ['text', 'enum', 'uuid', 'date', 'time', 'timestamp', 'timestamptz', 'binary'];

export function keyComparator(kinds: readonly CanonicalKind[]): KeyComparator {
  const parts = kinds.map((kind) => {
    if (NUMERIC.includes(kind)) return compareDecimalText;
    if (TEXTUAL.includes(kind)) return compareCodePoints;
    throw new CrmError('CRM_C1003', `a ${kind} column cannot be a key for verify or diff (it has no exact order)`);
  });
  return (a, b) => {
    for (let i = 0; i < parts.length; i++) {
      const c = parts[i](a[i], b[i]);
      if (c !== 0) return c;
    }
    return 0;
  };
}

/** Code point order; JavaScript's `<` compares UTF-16 units, which puts U+10000… before U+E000…. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (U+D800–DFFF) starts a code point above U+FFFF: it sorts after U+E000–FFFF.
    const surrogate = (u: number) => u >= 0xd800 && u <= 0xdfff;
    if (surrogate(x) !== surrogate(y) && (x >= 0xe000 || y >= 0xe000)) return surrogate(x) ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Numeric order of canonical decimal texts (`-12.5`, `3`, `0.001`), exactly, without `number`. */
export function compareDecimalText(a: string, b: string): number {
  const negA = a.startsWith('-');
  const negB = b.startsWith('-');
  if (negA !== negB) return negA ? -1 : 1;
  const magnitude = compareMagnitude(negA ? a.slice(1) : a, negB ? b.slice(1) : b);
  return negA ? -magnitude : magnitude;
}

function compareMagnitude(a: string, b: string): number {
  const [ia, fa = ''] = a.split('.');
  const [ib, fb = ''] = b.split('.');
  if (ia.length !== ib.length) return ia.length - ib.length;
  if (ia !== ib) return ia < ib ? -1 : 1;
  const width = Math.max(fa.length, fb.length);
  const pa = fa.padEnd(width, '0');
  const pb = fb.padEnd(width, '0');
  return pa === pb ? 0 : pa < pb ? -1 : 1;
}
