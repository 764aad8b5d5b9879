import mysql from 'mysql2';
import { normalizeTime, normalizeTimestamp, normalizeTimestamptz } from '../../core/canonical.js';
import type { CanonicalKind, ColumnSchema, Value } from '../../core/types.js';
import { parseNativeType } from './mysql-types.js';

/**
 * How each canonical value travels to and from MySQL, per canonical kind (a table, with a few
 * overrides keyed by `kind:nativeBase` for native storages that differ, e.g. multiselect in a SET).
 *
 * Reading: the pool runs with `dateStrings`, `supportBigNumbers`+`bigNumberStrings`,
 * `jsonStrings` and `decimalNumbers: false`, so the driver hands over DECIMAL and BIGINT as
 * strings, dates and times as text, JSON as text and binaries as Buffers; `decode` turns those
 * into the exact canonical JS forms. No decimal or 64-bit integer passes through a `number`,
 * no date through a `Date`.
 *
 * Writing: `field` gives the text LOAD DATA parses (before escaping); `load` wraps the column in
 * a SET expression where the text needs converting on the server (hex for binaries).
 * `param` gives a value for a `?` placeholder that compares exactly with the column.
 */

/** A value that exists in the database but has no canonical form (tinyint(1) = 4, TIME '-12:00:00'). */
export class UndecodableValue extends Error {}

export interface ValueCodec {
  readonly decode: (raw: unknown) => Value;
  readonly field: (value: Value) => string;
  /** `@v` → SQL that stores it, for LOAD DATA's `SET col = …`; absent when the field loads directly. */
  readonly load?: (variable: string) => string;
  readonly param: (value: Value) => unknown;
}

const identity = (raw: unknown): Value => raw as Value;
const text = (value: Value): string => String(value);

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?$/;

function toBoolean(raw: unknown): Value {
  const n = raw instanceof Uint8Array ? raw.reduce((acc, b) => acc * 256 + b, 0) : Number(raw);
  if (n === 0 || n === 1) return n === 1;
  throw new UndecodableValue(`${String(raw)} is not a boolean (0 or 1)`);
}

const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;

/** `…T…Z` or any zoned form → naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`; text that is no timestamptz goes as is, for the server to refuse. */
function utcNaive(value: Value): string {
  const s = String(value);
  // Fast path for the canonical form (the common case on a hot path); other zones are shifted.
  const utc = CANONICAL_UTC.test(s) ? s : normalizeTimestamptz(s);
  return utc.endsWith('Z') ? `${utc.slice(0, 10)} ${utc.slice(11, -1)}` : utc;
}

function parseJsonArray(raw: unknown): Value {
  const parsed: unknown = JSON.parse(String(raw));
  if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'string')) {
    throw new UndecodableValue(`${String(raw)} is not a JSON array of strings`);
  }
  return parsed as string[];
}

const DECIMAL_LITERAL = /^[-+]?(?:\d+\.?\d*|\.\d+)$/;

const toBuffer = (value: Value): Buffer => {
  const bytes = value as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};

const plain = (decode: ValueCodec['decode'], field: ValueCodec['field'] = text): ValueCodec => ({ decode, field, param: field });

const BYTES: ValueCodec = {
  decode: (raw) => (raw instanceof Uint8Array ? raw : Buffer.from(String(raw), 'binary')),
  field: (value) => toBuffer(value).toString('hex'),
  load: (variable) => `UNHEX(${variable})`,
  param: toBuffer,
};

const CODECS: { readonly [K in CanonicalKind]: ValueCodec } = {
  text: plain(identity),
  enum: plain(identity),
  json: plain(identity),
  integer: { decode: identity, field: text, param: identity },
  // The driver gives BIGINT as a string (bigNumberStrings); a JS bigint is sent as an exact literal.
  bigint: { decode: (raw) => BigInt(raw as string | number), field: text, param: identity },
  // DECIMAL arrives as a plain string. As a parameter it must be a numeric literal: MySQL
  // compares a quoted string with a DECIMAL column as DOUBLE, which is inexact.
  decimal: {
    decode: (raw) => String(raw),
    field: text,
    param: (value) => {
      const s = String(value);
      if (!DECIMAL_LITERAL.test(s)) return s;
      return mysql.raw(s);
    },
  },
  float: { decode: identity, field: text, param: identity },
  boolean: { decode: toBoolean, field: (value) => (value ? '1' : '0'), param: (value) => (value ? 1 : 0) },
  // Zero dates never reach these decoders: the row decoder applies the source's zero-date rule first.
  date: plain((raw) => String(raw)),
  time: plain((raw) => {
    const s = String(raw);
    if (!TIME_OF_DAY.test(s)) throw new UndecodableValue(`${s} is not a time of day`);
    return normalizeTime(s);
  }),
  timestamp: plain((raw) => normalizeTimestamp(String(raw))),
  // Stored as a naive UTC DATETIME(6) (or a TIMESTAMP read in the +00:00 session zone).
  timestamptz: plain((raw) => {
    const s = String(raw);
    return `${s.slice(0, 10)}T${normalizeTime(s.slice(11))}Z`;
  }, utcNaive),
  uuid: plain((raw) => String(raw).toLowerCase()),
  binary: BYTES,
  multiselect: plain(parseJsonArray, (value) => JSON.stringify(value)),
  // Selected as the column's bytes (GEOMETRY's internal form: SRID + WKB), which it takes back as they are.
  opaque: BYTES,
};

/** Native storages whose wire form differs from the kind's usual one. */
const OVERRIDES: Readonly<Record<string, Partial<ValueCodec>>> = {
  'multiselect:set': {
    decode: (raw) => (raw === '' ? [] : String(raw).split(',')),
    field: (value) => (value as readonly string[]).join(','),
    param: (value) => (value as readonly string[]).join(','),
  },
  // LOAD DATA reads a BIT field as characters, so '1' would be 0x31: convert on the server.
  'boolean:bit': { load: (variable) => `CAST(${variable} AS UNSIGNED)` },
};

export function codecFor(column: Pick<ColumnSchema, 'type' | 'nativeType'>): ValueCodec {
  const base = CODECS[column.type.kind];
  const override = OVERRIDES[`${column.type.kind}:${parseNativeType(column.nativeType).base}`];
  return override ? { ...base, ...override } : base;
}
