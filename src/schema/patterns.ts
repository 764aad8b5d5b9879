import validator from 'validator';
import { isValidDate, normalizeDecimal, normalizeTimestamp, normalizeTimestamptz } from '../core/canonical.js';

/**
 * Value-pattern detectors for text columns, as data. Each says whether a (non-blank) text matches,
 * and, for patterns that denote a narrower canonical type, how to turn the text into that type's
 * canonical form (so min/max can be taken in the right order, and a mapping knows the format).
 * A text may match several patterns (`1` is an integer and boolean-like).
 */
export interface PatternDetector {
  readonly name: PatternName;
  test(text: string): boolean;
  /** The canonical text of the value in the pattern's type; only called when `test` is true. */
  readonly canonical?: (text: string) => string;
  /** How canonical forms of this pattern order: as numbers, or as (fixed-width) text. */
  readonly order?: 'numeric' | 'text';
  /** Only texts starting with a digit or one of `+-$€£¥(.` can match (lets free text skip the test). */
  readonly numericStart?: boolean;
  /** Longer texts cannot match. */
  readonly maxLength?: number;
}

export const PATTERN_NAMES = [
  'email',
  'phone',
  'url',
  'uuid',
  'boolean',
  'integer',
  'decimal',
  'thousands',
  'currency',
  'date-iso',
  'date-us',
  'date-dmy',
  'date-eu',
  'datetime-iso',
  'datetime-iso-tz',
  'datetime-us',
  'time',
] as const;
export type PatternName = (typeof PATTERN_NAMES)[number];

const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const DECIMAL = /^-?(?:0|[1-9]\d*)\.\d+$/;
const THOUSANDS = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const CURRENCY =
  /^(-)?([$€£¥])\s?(-)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$|^(-)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s?(?:USD|EUR|GBP|CHF|CAD|AUD|JPY)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BOOLEAN = /^(?:y|n|yes|no|true|false|t|f|0|1|on|off)$/i;
const URL_LIKE = /^(?:https?:\/\/|www\.)[^\s/$.?#][^\s]*\.[^\s]+$|^https?:\/\/[^\s/$.?#][^\s]*$/i;
/** A bare host name as people type websites: `acme-corp.biz`, `shop.example.co.uk/about`. */
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,6}(?:\/\S*)?$/i;
const ZIP_PLUS_FOUR = /^\d{5}-\d{4}$/;
const DIGITS = /^\d+$/;
const PHONE = /^\+?[\d\s().\-/]{7,24}(?:\s*(?:x|ext\.?|#)\s*\d{1,6})?$/i;
const DATE_ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_SLASH = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const DATE_DOT = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const DATETIME_ISO = /^(\d{4})-(\d{2})-(\d{2})[ T]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d{1,6})?)?$/;
const DATETIME_ISO_TZ = /^(\d{4})-(\d{2})-(\d{2})[ T]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d{1,6})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$/i;
const DATETIME_US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):([0-5]\d)(?::([0-5]\d))?\s*([AP]M)?$/i;
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d{1,6})?)?$/;

const pad2 = (s: string) => s.padStart(2, '0');
const validYmd = (y: string, m: string, d: string) => isValidDate(Number(y), Number(m), Number(d));

/** 25,000.00 / $25,000.00 / 25000 USD → plain decimal text. */
function plainNumber(text: string): string {
  const negative = text.includes('-');
  const digits = text.replace(/[^\d.]/g, '');
  return normalizeDecimal(negative ? `-${digits}` : digits);
}

function usDateTime(text: string): string {
  const m = DATETIME_US.exec(text)!;
  let hour = Number(m[4]);
  const meridiem = m[7]?.toUpperCase();
  if (meridiem === 'PM' && hour < 12) hour += 12;
  if (meridiem === 'AM' && hour === 12) hour = 0;
  return normalizeTimestamp(`${m[3]}-${pad2(m[1])}-${pad2(m[2])} ${pad2(String(hour))}:${m[5]}:${m[6] ?? '00'}`);
}

function validUsDateTime(text: string): boolean {
  const m = DATETIME_US.exec(text);
  if (!m || !validYmd(m[3], m[1], m[2])) return false;
  const hour = Number(m[4]);
  return m[7] ? hour >= 1 && hour <= 12 : hour <= 23;
}

function digitCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

export const PATTERN_DETECTORS: readonly PatternDetector[] = [
  { name: 'email', test: (t) => t.includes('@') && validator.isEmail(t) },
  {
    name: 'phone',
    numericStart: true,
    maxLength: 40,
    // 7–15 digits with separators, or a bare run of 10–15 digits (`5551234567`); dates and
    // ZIP+4 codes are excluded. (A bare run is an integer as well; type inference prefers that.)
    test: (t) => {
      if (!PHONE.test(t)) return false;
      const digits = digitCount(t);
      if (DIGITS.test(t)) return digits >= 10 && digits <= 15;
      return digits >= 7 && digits <= 15 && !DATE_ISO.test(t) && !DATE_SLASH.test(t) && !DATE_DOT.test(t) && !ZIP_PLUS_FOUR.test(t);
    },
  },
  { name: 'url', test: (t) => URL_LIKE.test(t) || DOMAIN.test(t) },
  { name: 'uuid', maxLength: 36, test: (t) => UUID.test(t), canonical: (t) => t.toLowerCase(), order: 'text' },
  { name: 'boolean', maxLength: 5, test: (t) => BOOLEAN.test(t) },
  { name: 'integer', numericStart: true, maxLength: 64, test: (t) => INTEGER.test(t), canonical: normalizeDecimal, order: 'numeric' },
  { name: 'decimal', numericStart: true, maxLength: 80, test: (t) => DECIMAL.test(t), canonical: normalizeDecimal, order: 'numeric' },
  { name: 'thousands', numericStart: true, maxLength: 80, test: (t) => THOUSANDS.test(t), canonical: plainNumber, order: 'numeric' },
  { name: 'currency', numericStart: true, maxLength: 80, test: (t) => CURRENCY.test(t), canonical: plainNumber, order: 'numeric' },
  {
    name: 'date-iso',
    numericStart: true,
    maxLength: 10,
    test: (t) => {
      const m = DATE_ISO.exec(t);
      return m !== null && validYmd(m[1], m[2], m[3]);
    },
    canonical: (t) => t,
    order: 'text',
  },
  {
    name: 'date-us',
    numericStart: true,
    maxLength: 10,
    test: (t) => {
      const m = DATE_SLASH.exec(t);
      return m !== null && validYmd(m[3], m[1], m[2]);
    },
    canonical: (t) => {
      const m = DATE_SLASH.exec(t)!;
      return `${m[3]}-${pad2(m[1])}-${pad2(m[2])}`;
    },
    order: 'text',
  },
  {
    name: 'date-dmy',
    numericStart: true,
    maxLength: 10,
    test: (t) => {
      const m = DATE_SLASH.exec(t);
      return m !== null && validYmd(m[3], m[2], m[1]);
    },
    canonical: (t) => {
      const m = DATE_SLASH.exec(t)!;
      return `${m[3]}-${pad2(m[2])}-${pad2(m[1])}`;
    },
    order: 'text',
  },
  {
    name: 'date-eu',
    numericStart: true,
    maxLength: 10,
    test: (t) => {
      const m = DATE_DOT.exec(t);
      return m !== null && validYmd(m[3], m[2], m[1]);
    },
    canonical: (t) => {
      const m = DATE_DOT.exec(t)!;
      return `${m[3]}-${pad2(m[2])}-${pad2(m[1])}`;
    },
    order: 'text',
  },
  {
    name: 'datetime-iso',
    numericStart: true,
    maxLength: 40,
    test: (t) => {
      const m = DATETIME_ISO.exec(t);
      return m !== null && validYmd(m[1], m[2], m[3]);
    },
    canonical: (t) => normalizeTimestamp(t.length === 16 ? `${t}:00` : t),
    order: 'text',
  },
  {
    name: 'datetime-iso-tz',
    numericStart: true,
    maxLength: 40,
    test: (t) => {
      const m = DATETIME_ISO_TZ.exec(t);
      return m !== null && validYmd(m[1], m[2], m[3]);
    },
    canonical: (t) => normalizeTimestamptz(t.replace(/^(.{10}[ T]\d{2}:\d{2})(?!:)/, '$1:00')),
    order: 'text',
  },
  { name: 'datetime-us', numericStart: true, maxLength: 40, test: validUsDateTime, canonical: usDateTime, order: 'text' },
  {
    name: 'time',
    numericStart: true,
    maxLength: 15,
    test: (t) => TIME.test(t),
    canonical: (t) => {
      const m = TIME.exec(t)!;
      return `${pad2(m[1])}:${m[2]}:${m[3] ?? '00'}.${(m[4] ?? '.').slice(1).padEnd(6, '0')}`;
    },
    order: 'text',
  },
];

/** Each pattern's position in `PATTERN_DETECTORS`, and its bit in the masks `matchPatterns` returns. */
export const PATTERN_INDEX = Object.fromEntries(PATTERN_DETECTORS.map((d, i) => [d.name, i])) as Readonly<Record<PatternName, number>>;
export const PATTERN_BIT = Object.fromEntries(PATTERN_DETECTORS.map((d, i) => [d.name, 1 << i])) as Readonly<Record<PatternName, number>>;

const NUMERIC_START = new Set(['+', '-', '$', '€', '£', '¥', '(', '.']);

/** The patterns a non-blank text matches, as a bit set over `PATTERN_DETECTORS` (bit i = detector i). */
export function matchPatterns(text: string): number {
  const first = text.charCodeAt(0);
  const numericStart = (first >= 48 && first <= 57) || NUMERIC_START.has(text[0]);
  let mask = 0;
  for (let i = 0; i < PATTERN_DETECTORS.length; i++) {
    const d = PATTERN_DETECTORS[i];
    if ((d.numericStart && !numericStart) || (d.maxLength !== undefined && text.length > d.maxLength)) continue;
    if (d.test(text)) mask |= 1 << i;
  }
  return mask;
}

/** A phone number's format with every digit shown as 9: `(555) 123-4567` → `(999) 999-9999`. */
export function phoneFormat(text: string): string {
  return text.replace(/\d/g, '9');
}
