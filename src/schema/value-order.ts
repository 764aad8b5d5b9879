import type { CanonicalKind } from '../core/types.js';

export type TextComparator = (a: string, b: string) => number;

const splitDecimal = (text: string): { negative: boolean; int: string; frac: string } => {
  const negative = text.startsWith('-');
  const [int, frac = ''] = (negative ? text.slice(1) : text).split('.');
  return { negative, int: int.replace(/^0+(?=\d)/, ''), frac: frac.replace(/0+$/, '') };
};

/** Integers of up to 15 digits are exact as doubles: the common case skips the text arithmetic. */
const SMALL_INTEGER = /^-?\d{1,15}$/;

/** Orders plain-notation decimal texts (`-12.5`, `3`, `0.001`) exactly, with no floating point. */
export function compareDecimalText(a: string, b: string): number {
  if (a.length <= 16 && b.length <= 16 && SMALL_INTEGER.test(a) && SMALL_INTEGER.test(b)) return Number(a) - Number(b);
  const x = splitDecimal(a);
  const y = splitDecimal(b);
  const xZero = /^0*$/.test(x.int) && x.frac === '';
  const yZero = /^0*$/.test(y.int) && y.frac === '';
  const xSign = xZero ? 0 : x.negative ? -1 : 1;
  const ySign = yZero ? 0 : y.negative ? -1 : 1;
  if (xSign !== ySign) return xSign - ySign;
  let magnitude = x.int.length - y.int.length;
  if (magnitude === 0) magnitude = x.int < y.int ? -1 : x.int > y.int ? 1 : 0;
  if (magnitude === 0) {
    const width = Math.max(x.frac.length, y.frac.length);
    const xf = x.frac.padEnd(width, '0');
    const yf = y.frac.padEnd(width, '0');
    magnitude = xf < yf ? -1 : xf > yf ? 1 : 0;
  }
  return xSign < 0 ? -magnitude : magnitude;
}

const compareFloatText: TextComparator = (a, b) => Number(a) - Number(b);
const compareCodeUnits: TextComparator = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * How canonical texts of a kind order. Fixed-width forms (dates, times, timestamps, UUIDs, hex)
 * order as text; text orders by UTF-16 code units (a binary collation, the same on every engine).
 * Undefined for kinds with no meaningful order (json, multiselect).
 */
export function comparatorFor(kind: CanonicalKind): TextComparator | undefined {
  switch (kind) {
    case 'integer':
    case 'bigint':
    case 'decimal':
      return compareDecimalText;
    case 'float':
      return compareFloatText;
    case 'json':
    case 'multiselect':
      return undefined;
    default:
      return compareCodeUnits;
  }
}

/** Keeps the smallest and largest text seen under one order. */
export class MinMax {
  min: string | undefined;
  max: string | undefined;

  constructor(private readonly compare: TextComparator) {}

  add(text: string): void {
    if (this.min === undefined) {
      this.min = text;
      this.max = text;
    } else if (this.compare(text, this.min) < 0) this.min = text;
    else if (this.compare(text, this.max!) > 0) this.max = text;
  }

  merge(other: MinMax): void {
    if (other.min !== undefined) this.add(other.min);
    if (other.max !== undefined) this.add(other.max);
  }
}
