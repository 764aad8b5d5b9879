import type { CanonicalType } from '../../core/types.js';
import { sameDialect } from '../shared/opaque-type.js';

/**
 * Native SQLite declared types ↔ canonical types.
 *
 * SQLite stores values by *affinity*, derived from the declared type by substring rules, in
 * order: contains INT → INTEGER; CHAR/CLOB/TEXT → TEXT; BLOB or nothing → BLOB; REAL/FLOA/DOUB →
 * REAL; anything else → NUMERIC. NUMERIC affinity turns '1234567890123456789012345678.1234567890'
 * into a REAL and loses digits, so every canonical type whose JS form is a string is declared
 * with a name containing TEXT (`DECIMAL_TEXT(38,10)`, `DATE_TEXT`, …): the value is stored as
 * given, and the name still tells introspection the canonical type.
 */

/** Canonical type → declared type written by crmbridge. Each must introspect back to its kind. */
export function declaredType(type: CanonicalType): string {
  switch (type.kind) {
    case 'text':
      return type.length === undefined ? 'TEXT' : `VARCHAR(${type.length})`;
    case 'decimal':
      return type.precision === undefined ? 'DECIMAL_TEXT' : `DECIMAL_TEXT(${type.precision},${type.scale ?? 0})`;
    case 'binary':
      return type.length === undefined ? 'BLOB' : `BLOB(${type.length})`;
    case 'opaque':
      return sameDialect(type, 'sqlite');
    default:
      return FIXED_DECLARATIONS[type.kind];
  }
}

const FIXED_DECLARATIONS: Record<Exclude<CanonicalType['kind'], 'text' | 'decimal' | 'binary' | 'opaque'>, string> = {
  // INT32, not INTEGER: a foreign INTEGER column holds 64-bit values and reads as bigint.
  integer: 'INT32',
  bigint: 'BIGINT',
  float: 'REAL',
  // NUMERIC affinity keeps 0/1 as integers; BOOLEAN is what other SQLite tools recognise.
  boolean: 'BOOLEAN',
  date: 'DATE_TEXT',
  time: 'TIME_TEXT',
  timestamp: 'TIMESTAMP_TEXT',
  timestamptz: 'TIMESTAMPTZ_TEXT',
  uuid: 'UUID_TEXT',
  json: 'JSON_TEXT',
  // Enum values live in a CHECK constraint on the column (see sqlite-ddl.ts), which SQLite enforces.
  enum: 'ENUM_TEXT',
  // A JSON array of strings.
  multiselect: 'MULTISELECT_TEXT',
};

type TypeFromMatch = (args: readonly number[]) => CanonicalType;

const kind =
  <K extends CanonicalType['kind']>(k: K) =>
  (): CanonicalType =>
    ({ kind: k }) as CanonicalType;

/**
 * Declared type (upper case, arguments split off) → canonical type. First match wins: our own
 * declarations, then names common in foreign SQLite files (Rails, Django, SQLAlchemy, exports of
 * MySQL dumps), then SQLite's affinity rules as the fallback, so no declared type is unmappable.
 *
 * Notes on the choices:
 * - INTEGER/INT are 64-bit in SQLite (and the rowid alias), so they read as bigint, as pgloader does.
 * - TINYINT(1) is MySQL's boolean convention; other TINYINTs are integers.
 * - CHAR(36) stays text: it often holds UUIDs but nothing enforces that; `analyze` can suggest uuid.
 * - A foreign DECIMAL/NUMERIC column has NUMERIC affinity, so SQLite may already hold a REAL in
 *   it: it is still read as a decimal string (the shortest text of that double), the best
 *   that remains of the value; no further digits are lost on the way out.
 * - A column with no declared type holds anything; it reads as text.
 */
const NATIVE_TYPES: readonly (readonly [RegExp, TypeFromMatch])[] = [
  [/^DECIMAL_TEXT$/, ([p, s]) => (p === undefined ? { kind: 'decimal' } : { kind: 'decimal', precision: p, scale: s ?? 0 })],
  [/^DATE_TEXT$/, kind('date')],
  [/^TIME_TEXT$/, kind('time')],
  [/^TIMESTAMP_TEXT$/, kind('timestamp')],
  [/^TIMESTAMPTZ_TEXT$/, kind('timestamptz')],
  [/^UUID_TEXT$/, kind('uuid')],
  [/^JSON_TEXT$/, kind('json')],
  [/^ENUM_TEXT$/, () => ({ kind: 'enum', values: [] })],
  [/^MULTISELECT_TEXT$/, kind('multiselect')],
  [/^INT32$/, kind('integer')],
  [/^(TINYINT|INT1)$/, ([n]) => (n === 1 ? { kind: 'boolean' } : { kind: 'integer' })],
  [/^(BOOL|BOOLEAN|BIT)$/, kind('boolean')],
  [/^(SMALLINT|MEDIUMINT|INT2|INT4|INT3)$/, kind('integer')],
  [/^(INT|INTEGER|BIGINT|INT8|UNSIGNED BIG INT|BIG INT)( UNSIGNED)?$/, kind('bigint')],
  [
    /^(DECIMAL|NUMERIC|NUMBER|DEC|MONEY)( UNSIGNED)?$/,
    ([p, s]) => (p === undefined ? { kind: 'decimal' } : { kind: 'decimal', precision: p, scale: s ?? 0 }),
  ],
  [/^(REAL|DOUBLE|DOUBLE PRECISION|FLOAT|FLOAT4|FLOAT8)( UNSIGNED)?$/, kind('float')],
  [/^DATE$/, kind('date')],
  [/^TIME$/, kind('time')],
  [/^(DATETIME|TIMESTAMP|TIMESTAMP WITHOUT TIME ZONE)$/, kind('timestamp')],
  [/^(TIMESTAMPTZ|TIMESTAMP WITH TIME ZONE|DATETIMEOFFSET)$/, kind('timestamptz')],
  [/^(UUID|UNIQUEIDENTIFIER|GUID)$/, kind('uuid')],
  [/^(JSON|JSONB)$/, kind('json')],
  [
    /^(BLOB|BYTEA|BINARY|VARBINARY|LONGBLOB|MEDIUMBLOB|TINYBLOB|IMAGE)$/,
    ([n]) => (n === undefined ? { kind: 'binary' } : { kind: 'binary', length: n }),
  ],
  [
    /^(VARCHAR|CHAR|CHARACTER|NCHAR|NVARCHAR|VARYING CHARACTER|NATIVE CHARACTER|CHARACTER VARYING)$/,
    ([n]) => (n === undefined ? { kind: 'text' } : { kind: 'text', length: n }),
  ],
  // SQLite's affinity rules, in SQLite's order.
  [/INT/, kind('bigint')],
  [/CHAR|CLOB|TEXT/, kind('text')],
  [/^$/, kind('text')],
  [/BLOB/, kind('binary')],
  [/REAL|FLOA|DOUB/, kind('float')],
];

/** Maps a declared column type (as `pragma_table_info` gives it) to its canonical type. Total. */
export function canonicalType(declared: string): CanonicalType {
  const m = /^\s*([^(]*?)\s*(?:\(\s*([+-]?\d+)\s*(?:,\s*([+-]?\d+)\s*)?\))?\s*$/.exec(declared);
  const name = (m?.[1] ?? declared).toUpperCase().replace(/\s+/g, ' ');
  const args = m ? [m[2], m[3]].filter((a): a is string => a !== undefined).map(Number) : [];
  for (const [pattern, make] of NATIVE_TYPES) {
    if (pattern.test(name)) return make(args);
  }
  // Everything else has NUMERIC affinity.
  return { kind: 'decimal' };
}
