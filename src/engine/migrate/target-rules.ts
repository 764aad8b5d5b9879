import { normalizeDecimal, parseCanonicalText } from '../../core/canonical.js';
import { CrmError, type ErrorCode } from '../../core/errors/index.js';
import type { CanonicalType, ColumnSchema, TableSchema, Value } from '../../core/types.js';

export interface RuleViolation {
  readonly column: string;
  readonly code: ErrorCode;
  readonly reason: string;
  readonly message: string;
  readonly raw: Value;
}

type Check = (value: Value) => Value;

class Violation extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The target's own rules, checked before any write: NOT NULL, text length, decimal precision
 * and scale, integer ranges, enum domains, and the value's type (text that spells a number or
 * a date becomes that type; text that does not is rejected). Checking here rather than leaving
 * it to the database gives the same rejects in a dry run as in a real run, names the field, and
 * refuses the silent rounding or truncation some databases do.
 */
export function compileTargetRules(table: TableSchema, columns: readonly string[]): (values: Value[]) => RuleViolation | undefined {
  const checks = columns.map((name) => {
    const column = table.columns.find((c) => c.name === name);
    if (!column) {
      throw new CrmError('CRM_S3002', `target table ${table.name} has no column ${name}`, {
        location: { table: table.name, column: name },
      });
    }
    return columnCheck(column);
  });
  return (values) => {
    for (let i = 0; i < checks.length; i++) {
      try {
        values[i] = checks[i](values[i]);
      } catch (err) {
        if (err instanceof Violation)
          return { column: columns[i], code: err.code, reason: err.reason, message: err.message, raw: values[i] };
        if (err instanceof CrmError)
          return { column: columns[i], code: err.code, reason: 'invalid_value', message: err.message, raw: values[i] };
        throw err;
      }
    }
    return undefined;
  };
}

function columnCheck(column: ColumnSchema): Check {
  const type = column.type;
  const coerce = coercion(type);
  const limit = valueLimit(type);
  return (value) => {
    if (value === null) {
      if (!column.nullable && !column.autoIncrement) throw new Violation('CRM_R4007', 'not_null', `${column.name} is required`);
      return null;
    }
    const typed = coerce(value);
    limit?.(typed);
    return typed;
  };
}

/** Brings a mapped value to the column's canonical JS form (e.g. '42' → 42 for an integer column). */
function coercion(type: CanonicalType): (value: Value) => Value {
  const expected: Partial<Record<CanonicalType['kind'], (v: Value) => boolean>> = {
    integer: (v) => typeof v === 'number' && Number.isInteger(v),
    bigint: (v) => typeof v === 'bigint',
    float: (v) => typeof v === 'number',
    boolean: (v) => typeof v === 'boolean',
    binary: (v) => v instanceof Uint8Array,
    multiselect: (v) => Array.isArray(v),
    // The database's own text or bytes, whichever its connector gives: passed on as they are.
    opaque: (v) => typeof v === 'string' || v instanceof Uint8Array,
  };
  const ok = expected[type.kind] ?? ((v: Value) => typeof v === 'string');
  return (value) => {
    if (ok(value)) return type.kind === 'integer' ? intRange(value as number) : value;
    if (type.kind === 'bigint' && typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
    if (type.kind === 'boolean' && (typeof value === 'number' || typeof value === 'bigint')) return Number(value) !== 0;
    const coerced = parseCanonicalText(asText(value), type);
    return type.kind === 'integer' ? intRange(coerced as number) : coerced;
  };
}

function asText(value: Value): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

function intRange(n: number): number {
  if (n > 2147483647 || n < -2147483648) throw new Violation('CRM_R4006', 'numeric_overflow', `${n} is outside the integer range`);
  return n;
}

const BIGINT_MAX = 9223372036854775807n;

function valueLimit(type: CanonicalType): ((value: Value) => void) | undefined {
  switch (type.kind) {
    case 'text':
      if (type.length === undefined) return undefined;
      return (v) => {
        // UTF-16 units never undercount characters: only a text longer in units is counted.
        if ((v as string).length <= type.length!) return;
        const length = codePoints(v as string);
        if (length > type.length!) {
          throw new Violation(
            'CRM_R4005',
            'value_too_long',
            `${length} characters do not fit in ${type.length} (never truncated silently)`,
          );
        }
      };
    case 'decimal': {
      const { precision, scale = 0 } = type;
      if (precision === undefined) return undefined;
      return (v) => {
        const [int, frac = ''] = normalizeDecimal(v as string)
          .replace('-', '')
          .split('.');
        if (frac.length > scale)
          throw new Violation('CRM_R4006', 'numeric_overflow', `${v} has more than ${scale} decimals (never rounded silently)`);
        if (int !== '0' && int.length > precision - scale) {
          throw new Violation('CRM_R4006', 'numeric_overflow', `${v} does not fit decimal(${precision},${scale})`);
        }
      };
    }
    case 'bigint':
      return (v) => {
        const b = v as bigint;
        if (b > BIGINT_MAX || b < -BIGINT_MAX - 1n)
          throw new Violation('CRM_R4006', 'numeric_overflow', `${b} is outside the bigint range`);
      };
    case 'enum':
      if (type.values.length === 0) return undefined;
      return (v) => {
        if (!type.values.includes(v as string)) {
          throw new Violation('CRM_R4003', 'invalid_enum', `"${v}" is not one of ${type.values.join(', ')}`);
        }
      };
    case 'multiselect':
      if (!type.values?.length) return undefined;
      return (v) => {
        const bad = (v as string[]).find((x) => !type.values!.includes(x));
        if (bad !== undefined) throw new Violation('CRM_R4003', 'invalid_enum', `"${bad}" is not one of ${type.values!.join(', ')}`);
      };
    default:
      return undefined;
  }
}

/** The characters (code points) of a text, as the databases count a column's length; no copy. */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++, n++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return n;
}
