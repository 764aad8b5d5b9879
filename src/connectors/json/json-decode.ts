import { normalizeDecimal, parseCanonicalText } from '../../core/canonical.js';
import { CrmError } from '../../core/errors/index.js';
import type { CanonicalType, TableSchema, Value } from '../../core/types.js';
import { toPlainDecimal } from '../shared/plain-decimal.js';
import { JsonNumber, type JsonValue, stringifyJson } from './json-value.js';

/**
 * A JSON value as the file gives it, when no canonical type is known: strings, booleans and
 * null as they are, objects and arrays as their JSON text, and numbers as a `number` only when
 * the double holds them exactly; otherwise a `bigint` (integers above 2^53) or the plain decimal
 * text, so that no digit is lost.
 */
export function untypedValue(value: JsonValue): Value {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof JsonNumber) return untypedNumber(value.source);
  return stringifyJson(value);
}

function untypedNumber(source: string): Value {
  const n = Number(source);
  const plain = toPlainDecimal(source);
  if (/^-?\d+$/.test(plain)) return Number.isSafeInteger(n) ? n : BigInt(plain);
  return Number.isFinite(n) && normalizeDecimal(toPlainDecimal(String(n))) === normalizeDecimal(plain) ? n : plain;
}

function fail(value: JsonValue, type: CanonicalType): never {
  const text = typeof value === 'string' ? value : stringifyJson(value);
  throw new CrmError('CRM_R4003', `${text} is not a valid ${type.kind}`, { value: text });
}

/**
 * A JSON value decoded as a canonical type. Strings hold canonical text (as the writer writes
 * it: bigints, decimals and binary hex are strings); numbers are taken from their source digits;
 * a json column takes the JSON value itself. Throws CRM_R4003 when the value does not fit.
 */
export function typedValue(value: JsonValue, type: CanonicalType): Value {
  if (value === null) return null;
  if (type.kind === 'json') return stringifyJson(value);
  if (typeof value === 'string') return parseCanonicalText(value, type);
  if (value instanceof JsonNumber) return typedNumber(value, type);
  if (typeof value === 'boolean') {
    if (type.kind === 'boolean') return value;
    return type.kind === 'text' ? String(value) : fail(value, type);
  }
  if (type.kind === 'multiselect' && Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return type.kind === 'text' ? stringifyJson(value) : fail(value, type);
}

function typedNumber(value: JsonNumber, type: CanonicalType): Value {
  switch (type.kind) {
    case 'float': {
      const n = Number(value.source);
      return Number.isFinite(n) ? n : fail(value, type);
    }
    case 'text':
      return value.source;
    case 'integer':
    case 'bigint':
    case 'decimal':
    case 'boolean':
      return parseCanonicalText(toPlainDecimal(value.source), type);
    default:
      return fail(value, type);
  }
}

/** The canonical type of each column of a schema (a sidecar's), by name. */
export function columnTypes(table: TableSchema): Record<string, CanonicalType> {
  return Object.fromEntries(table.columns.map((c) => [c.name, c.type]));
}
