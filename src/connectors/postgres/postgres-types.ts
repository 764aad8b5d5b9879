import type { CanonicalKind, CanonicalType } from '../../core/types.js';
import { sameDialect } from '../shared/opaque-type.js';

/**
 * Native type (pg_type.typname of the column's base type) → canonical type, given the column's
 * type modifier (pg_attribute.atttypmod, -1 when none). Types missing here have no canonical
 * form: the introspector gives them as `opaque`, carried as their text form.
 */
export const NATIVE_TO_CANONICAL: Readonly<Record<string, (typmod: number) => CanonicalType>> = {
  int2: () => ({ kind: 'integer' }),
  int4: () => ({ kind: 'integer' }),
  int8: () => ({ kind: 'bigint' }),
  numeric: numericType,
  float4: () => ({ kind: 'float' }),
  float8: () => ({ kind: 'float' }),
  bool: () => ({ kind: 'boolean' }),
  text: () => ({ kind: 'text' }),
  varchar: characterType,
  bpchar: characterType,
  name: () => ({ kind: 'text' }),
  citext: () => ({ kind: 'text' }),
  // Types with no canonical counterpart but an exact text form: kept as text, losslessly.
  interval: () => ({ kind: 'text' }),
  timetz: () => ({ kind: 'text' }),
  inet: () => ({ kind: 'text' }),
  cidr: () => ({ kind: 'text' }),
  macaddr: () => ({ kind: 'text' }),
  xml: () => ({ kind: 'text' }),
  date: () => ({ kind: 'date' }),
  time: () => ({ kind: 'time' }),
  timestamp: () => ({ kind: 'timestamp' }),
  timestamptz: () => ({ kind: 'timestamptz' }),
  uuid: () => ({ kind: 'uuid' }),
  json: () => ({ kind: 'json' }),
  jsonb: () => ({ kind: 'json' }),
  bytea: () => ({ kind: 'binary' }),
  _text: () => ({ kind: 'multiselect' }),
  _varchar: () => ({ kind: 'multiselect' }),
  _bpchar: () => ({ kind: 'multiselect' }),
};

/** varchar(n) and char(n) store n + 4 (the varlena header) in atttypmod. */
function characterType(typmod: number): CanonicalType {
  return typmod >= 4 ? { kind: 'text', length: typmod - 4 } : { kind: 'text' };
}

/** numeric(p,s) stores ((p << 16) | s) + 4 in atttypmod. */
function numericType(typmod: number): CanonicalType {
  if (typmod < 4) return { kind: 'decimal' };
  const packed = typmod - 4;
  return { kind: 'decimal', precision: (packed >> 16) & 0xffff, scale: packed & 0xffff };
}

/** The native column type for a canonical type, and whether the canonical type needs recording. */
export interface NativeColumnType {
  readonly sql: string;
  /**
   * True when introspecting `sql` would not give the canonical type back (enum → text,
   * multiselect values → text[]): the writer then records it in the column comment.
   */
  readonly recordCanonical: boolean;
}

type ToNative = { readonly [K in CanonicalKind]: (type: Extract<CanonicalType, { kind: K }>) => NativeColumnType };

/** varchar's own limit; longer declared lengths become text. */
const MAX_VARCHAR_LENGTH = 10_485_760;

const exact = (sql: string): NativeColumnType => ({ sql, recordCanonical: false });

/** Canonical type → PostgreSQL DDL type. Times keep microseconds (precision 6, the maximum). */
const CANONICAL_TO_NATIVE: ToNative = {
  text: (t) => exact(t.length !== undefined && t.length > 0 && t.length <= MAX_VARCHAR_LENGTH ? `varchar(${t.length})` : 'text'),
  integer: () => exact('integer'),
  bigint: () => exact('bigint'),
  decimal: (t) => exact(t.precision ? `numeric(${t.precision},${t.scale ?? 0})` : 'numeric'),
  float: () => exact('double precision'),
  boolean: () => exact('boolean'),
  date: () => exact('date'),
  time: () => exact('time(6)'),
  timestamp: () => exact('timestamp(6)'),
  timestamptz: () => exact('timestamptz(6)'),
  uuid: () => exact('uuid'),
  json: () => exact('jsonb'),
  binary: () => exact('bytea'),
  enum: () => ({ sql: 'text', recordCanonical: true }),
  multiselect: (t) => ({ sql: 'text[]', recordCanonical: (t.values?.length ?? 0) > 0 }),
  opaque: (t) => exact(sameDialect(t, 'postgres')),
};

export function nativeColumnType(type: CanonicalType): NativeColumnType {
  const toNative = CANONICAL_TO_NATIVE[type.kind] as (t: CanonicalType) => NativeColumnType;
  return toNative(type);
}
