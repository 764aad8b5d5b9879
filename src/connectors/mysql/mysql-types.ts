import { CANONICAL_KINDS, type CanonicalKind, type CanonicalType } from '../../core/types.js';
import { sameDialect } from '../shared/opaque-type.js';
import type { ServerFlavour } from './mysql-flavour.js';

/**
 * Native MySQL/MariaDB types ↔ canonical types, as two tables.
 *
 * Where a canonical type has no exact native form (timestamptz, multiselect, json on either
 * flavour, uuid before MariaDB 10.7, …) the DDL records the canonical type in the column comment
 * as `crmbridge:{json}` and introspection prefers that marker. Whether a column needs the marker
 * is derived, not declared: it does when reading the DDL type back through NATIVE_TO_CANONICAL
 * would give a different canonical type.
 */

/** A COLUMN_TYPE taken apart: `decimal(38,10) unsigned` → base decimal, args [38, 10]. */
export interface NativeType {
  readonly base: string;
  /** Numbers for lengths and precisions, the member strings for ENUM and SET. */
  readonly args: readonly string[];
  readonly unsigned: boolean;
}

export function parseNativeType(columnType: string): NativeType {
  const m = /^\s*([a-z0-9 ]+?)\s*(?:\((.*)\))?\s*((?:unsigned|signed|zerofill|\s)*)$/is.exec(columnType);
  if (!m) return { base: columnType.trim().toLowerCase(), args: [], unsigned: false };
  const base = m[1].toLowerCase();
  const inner = m[2];
  let args: string[] = [];
  if (inner !== undefined) args = base === 'enum' || base === 'set' ? parseQuotedList(inner) : inner.split(',').map((a) => a.trim());
  return { base, args, unsigned: /unsigned/i.test(m[3] ?? '') };
}

/** `'a','it''s'` → ['a', "it's"] (COLUMN_TYPE doubles quotes inside members). */
function parseQuotedList(inner: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^']|'')*)'/g;
  for (let m = re.exec(inner); m; m = re.exec(inner)) out.push(m[1].replace(/''/g, "'"));
  return out;
}

const num = (arg: string | undefined): number | undefined => (arg === undefined || arg === '' ? undefined : Number(arg));

const TEXT: CanonicalType = { kind: 'text' };
const INTEGER: CanonicalType = { kind: 'integer' };
const BIGINT: CanonicalType = { kind: 'bigint' };
const FLOAT: CanonicalType = { kind: 'float' };
const BOOLEAN: CanonicalType = { kind: 'boolean' };
const BINARY: CanonicalType = { kind: 'binary' };
const sized = (t: NativeType) => ({ kind: 'text', length: num(t.args[0]) }) as const;

/** Native base type → canonical type. A base missing here (GEOMETRY, POINT, VECTOR, …) is `opaque`. */
const NATIVE_TO_CANONICAL: Readonly<Record<string, (t: NativeType) => CanonicalType>> = {
  char: sized,
  varchar: sized,
  tinytext: () => TEXT,
  text: () => TEXT,
  mediumtext: () => TEXT,
  longtext: () => TEXT,
  inet4: () => TEXT,
  inet6: () => TEXT,
  // TINYINT(1) is MySQL's BOOLEAN; other widths are small integers.
  tinyint: (t) => (t.args[0] === '1' ? BOOLEAN : INTEGER),
  smallint: () => INTEGER,
  mediumint: () => INTEGER,
  // An unsigned INT exceeds the 32-bit canonical integer; an unsigned BIGINT exceeds int64.
  int: (t) => (t.unsigned ? BIGINT : INTEGER),
  integer: (t) => (t.unsigned ? BIGINT : INTEGER),
  bigint: (t) => (t.unsigned ? { kind: 'decimal', precision: 20, scale: 0 } : BIGINT),
  year: () => INTEGER,
  decimal: (t) => ({ kind: 'decimal', precision: num(t.args[0]) ?? 10, scale: num(t.args[1]) ?? 0 }),
  numeric: (t) => ({ kind: 'decimal', precision: num(t.args[0]) ?? 10, scale: num(t.args[1]) ?? 0 }),
  float: () => FLOAT,
  double: () => FLOAT,
  'double precision': () => FLOAT,
  real: () => FLOAT,
  bit: (t) => (num(t.args[0]) === 1 ? BOOLEAN : BINARY),
  date: () => ({ kind: 'date' }),
  time: () => ({ kind: 'time' }),
  datetime: () => ({ kind: 'timestamp' }),
  // TIMESTAMP is stored in UTC and shown in the session zone, which crmbridge pins to +00:00.
  timestamp: () => ({ kind: 'timestamptz' }),
  json: () => ({ kind: 'json' }),
  uuid: () => ({ kind: 'uuid' }),
  binary: (t) => ({ kind: 'binary', length: num(t.args[0]) }),
  varbinary: (t) => ({ kind: 'binary', length: num(t.args[0]) }),
  tinyblob: () => BINARY,
  blob: () => BINARY,
  mediumblob: () => BINARY,
  longblob: () => BINARY,
  enum: (t) => ({ kind: 'enum', values: t.args }),
  set: (t) => ({ kind: 'multiselect', values: t.args }),
};

const MARKER = /crmbridge:(\{.*\})\s*$/s;

/** The canonical type recorded in a column comment by the writer, if any. */
export function markedType(comment: string | undefined): CanonicalType | undefined {
  const json = comment ? MARKER.exec(comment)?.[1] : undefined;
  if (!json) return undefined;
  const parsed: unknown = JSON.parse(json);
  const kind = typeof parsed === 'object' && parsed !== null ? (parsed as { kind?: unknown }).kind : undefined;
  return CANONICAL_KINDS.includes(kind as CanonicalKind) ? (parsed as CanonicalType) : undefined;
}

/** The comment with the crmbridge marker removed (the user's own comment, if any). */
export function userComment(comment: string | undefined): string | undefined {
  const rest = comment?.replace(MARKER, '').trim();
  return rest ? rest : undefined;
}

export function markerComment(type: CanonicalType, user: string | undefined): string {
  const marker = `crmbridge:${JSON.stringify(type)}`;
  return user ? `${user}\n${marker}` : marker;
}

export interface NativeColumnFacts {
  readonly table: string;
  readonly column: string;
  readonly columnType: string;
  readonly comment?: string;
  /** MariaDB's JSON is LONGTEXT with a `json_valid` CHECK; the introspector passes that CHECK's presence here. */
  readonly jsonChecked?: boolean;
}

/** Canonical type of a catalog column: marker first, then the table; a type missing there is `opaque`. */
export function canonicalTypeOf(facts: NativeColumnFacts): CanonicalType {
  const marked = markedType(facts.comment);
  if (marked) return marked;
  if (facts.jsonChecked) return { kind: 'json' };
  return nativeToCanonical(facts.columnType);
}

/** GEOMETRY, POINT, VECTOR, …: no canonical form, carried as the column's bytes (`opaque`). */
export function nativeToCanonical(columnType: string): CanonicalType {
  const native = parseNativeType(columnType);
  return NATIVE_TO_CANONICAL[native.base]?.(native) ?? { kind: 'opaque', native: columnType, dialect: 'mysql' };
}

/** A column's native definition for CREATE TABLE. */
export interface NativeDefinition {
  /** The type as written in DDL and as the catalog reports it, e.g. `varchar(20)`. */
  readonly sql: string;
  /** A CHECK that holds what the native type cannot (`json_valid`, a length on LONGTEXT). */
  readonly check?: (quotedColumn: string) => string;
  /** Upper bound of bytes this column takes in the 65,535-byte row (off-page types count their pointer). */
  readonly rowBytes: number;
}

export interface DdlContext {
  readonly flavour: ServerFlavour;
  /** The column is part of a key or index, so it needs a bounded type (no LONGTEXT/LONGBLOB). */
  readonly indexed: boolean;
  /** Row bytes still free for in-row VARCHARs; long VARCHARs past it move off-page. */
  readonly rowBytesLeft: number;
}

/** Longest VARCHAR kept in-row: 16,383 utf8mb4 characters is the 65,535-byte limit. */
export const MAX_VARCHAR = 16383;
/** Length given to an unbounded text or binary key column (255 × 4 bytes keeps composite keys under 3,072). */
export const KEY_LENGTH = 255;
/** Precision and scale for a decimal without them: the widest exact DECIMAL MySQL has. */
export const DEFAULT_DECIMAL = { precision: 65, scale: 30 } as const;

const OFF_PAGE = 12;
const LONGTEXT: NativeDefinition = { sql: 'longtext', rowBytes: OFF_PAGE };
const JSON_TEXT: NativeDefinition = { sql: 'longtext', rowBytes: OFF_PAGE, check: (c) => `JSON_VALID(${c})` };
const fixed = (sql: string, rowBytes = 8): NativeDefinition => ({ sql, rowBytes });
const varchar = (length: number): NativeDefinition => ({ sql: `varchar(${length})`, rowBytes: length * 4 + 2 });
const quoteLiteral = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

type ToNative = { [K in CanonicalKind]: (type: Extract<CanonicalType, { kind: K }>, ctx: DdlContext) => NativeDefinition };

/** Canonical type → native column definition. */
const CANONICAL_TO_NATIVE: ToNative = {
  text: (t, ctx) => {
    if (t.length === undefined) return ctx.indexed ? varchar(KEY_LENGTH) : LONGTEXT;
    const inRow = varchar(t.length);
    if (t.length <= MAX_VARCHAR && (ctx.indexed || inRow.rowBytes <= ctx.rowBytesLeft)) return inRow;
    // Too long for a VARCHAR, or the row is full: LONGTEXT, with the length still enforced.
    return { ...LONGTEXT, check: (c) => `CHAR_LENGTH(${c}) <= ${t.length}` };
  },
  integer: () => fixed('int', 4),
  bigint: () => fixed('bigint'),
  decimal: (t) => {
    const precision = t.precision ?? DEFAULT_DECIMAL.precision;
    const scale = t.scale ?? (t.precision === undefined ? DEFAULT_DECIMAL.scale : 0);
    return fixed(`decimal(${precision},${scale})`, Math.ceil(precision / 2) + 1);
  },
  float: () => fixed('double'),
  boolean: () => fixed('tinyint(1)', 1),
  date: () => fixed('date', 3),
  time: () => fixed('time(6)', 6),
  timestamp: () => fixed('datetime(6)'),
  // DATETIME holding UTC (marked): TIMESTAMP would only cover 1970–2038.
  timestamptz: () => fixed('datetime(6)'),
  uuid: (_t, ctx) => (ctx.flavour.nativeUuid ? fixed('uuid', 16) : fixed('char(36)', 36 * 4)),
  // LONGTEXT + CHECK on both flavours: MySQL's binary JSON would reorder keys and round big numbers.
  json: () => JSON_TEXT,
  binary: (t, ctx) =>
    ctx.indexed ? { sql: `varbinary(${t.length ?? KEY_LENGTH})`, rowBytes: (t.length ?? KEY_LENGTH) + 2 } : fixed('longblob', OFF_PAGE),
  enum: (t, ctx) =>
    t.values.length > 0 ? fixed(`enum(${t.values.map(quoteLiteral).join(',')})`, 2) : ctx.indexed ? varchar(KEY_LENGTH) : LONGTEXT,
  // JSON array (marked): SET cannot hold members with commas and has at most 64 of them.
  multiselect: () => JSON_TEXT,
  // GEOMETRY, POINT, … of a MySQL source: the same type (off-page, like a BLOB).
  opaque: (t) => fixed(sameDialect(t, 'mysql'), OFF_PAGE),
};

export function canonicalToNative(type: CanonicalType, ctx: DdlContext): NativeDefinition {
  return (CANONICAL_TO_NATIVE[type.kind] as (t: CanonicalType, c: DdlContext) => NativeDefinition)(type, ctx);
}

/** Same canonical type, ignoring key order and absent optional fields. */
export function sameCanonicalType(a: CanonicalType | undefined, b: CanonicalType): boolean {
  const norm = (t: CanonicalType) => JSON.stringify(t, Object.keys(t).sort());
  return a !== undefined && norm(a) === norm(b);
}
