import type { Value } from '../core/types.js';
import { compareDecimalText } from '../schema/value-order.js';
import type { LookupSpec } from './project/project-schema.js';
import { looseText } from './row-mapper.js';

/** One related row of a lookup: the value it gives, and its texts in the columns of `lookupOrder`. */
export interface RelatedCandidate {
  readonly value: Value;
  readonly order: readonly (string | null)[];
}

/** Several different values tie for a one-value pick: the source does not say which one is meant. */
export interface LookupAmbiguity {
  /** The different values that tie, as text, in the order found. */
  readonly candidates: readonly string[];
  /** `reject`: the row is rejected (ambiguous_reference); `null`: the field is NULL, as the mapping declares. */
  readonly policy: 'reject' | 'null';
}

export type LookupPick =
  | { readonly value: Value; readonly ambiguous?: undefined }
  | { readonly value: null; readonly ambiguous: LookupAmbiguity };

export interface OrderColumn {
  readonly column: string;
  readonly descending: boolean;
}

/** The related table's columns that order a lookup's rows: `orderBy`, then the `firstBy` tie-break. */
export function lookupOrder(spec: LookupSpec): OrderColumn[] {
  const firstBy = typeof spec.onAmbiguous === 'object' ? spec.onAmbiguous.firstBy : [];
  return [...(spec.orderBy ? [spec.orderBy] : []), ...(typeof firstBy === 'string' ? [firstBy] : firstBy)].map((c) => ({
    column: c.replace(/^-/, ''),
    descending: c.startsWith('-'),
  }));
}

/**
 * A lookup's pick from one source row's related rows (NULL values left out). `all` takes every
 * value. `first` and `rest` depend on which row comes first: when the first rows under the
 * lookup's order tie (no order at all, or equal texts in every order column) and give different
 * values, which one comes first is chance (the database's row order), so nothing is picked and
 * the ambiguity is returned instead. Rows that tie with the same value are not ambiguous.
 */
export function pickRelated(related: readonly RelatedCandidate[], spec: LookupSpec, order: readonly OrderColumn[]): LookupPick {
  const present = related.filter((c) => c.value !== null);
  const sorted = order.length > 0 ? [...present].sort((a, b) => compareOrder(a.order, b.order, order)) : present;
  if (spec.pick === 'all') return { value: sorted.map((c) => String(c.value)) };
  if (sorted.length === 0) return { value: spec.pick === 'first' ? null : [] };
  const tied = new Set<string>();
  for (const c of sorted) if (compareOrder(c.order, sorted[0].order, order) === 0) tied.add(looseText(c.value)!);
  if (tied.size > 1) return { value: null, ambiguous: { candidates: [...tied], policy: spec.onAmbiguous === 'null' ? 'null' : 'reject' } };
  return { value: spec.pick === 'first' ? sorted[0].value : sorted.slice(1).map((c) => String(c.value)) };
}

/** The reject message of an ambiguous lookup: the value matched and the candidates (the first five, then a count). */
export function ambiguityMessage(spec: LookupSpec, matched: Value, ambiguity: LookupAmbiguity): string {
  const shown = ambiguity.candidates.slice(0, 5).join(', ');
  const more = ambiguity.candidates.length > 5 ? ` and ${ambiguity.candidates.length - 5} more` : '';
  return (
    `${ambiguity.candidates.length} different ${spec.through?.table ?? spec.table}.${spec.value} match ` +
    `${spec.table}.${spec.match} = ${JSON.stringify(looseText(matched))}: ` +
    `${shown}${more}; add an orderBy on a unique column or onAmbiguous: { firstBy: … } to choose, or onAmbiguous: null`
  );
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * Orders the related rows: numbers (as text) by value, exactly; other texts by code point (a
 * binary order, equal only when equal, so a tie is a real tie); NULL first.
 */
function compareOrder(a: readonly (string | null)[], b: readonly (string | null)[], order: readonly OrderColumn[]): number {
  for (let i = 0; i < order.length; i++) {
    const c = compareText(a[i], b[i]);
    if (c !== 0) return order[i].descending ? -c : c;
  }
  return 0;
}

function compareText(x: string | null, y: string | null): number {
  if (x === y) return 0;
  if (x === null) return -1;
  if (y === null) return 1;
  if (DECIMAL.test(x) && DECIMAL.test(y)) return compareDecimalText(x, y);
  return x < y ? -1 : x > y ? 1 : 0;
}
