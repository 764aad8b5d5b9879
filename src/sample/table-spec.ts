import type { CanonicalType, ColumnSchema, IndexSchema, TableSchema, Value } from '../core/types.js';

/**
 * A legacy table declared as data: `[column, MySQL native type]` pairs in order. Declaring the
 * columns once as a const tuple gives both the canonical TableSchema and a row type with one
 * property per column, so a row builder that forgets or misspells a column does not compile.
 */
export type ColumnSpec = readonly [name: string, nativeType: string];

export type RowRecord<C extends readonly ColumnSpec[]> = { [K in C[number][0]]: Value };

export interface TableSpec<C extends readonly ColumnSpec[]> {
  readonly schema: TableSchema;
  readonly columns: readonly string[];
  /** The positional row of `record`, in column order. */
  toRow(record: RowRecord<C>): Value[];
}

/** Native (Sugar on MySQL) type → canonical type, as a table of patterns, first match wins. */
const NATIVE_TYPES: readonly (readonly [RegExp, (m: RegExpExecArray) => CanonicalType])[] = [
  [/^(?:var)?char\((\d+)\)$/, (m) => ({ kind: 'text', length: Number(m[1]) })],
  [/^(?:text|longtext|mediumtext)$/, () => ({ kind: 'text' })],
  [/^tinyint\(1\)$/, () => ({ kind: 'boolean' })],
  [/^int(?:\(\d+\))?$/, () => ({ kind: 'integer' })],
  [/^decimal\((\d+),(\d+)\)$/, (m) => ({ kind: 'decimal', precision: Number(m[1]), scale: Number(m[2]) })],
  [/^double$/, () => ({ kind: 'float' })],
  [/^date$/, () => ({ kind: 'date' })],
  [/^datetime$/, () => ({ kind: 'timestamp' })],
];

export function canonicalOf(nativeType: string): CanonicalType {
  for (const [pattern, toType] of NATIVE_TYPES) {
    const m = pattern.exec(nativeType);
    if (m) return toType(m);
  }
  throw new Error(`sample schema: no canonical type for native type ${nativeType}`);
}

export function defineTable<const C extends readonly ColumnSpec[]>(
  name: string,
  columns: C,
  options: { primaryKey?: readonly string[]; indexes?: readonly IndexSchema[] } = {},
): TableSpec<C> {
  const primaryKey = options.primaryKey ?? [columns[0][0]];
  const columnSchemas: ColumnSchema[] = columns.map(([column, nativeType]) => ({
    name: column,
    type: canonicalOf(nativeType),
    nativeType,
    // As in Sugar: everything but the key is nullable, and no foreign keys are declared.
    nullable: !primaryKey.includes(column),
  }));
  const names = columns.map(([column]) => column as C[number][0]);
  return {
    schema: { name, columns: columnSchemas, primaryKey, uniqueKeys: [], foreignKeys: [], indexes: options.indexes ?? [] },
    columns: names,
    toRow: compileToRow<RowRecord<C>>(names),
  };
}

/**
 * `record => [record.a, record.b, …]` compiled for one column list. A generic
 * `names.map(c => record[c])` is a megamorphic keyed load per cell and was the generator's
 * single biggest cost; named loads on one record shape are monomorphic. The names are
 * embedded with JSON.stringify, so no column name can inject code.
 */
function compileToRow<R>(names: readonly string[]): (record: R) => Value[] {
  const body = `return [${names.map((n) => `r[${JSON.stringify(n)}]`).join(', ')}];`;
  return new Function('r', body) as (record: R) => Value[];
}

export function index(table: string, columns: readonly string[]): IndexSchema {
  return { name: `idx_${table}_${columns.join('_')}`, columns, unique: false };
}

/** Sugar's audit columns, shared by every bean table. */
export const AUDIT_COLUMNS = [
  ['date_entered', 'datetime'],
  ['date_modified', 'datetime'],
  ['modified_user_id', 'char(36)'],
  ['created_by', 'char(36)'],
] as const;
