import type { CanonicalType, ColumnSchema, TableSchema } from '../../core/types.js';
import { compareType } from './compare-types.js';
import type { ColumnPair } from './table-diff.js';

/**
 * What differs between the shapes of two tables (or two databases' table lists), before any row
 * is read: names pair case-insensitively (MySQL folds column case, PostgreSQL keeps it).
 */

export interface ColumnSummary {
  readonly name: string;
  readonly type: CanonicalType;
  readonly nativeType: string;
}

export interface TypeChange {
  readonly column: ColumnPair;
  readonly a: ColumnSummary;
  readonly b: ColumnSummary;
}

export interface RenameGuess {
  readonly a: string;
  readonly b: string;
  /** Why it is taken for a rename; always a guess, never applied to the row comparison. */
  readonly reason: string;
}

export interface SchemaDiff {
  readonly columnsOnlyInA: readonly ColumnSummary[];
  readonly columnsOnlyInB: readonly ColumnSummary[];
  /** Columns only in a and only in b at the same position with the same type (each also listed above). */
  readonly renamed: readonly RenameGuess[];
  readonly typeChanged: readonly TypeChange[];
  /** Columns both have, a's name and b's. */
  readonly shared: readonly ColumnPair[];
  readonly equal: boolean;
}

const fold = (name: string) => name.toLowerCase();
const summary = (c: ColumnSchema): ColumnSummary => ({ name: c.name, type: c.type, nativeType: c.nativeType });

/** Pairs `a` and `b` by case-insensitive name; what has no partner is only on its side. */
export function pairByName<T extends { readonly name: string }>(
  a: readonly T[],
  b: readonly T[],
): { pairs: [T, T][]; onlyA: T[]; onlyB: T[] } {
  const byName = new Map(b.map((x) => [fold(x.name), x]));
  const pairs: [T, T][] = [];
  const onlyA: T[] = [];
  for (const x of a) {
    const partner = byName.get(fold(x.name));
    if (partner) {
      pairs.push([x, partner]);
      byName.delete(fold(x.name));
    } else onlyA.push(x);
  }
  return { pairs, onlyA, onlyB: [...byName.values()] };
}

/**
 * The column differences of two tables. A type changed when, within one dialect, the native
 * types differ; across dialects (whose native spellings always differ), when the canonical
 * types differ beyond one side merely refining the other (text holding uuids against uuid), or
 * when both declare a length, precision or scale and they differ.
 */
export function diffTableSchemas(a: TableSchema, b: TableSchema, sameDialect: boolean): SchemaDiff {
  const { pairs, onlyA, onlyB } = pairByName(a.columns, b.columns);
  const typeChanged = pairs
    .filter(([x, y]) => (sameDialect ? sameNative(x, y) === false : !sameCanonical(x.type, y.type)))
    .map(([x, y]) => ({ column: { a: x.name, b: y.name }, a: summary(x), b: summary(y) }));
  const renamed: RenameGuess[] = [];
  for (const x of onlyA) {
    const y = b.columns[a.columns.indexOf(x)];
    if (y && onlyB.includes(y) && canonicalEqual(x.type, y.type) && (!sameDialect || sameNative(x, y))) {
      renamed.push({ a: x.name, b: y.name, reason: 'a guess: same position and type' });
    }
  }
  return {
    columnsOnlyInA: onlyA.map(summary),
    columnsOnlyInB: onlyB.map(summary),
    renamed,
    typeChanged,
    shared: pairs.map(([x, y]) => ({ a: x.name, b: y.name })),
    equal: onlyA.length + onlyB.length + typeChanged.length === 0,
  };
}

function sameNative(a: ColumnSchema, b: ColumnSchema): boolean {
  return a.nativeType.trim().toLowerCase() === b.nativeType.trim().toLowerCase();
}

const canonicalEqual = (a: CanonicalType, b: CanonicalType) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Across dialects: kinds are the same when one merely refines the other (`compareType` returns
 * the more specific type whichever side comes first; for unrelated kinds it returns its first
 * argument, so the two calls differ), and sizes count only when both sides declare them.
 */
function sameCanonical(a: CanonicalType, b: CanonicalType): boolean {
  if (a.kind !== b.kind) return compareType(a, b) === compareType(b, a);
  const sizes = (t: CanonicalType) => Object.entries(t).filter(([k]) => k !== 'kind');
  const [sa, sb] = [sizes(a), sizes(b)];
  return sa.length === 0 || sb.length === 0 || JSON.stringify(sa) === JSON.stringify(sb);
}
