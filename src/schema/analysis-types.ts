import type { CanonicalType } from '../core/types.js';

/**
 * The result of `analyze`: plain JSON data (no bigint, no Uint8Array; every value is its canonical
 * text), so the CLI can print it with `JSON.stringify` and the mapping suggester can read it back.
 * Bump `version` on any change that a reader of an older file would misread.
 *
 * Numbers that are estimates say so next to them (`distinctExact`, `rowCountExact`,
 * `duplicatesExact`, `inclusion.sampled`); every other number is exact for the rows profiled.
 */
export interface Analysis {
  readonly version: 1;
  readonly source: { readonly connector: string; readonly displayName: string };
  readonly generatedAt: string;
  /**
   * True when any number is over a sample: a table profiled on its first `sampleRows` rows, or a
   * reference to a parent too large to hold checked on part of its values (`inclusion.sampled`).
   */
  readonly sampled: boolean;
  /** The `sampleRows` option, when given: tables larger than this were profiled on their first rows. */
  readonly sampleRows?: number;
  readonly tables: readonly TableProfile[];
  /** Declared and inferred foreign keys, each checked against the data. */
  readonly relationships: readonly Relationship[];
  readonly joinTables: readonly JoinTable[];
  readonly polymorphic: readonly PolymorphicLink[];
  /** Columns that name another table's row by its name (`AccountName` → accounts.Name); absent in older files. */
  readonly nameLinks?: readonly NameLink[];
}

export interface TableProfile {
  readonly name: string;
  /** Rows in the table: counted while reading, or (when sampled) from `count`/the catalog. */
  readonly rowCount: number;
  readonly rowCountExact: boolean;
  /** Rows the column statistics are computed over (less than `rowCount` when sampled). */
  readonly rowsProfiled: number;
  readonly sampled: boolean;
  readonly primaryKey: readonly string[];
  /** Records a file connector could not read (malformed lines, bad bytes). */
  readonly readRejects: number;
  readonly columns: readonly ColumnProfile[];
  /** Columns of a type crmbridge has no canonical form for (tsvector, GEOMETRY, …): not read, not profiled, never suggested. */
  readonly unsupported?: readonly { readonly name: string; readonly nativeType: string }[];
}

export interface ValueCount {
  readonly value: string;
  readonly count: number;
}

export interface PatternMatch {
  /** A detector name from `PATTERN_NAMES`. */
  readonly name: string;
  readonly matches: number;
  /** matches / non-blank values (non-NULL and not the empty string). */
  readonly share: number;
}

/** Values that break the column's dominant pattern: the dirt a mapping has to handle. */
export interface NonConforming {
  readonly pattern: string;
  /**
   * When the pattern is a type (`timestamp MM/DD/YYYY HH:MM:SS`): that type, its text format and
   * the share of non-blank values conforming, so a mapping can parse the conforming values and
   * reject the rest row by row.
   */
  readonly type?: { readonly kind: CanonicalType['kind']; readonly format?: string; readonly share: number };
  readonly count: number;
  readonly examples: readonly string[];
}

export interface ColumnProfile {
  readonly name: string;
  readonly type: CanonicalType;
  readonly nativeType: string;
  readonly nullable: boolean;
  readonly nullCount: number;
  /** nullCount / rowsProfiled. */
  readonly nullShare: number;
  /** Values equal to '' (never counted as NULL: blank and NULL are different values). */
  readonly emptyCount: number;
  /** Non-empty text values with leading or trailing white space (including all-blank ones). */
  readonly untrimmedCount: number;
  readonly distinctCount: number;
  /** False when `distinctCount` is a HyperLogLog estimate (about ±1% at one standard error). */
  readonly distinctExact: boolean;
  /** Smallest and largest value in the order of the column's type (inferred type for text), as canonical text. */
  readonly min?: string;
  readonly max?: string;
  /** Longest value in characters (code points), for text-like columns. */
  readonly maxLength?: number;
  /** Every distinct value with its count when the column has few of them (a picklist), most frequent first. */
  readonly topValues?: readonly ValueCount[];
  readonly patterns: readonly PatternMatch[];
  readonly nonConforming?: NonConforming;
  /**
   * For columns with e-mail addresses: addresses that repeat another one once trimmed and
   * case-folded (`Ana@X.org` and `ana@x.org`), as a match on e-mail would see them; an estimate
   * when the distinct count is.
   */
  readonly emailDuplicates?: number;
  /** For phone-like columns: the formats seen (digits shown as 9), most frequent first. */
  readonly phoneFormats?: readonly ValueCount[];
  /** For text columns: the type every non-blank value conforms to, when narrower than text. */
  readonly inferredType?: CanonicalType;
  /** The text format of the inferred type when not canonical, e.g. `MM/DD/YYYY`, `currency`. */
  readonly inferredFormat?: string;
  /** Unique and never NULL over the rows profiled (or by a declared key). */
  readonly candidateKey: boolean;
  /** Non-NULL values minus distinct values: rows that repeat a value already seen. */
  readonly duplicateValues: number;
  readonly duplicatesExact: boolean;
}

/** How many child values were found among the parent's keys. */
export interface Inclusion {
  /** Child rows with a non-NULL, non-empty reference that were checked. */
  readonly checkedRows: number;
  readonly matchedRows: number;
  readonly orphanRows: number;
  /** Rows whose reference is the empty string: no reference, yet not NULL either (not checked). */
  readonly blankRows: number;
  /** matchedRows / checkedRows (1 when nothing was checked). */
  readonly share: number;
  readonly orphanExamples: readonly string[];
  /** True when only part of the child rows were checked (a large parent, or `sampleRows`). */
  readonly sampled: boolean;
}

export interface ColumnRef {
  readonly table: string;
  readonly columns: readonly string[];
}

export interface Relationship {
  /** `declared`: a foreign key in the catalog; `inferred`: from column names, confirmed by values. */
  readonly kind: 'declared' | 'inferred';
  readonly from: ColumnRef;
  readonly to: ColumnRef;
  /** 0..1: how sure the analysis is that this is a real reference. */
  readonly confidence: number;
  readonly reason: string;
  readonly inclusion: Inclusion;
}

/** A link by name, confirmed by the values: the name column may repeat, and then a lookup on it is ambiguous. */
export interface NameLink {
  readonly from: ColumnRef;
  readonly to: ColumnRef;
  /** No two rows of `to` hold the same non-NULL name (over the rows profiled). */
  readonly unique: boolean;
  /** Rows of `to` that repeat a name already seen (the column's `duplicateValues`). */
  readonly repeatedRows: number;
  readonly repeatedExact: boolean;
  readonly inclusion: Inclusion;
  readonly reason: string;
}

export interface PolymorphicTarget {
  /** The type column's value, as stored (e.g. `Accounts`). */
  readonly typeValue: string;
  readonly table: string;
  readonly column: string;
  readonly inclusion: Inclusion;
}

export interface PolymorphicLink {
  readonly table: string;
  readonly typeColumn: string;
  readonly idColumn: string;
  readonly targets: readonly PolymorphicTarget[];
  /** Type values that name no table, with their row counts. */
  readonly unmatchedTypes: readonly ValueCount[];
  readonly confidence: number;
  readonly reason: string;
}

/** One side of a join table: a plain reference, or a polymorphic one (`typeColumn` set). */
export interface JoinSide {
  readonly column: string;
  readonly typeColumn?: string;
  readonly tables: readonly string[];
}

export interface JoinTable {
  readonly table: string;
  readonly sides: readonly [JoinSide, JoinSide];
  /** Columns besides the two sides, the key and audit columns (e.g. a role or primary flag). */
  readonly extraColumns: readonly string[];
  readonly confidence: number;
  readonly reason: string;
}
