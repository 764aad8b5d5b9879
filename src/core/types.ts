/**
 * The canonical type vocabulary. Every connector maps its native types to and from these
 * (with a table, see each connector's `*-types.ts`), so the engine never reasons about a
 * dialect's types directly.
 */
export type CanonicalType =
  | { readonly kind: 'text'; readonly length?: number }
  | { readonly kind: 'integer' }
  | { readonly kind: 'bigint' }
  | { readonly kind: 'decimal'; readonly precision?: number; readonly scale?: number }
  | { readonly kind: 'float' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'date' }
  | { readonly kind: 'time' }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'timestamptz' }
  | { readonly kind: 'uuid' }
  | { readonly kind: 'json' }
  | { readonly kind: 'binary'; readonly length?: number }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'multiselect'; readonly values?: readonly string[] }
  /**
   * A native type with no canonical form (PostgreSQL tsvector, point, ltree, ranges; MySQL
   * GEOMETRY, …), named as the catalog spells it. Its values travel unchanged, as the database's
   * own text (a `string`) or bytes (a `Uint8Array`), and only into a column of the same native
   * type of the same kind of database (`dialect`): crmbridge cannot convert them.
   */
  | { readonly kind: 'opaque'; readonly native: string; readonly dialect: string };

export type CanonicalKind = CanonicalType['kind'];

export const CANONICAL_KINDS: readonly CanonicalKind[] = [
  'text',
  'integer',
  'bigint',
  'decimal',
  'float',
  'boolean',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'uuid',
  'json',
  'binary',
  'enum',
  'multiselect',
];

/**
 * One value in flight. The JS representation per canonical kind is fixed, so that exactness
 * is a property of the type system rather than of each connector's care:
 *
 * | kind        | JS value                                                                 |
 * |-------------|--------------------------------------------------------------------------|
 * | text, enum  | `string`                                                                 |
 * | integer     | `number` (a safe 32-bit integer)                                         |
 * | bigint      | `bigint` (never a `number`: ids above 2^53 stay exact)                   |
 * | decimal     | `string` in plain notation, e.g. `"-12345.678900"` (never a `number`)    |
 * | float       | `number`                                                                 |
 * | boolean     | `boolean`                                                                |
 * | date        | `string` `YYYY-MM-DD` (no `Date`: a date never shifts with `TZ`)         |
 * | time        | `string` `HH:MM:SS[.ffffff]`                                             |
 * | timestamp   | `string` `YYYY-MM-DD HH:MM:SS[.ffffff]`, naive (no zone)                 |
 * | timestamptz | `string` `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, always UTC                     |
 * | uuid        | `string`, lower case                                                     |
 * | json        | `string`: the JSON text (so `[]` vs `{}` and big numbers survive)        |
 * | binary      | `Uint8Array` (NUL bytes kept)                                            |
 * | multiselect | `string[]`                                                               |
 *
 * `null` is SQL NULL and is never the empty string.
 */
export type Value = string | number | bigint | boolean | Uint8Array | readonly string[] | null;

/** A row is positional: index i holds the value of `columns[i]` of its batch. */
export type Row = Value[];

/** The unit of data movement: rows of one table, with their column names in order. */
export interface RowBatch {
  readonly columns: readonly string[];
  readonly rows: Row[];
}

export interface ColumnSchema {
  readonly name: string;
  readonly type: CanonicalType;
  /** The type as the source system spells it, e.g. `varchar(255)`, `numeric(38,10)`. */
  readonly nativeType: string;
  readonly nullable: boolean;
  /** The default as SQL text, or undefined when there is none. */
  readonly default?: string;
  readonly autoIncrement?: boolean;
  /**
   * The database computes the column (a generated column, an identity GENERATED ALWAYS): it is
   * read like any other, never written.
   */
  readonly generated?: boolean;
  readonly comment?: string;
  /**
   * The encoding (an iconv-lite name: `gbk`, `ascii`, `windows-1252`) the reader decodes this
   * text column's bytes in, where the server's own conversion to UTF-8 could replace characters
   * silently or the source options declare the bytes' real encoding (MySQL); undefined when the
   * server's conversion is used.
   */
  readonly charset?: string;
}

export interface ForeignKey {
  readonly name?: string;
  readonly columns: readonly string[];
  readonly referencedTable: string;
  readonly referencedColumns: readonly string[];
}

export interface IndexSchema {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  /** A partial index's WHERE condition, as the target's SQL prints it (`"deletedAt" IS NULL`). */
  readonly predicate?: string;
}

/** A CHECK constraint: the row is refused when `expression` (the target's SQL) is false. */
export interface CheckConstraint {
  readonly name: string;
  readonly expression: string;
}

export interface TableSchema {
  readonly name: string;
  readonly columns: readonly ColumnSchema[];
  readonly primaryKey: readonly string[];
  readonly uniqueKeys: readonly (readonly string[])[];
  readonly foreignKeys: readonly ForeignKey[];
  readonly indexes: readonly IndexSchema[];
  /** CHECK constraints, where the connector reads them (PostgreSQL, MySQL/MariaDB). */
  readonly checks?: readonly CheckConstraint[];
  /** Names of the user triggers on the table: they run on writes and no dry run can predict them. */
  readonly triggers?: readonly string[];
  /** Estimated row count from the catalog (fast, not exact); undefined when unknown. */
  readonly rowEstimate?: number;
}

export interface DatabaseSchema {
  readonly tables: readonly TableSchema[];
}

export function findTable(schema: DatabaseSchema, name: string): TableSchema | undefined {
  return schema.tables.find((t) => t.name === name);
}

export function columnIndex(batch: RowBatch, name: string): number {
  return batch.columns.indexOf(name);
}
