import { civilFromDays, daysFromCivil } from './civil-date.js';
import { CrmError } from './errors/crm-error.js';
import { type JsonNode, parseJsonKeepingNumbers } from './json-source.js';
import type { CanonicalType, Value } from './types.js';

/**
 * One canonical text form per canonical type. Files (CSV, JSON) store values in this form, and
 * verify hashes it, so the same value has the same text whatever engine it came from:
 *
 * | kind        | canonical text                                          |
 * |-------------|---------------------------------------------------------|
 * | decimal     | plain notation, no trailing fraction zeros, no `-0`: `12.5`, `-3`, `0.001` |
 * | integer, bigint | base-10 digits with optional `-`                    |
 * | float       | JavaScript's shortest round-trip form (`String(n)`)     |
 * | boolean     | `true` / `false`                                        |
 * | date        | `YYYY-MM-DD`                                            |
 * | time        | `HH:MM:SS.ffffff` (6 fraction digits)                   |
 * | timestamp   | `YYYY-MM-DD HH:MM:SS.ffffff`                            |
 * | timestamptz | `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC)                     |
 * | uuid        | lower case                                              |
 * | json        | the JSON text with object keys sorted, no white space   |
 * | binary      | lower-case hex                                          |
 * | multiselect | a JSON array of the distinct values, sorted             |
 * | text, enum  | the string itself                                       |
 *
 * NULL has no text form: `toCanonicalText` returns `null`, which is never the empty string.
 */
export function toCanonicalText(value: Value, type: CanonicalType): string | null {
  if (value === null) return null;
  switch (type.kind) {
    case 'decimal':
      return normalizeDecimal(String(value));
    case 'integer':
    case 'bigint':
    case 'float':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'time':
      return normalizeTime(String(value));
    case 'timestamp':
      return normalizeTimestamp(String(value));
    case 'timestamptz':
      return normalizeTimestamptz(String(value));
    case 'uuid':
      return String(value).toLowerCase();
    case 'json':
      return canonicalJson(String(value));
    case 'binary':
      return Buffer.from(value as Uint8Array).toString('hex');
    case 'opaque':
      return value instanceof Uint8Array ? Buffer.from(value).toString('hex') : String(value);
    case 'multiselect':
      return JSON.stringify([...new Set(value as readonly string[])].sort());
    default:
      return String(value);
  }
}

const INTEGER = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)$/;
const TIMESTAMPTZ = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?:[0-9a-f]{2})*$/i;

/** The canonical texts of a row's values, each by its column's type (`types` parallel to `values`). */
export function canonicalTexts(values: readonly Value[], types: readonly CanonicalType[]): (string | null)[] {
  return values.map((v, i) => toCanonicalText(v, types[i]));
}

/**
 * Parses canonical text (as written by `toCanonicalText`, or typed by a person in a file) into
 * the in-flight value for `type`. Throws CRM_R4003 with the raw value when it does not parse.
 */
export function parseCanonicalText(text: string, type: CanonicalType): Value {
  const fail = (): never => invalid(text, type);
  switch (type.kind) {
    case 'integer': {
      if (!INTEGER.test(text)) fail();
      const n = Number(text);
      if (!Number.isSafeInteger(n) || n > 2147483647 || n < -2147483648) fail();
      return n;
    }
    case 'bigint':
      if (!INTEGER.test(text)) fail();
      return BigInt(text);
    case 'decimal':
      if (!DECIMAL.test(text)) fail();
      return text.startsWith('+') ? text.slice(1) : text;
    case 'float': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n)) fail();
      return n;
    }
    case 'boolean': {
      const t = text.toLowerCase();
      if (t === 'true' || t === '1' || t === 't') return true;
      if (t === 'false' || t === '0' || t === 'f') return false;
      return fail();
    }
    case 'date': {
      const m = DATE.exec(text);
      if (!m || !isValidDate(+m[1], +m[2], +m[3])) fail();
      return text;
    }
    case 'time':
      if (!TIME.test(text)) fail();
      return normalizeTime(text);
    case 'timestamp': {
      const m = TIMESTAMP.exec(text);
      if (!m || !DATE.test(m[1]) || !TIME.test(m[2])) fail();
      return normalizeTimestamp(text);
    }
    case 'timestamptz':
      if (!TIMESTAMPTZ.test(text)) fail();
      return normalizeTimestamptz(text);
    case 'uuid':
      if (!UUID.test(text)) fail();
      return text.toLowerCase();
    case 'json':
      try {
        JSON.parse(text);
      } catch {
        fail();
      }
      return text;
    case 'binary':
      if (!HEX.test(text)) fail();
      return new Uint8Array(Buffer.from(text, 'hex'));
    case 'multiselect': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return fail();
      }
      if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'string')) fail();
      return parsed as string[];
    }
    case 'enum':
      if (type.values.length > 0 && !type.values.includes(text)) fail();
      return text;
    default:
      return text;
  }
}

function invalid(text: string, type: CanonicalType): never {
  throw new CrmError('CRM_R4003', `"${text}" is not a valid ${type.kind}`, { value: text });
}

/** `0012.3400` → `12.34`; `-0.0` → `0`; `5.` → `5`. Exact: string manipulation only. */
export function normalizeDecimal(text: string): string {
  if (CANONICAL_DECIMAL.test(text) && text !== '-0') return text;
  let s = text.trim();
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  let [intPart, fracPart = ''] = s.split('.');
  intPart = intPart.replace(/^0+/, '') || '0';
  fracPart = fracPart.replace(/0+$/, '');
  const body = fracPart ? `${intPart}.${fracPart}` : intPart;
  return negative && body !== '0' ? `-${body}` : body;
}

function padFraction(fraction: string | undefined): string {
  return (fraction ?? '').padEnd(6, '0');
}

const CANONICAL_TIME = /^\d{2}:\d{2}:\d{2}\.\d{6}$/;
const CANONICAL_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;
const CANONICAL_TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const CANONICAL_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

// The normalizers run per value on hot paths (comparisons, hashing): values already in canonical
// form, the common case, return at once.
export function normalizeTime(text: string): string {
  if (CANONICAL_TIME.test(text)) return text;
  const m = TIME.exec(text);
  if (!m) return text;
  return `${m[1]}:${m[2]}:${m[3]}.${padFraction(m[4])}`;
}

export function normalizeTimestamp(text: string): string {
  if (CANONICAL_TIMESTAMP.test(text)) return text;
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  return `${m[1]} ${normalizeTime(m[2])}`;
}

/** Any `YYYY-MM-DD HH:MM:SS[.f][zone]` → UTC `YYYY-MM-DDTHH:MM:SS.ffffffZ`, with no `Date` (which would drop microseconds). */
export function normalizeTimestamptz(text: string): string {
  if (CANONICAL_TIMESTAMPTZ.test(text)) return text;
  const m = TIMESTAMPTZ.exec(text);
  if (!m) return text;
  const [, date, hh, mi, ss, frac, zone] = m;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  const y = Number(date.slice(0, 4));
  const mo = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  if (isValidDate(y, mo, d)) {
    // UTC already, and a time of day: only the separator and the fraction change.
    if (offsetMinutes === 0 && hh < '24' && mi < '60' && ss < '60') return `${date}T${hh}:${mi}:${ss}.${padFraction(frac)}Z`;
    // Integer calendar arithmetic in the date's own year (whole seconds; the fraction is text).
    const seconds = ((daysFromCivil(y, mo, d) * 24 + Number(hh)) * 60 + Number(mi) - offsetMinutes) * 60 + Number(ss);
    const days = Math.floor(seconds / 86_400);
    const s = seconds - days * 86_400;
    const utc = civilFromDays(days);
    return `${pad(utc.year, 4)}-${pad(utc.month)}-${pad(utc.day)}T${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${padFraction(frac)}Z`;
  }
  // Not a calendar date (month 13, 30 February): rolled over as Date.UTC does, as before.
  const utc = new Date(Date.UTC(2000, mo - 1, d, Number(hh), Number(mi) - offsetMinutes, Number(ss)));
  utc.setUTCFullYear(y + utc.getUTCFullYear() - 2000);
  return `${pad(utc.getUTCFullYear(), 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}T${pad(utc.getUTCHours())}:${pad(
    utc.getUTCMinutes(),
  )}:${pad(utc.getUTCSeconds())}.${padFraction(frac)}Z`;
}

export function isValidDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

/** JSON text with object keys sorted and no white space; numbers keep their source digits. */
export function canonicalJson(text: string): string {
  return stringifySorted(parseJsonKeepingNumbers(text));
}

function stringifySorted(value: JsonNode): string {
  if (value instanceof Map) {
    const keys = [...value.keys()].sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stringifySorted(value.get(k)!)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(stringifySorted).join(',')}]`;
  if (value !== null && typeof value === 'object' && 'number' in value) return value.number;
  return JSON.stringify(value);
}
