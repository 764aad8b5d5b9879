import { parseCanonicalText } from '../../core/canonical.js';
import { CrmError } from '../../core/errors/index.js';
import type { CanonicalType, Value } from '../../core/types.js';
import { toPlainDecimal } from '../shared/plain-decimal.js';
import { undecodableBytes } from '../shared/undecodable-bytes.js';

/** What better-sqlite3 hands out with `safeIntegers(true)` and accepts as a parameter. */
export type SqliteValue = string | number | bigint | Buffer | null;

/**
 * Canonical value → SQLite parameter. Independent of the column type, so the per-row write path
 * needs no lookup: booleans become 0/1, binary a Buffer view (no copy), multiselect JSON text;
 * decimals and dates are strings and land unchanged in their TEXT-affinity columns.
 */
export function toSqliteParam(value: Value): SqliteValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return JSON.stringify(value);
}

/** Stored value → canonical JS form for one column type; throws CRM_R4003 when it does not fit, CRM_R4002 for bytes that are not UTF-8. */
export type Decoder = (raw: SqliteValue) => Value;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(raw: SqliteValue, type: CanonicalType): never {
  throw new CrmError('CRM_R4003', `stored ${describe(raw)} is not a valid ${type.kind}`, { value: displayValue(raw) });
}

function describe(raw: SqliteValue): string {
  if (raw === null) return 'NULL';
  if (Buffer.isBuffer(raw)) return 'BLOB';
  return typeof raw === 'string' ? 'TEXT' : typeof raw === 'bigint' ? 'INTEGER' : 'REAL';
}

/** A stored value as display text, for rejects and messages. */
export function displayValue(raw: SqliteValue): string {
  if (raw === null) return 'NULL';
  if (Buffer.isBuffer(raw)) return `x'${raw.toString('hex')}'`;
  return String(raw);
}

/**
 * better-sqlite3 hands out TEXT that is not valid UTF-8 with U+FFFD in place of the bad bytes,
 * silently: a text holding U+FFFD may not be what is stored (the reader reads its bytes again).
 */
export const REPLACEMENT = '\uFFFD';

/** Bytes that are not UTF-8: CRM_R4002, naming the first bad bytes and their offset. */
function invalidUtf8(raw: Buffer): never {
  const where = undecodableBytes(raw, raw.toString('utf8'), (char) => Buffer.from(char, 'utf8'));
  throw new CrmError('CRM_R4002', `${where} not valid UTF-8`, { value: displayValue(raw) });
}

/** Any stored value as text: numbers in their shortest form, BLOBs only when they are valid UTF-8. */
function asText(raw: SqliteValue): string {
  if (typeof raw === 'string') return raw;
  if (Buffer.isBuffer(raw)) {
    try {
      return utf8.decode(raw);
    } catch {
      return invalidUtf8(raw);
    }
  }
  return typeof raw === 'number' ? toPlainDecimal(String(raw)) : String(raw);
}

const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

function decodeInteger(raw: SqliteValue, type: CanonicalType): Value {
  if (typeof raw === 'bigint') return raw >= INT32_MIN && raw <= INT32_MAX ? Number(raw) : fail(raw, type);
  if (typeof raw === 'number') return Number.isInteger(raw) && raw >= -2147483648 && raw <= 2147483647 ? raw : fail(raw, type);
  return parseCanonicalText(asText(raw), type);
}

function decodeBigint(raw: SqliteValue, type: CanonicalType): Value {
  if (typeof raw === 'bigint') return raw;
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? BigInt(raw) : fail(raw, type);
  return parseCanonicalText(asText(raw), type);
}

function decodeDecimal(raw: SqliteValue, type: CanonicalType): Value {
  if (typeof raw === 'bigint') return String(raw);
  if (typeof raw === 'number') return Number.isFinite(raw) ? toPlainDecimal(String(raw)) : fail(raw, type);
  return parseCanonicalText(asText(raw), type);
}

function decodeFloat(raw: SqliteValue, type: CanonicalType): Value {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return Number(raw);
  return parseCanonicalText(asText(raw), type);
}

function decodeBoolean(raw: SqliteValue, type: CanonicalType): Value {
  if (typeof raw === 'bigint' || typeof raw === 'number') {
    if (raw === 0n || raw === 0) return false;
    if (raw === 1n || raw === 1) return true;
    return fail(raw, type);
  }
  return parseCanonicalText(asText(raw), type);
}

function decodeBinary(raw: SqliteValue, type: CanonicalType): Value {
  if (Buffer.isBuffer(raw)) return raw;
  // Text in a BLOB column (SQLite allows it): its UTF-8 bytes are the value.
  if (typeof raw === 'string') return Buffer.from(raw, 'utf8');
  return fail(raw, type);
}

function decodeText(raw: SqliteValue): Value {
  return asText(raw);
}

/** Kinds whose stored form is canonical text: validated and normalised by the canonical parser. */
function decodeCanonicalText(raw: SqliteValue, type: CanonicalType): Value {
  return parseCanonicalText(asText(raw), type);
}

const DECODERS: Record<CanonicalType['kind'], (raw: SqliteValue, type: CanonicalType) => Value> = {
  text: decodeText,
  integer: decodeInteger,
  bigint: decodeBigint,
  decimal: decodeDecimal,
  float: decodeFloat,
  boolean: decodeBoolean,
  date: decodeCanonicalText,
  time: decodeCanonicalText,
  timestamp: decodeCanonicalText,
  timestamptz: decodeCanonicalText,
  uuid: decodeCanonicalText,
  json: decodeCanonicalText,
  binary: decodeBinary,
  enum: decodeCanonicalText,
  multiselect: decodeCanonicalText,
  // Another database's type (SQLite has none of its own): its text or bytes as stored.
  opaque: (raw) => raw,
};

export function decoderFor(type: CanonicalType): Decoder {
  const decode = DECODERS[type.kind];
  return (raw) => (raw === null ? null : decode(raw, type));
}
