import { z } from 'zod';
import { CrmError } from '../../core/errors/crm-error.js';
import type { Value } from '../../core/types.js';
import { fitDecimal, plainDecimal, shiftDecimal } from './decimal-text.js';
import { type LocaleNumber, localeNumber, machineDecimal } from './locale-number.js';
import { type CompileContext, single, type TransformDefinition, TransformError } from './transform.js';
import { isBlankText, textOf } from './value-text.js';

/*
 * number, money and integer: locale-aware text to exact values. Every step is string
 * manipulation: a decimal never becomes a JS number, "" becomes NULL (never 0), and anything
 * that is not a number in the declared locale rejects with `invalid_number`.
 */

const CURRENCY = String.raw`(?:[A-Z]{3}|[A-Z]{1,2}\$|\p{Sc}|kr\.?|zł|Kč|Fr\.)`;
const BODY = String.raw`(\d[\d.,'’\u00a0\u202f ]*|[.,]\d+)`;
const EXPONENT_BODY = String.raw`(\d[\d.,'’\u00a0\u202f ]*(?:[eE][+-]?\d+)?|[.,]\d+)`;
const MINUS = /[-−]/;
const PARENS = /^\((.*)\)$/s;

/** `-1`, `1-`, `(1)`, `−1`, `+1`; with currency: `$1`, `1 €`, `USD 1`, `-$1`, `$-1`. */
const SIGNED_NUMBER = new RegExp(String.raw`^([-−+])?\s*${EXPONENT_BODY}\s*([-−])?$`, 'u');
const SIGNED_MONEY = new RegExp(String.raw`^([-−+])?\s*(${CURRENCY})?\s*([-−+])?\s*${BODY}\s*(${CURRENCY})?\s*([-−])?$`, 'u');

interface Reading {
  readonly decimal: string;
  /** The currency mark as written (`$`, `€`, `USD`); undefined when there is none. */
  readonly mark: string | undefined;
}

function signCount(...signs: (string | undefined)[]): { count: number; negative: boolean } {
  let count = 0;
  let negative = false;
  for (const sign of signs) {
    if (sign === undefined) continue;
    count++;
    negative ||= MINUS.test(sign);
  }
  return { count, negative };
}

/** Reads signed, optionally currency-marked number text; undefined when it is not one. */
function readNumber(text: string, numbers: LocaleNumber, withCurrency: boolean): Reading | undefined {
  const parens = PARENS.exec(text);
  const inner = parens ? parens[1].trim() : text;
  let signs: { count: number; negative: boolean };
  let body: string;
  let mark: string | undefined;
  if (withCurrency) {
    const m = SIGNED_MONEY.exec(inner);
    if (!m || (m[2] !== undefined && m[5] !== undefined)) return undefined;
    signs = signCount(m[1], m[3], m[6]);
    body = m[4];
    mark = m[2] ?? m[5];
  } else {
    const m = SIGNED_NUMBER.exec(inner);
    if (!m) return undefined;
    signs = signCount(m[1], m[3]);
    body = m[2];
  }
  if (signs.count + (parens ? 1 : 0) > 1) return undefined;
  const digits = numbers.read(body.trimEnd(), !withCurrency);
  if (!digits) return undefined;
  return { decimal: plainDecimal(signs.negative || parens !== null, digits.intDigits, digits.fraction, digits.exponent), mark };
}

const KNOWN_CODES = new Set(Intl.supportedValuesOf('currency'));
const ISO_CODE = /^[A-Z]{3}$/;

/** Symbols that name one currency wherever they appear; `$`, `¥`, `kr` and `Fr.` need `currency`. */
const UNAMBIGUOUS_SYMBOLS: Readonly<Record<string, string>> = {
  '€': 'EUR',
  '£': 'GBP',
  '₹': 'INR',
  '₩': 'KRW',
  '₽': 'RUB',
  '₺': 'TRY',
  '₪': 'ILS',
  '₫': 'VND',
  '₴': 'UAH',
  '₦': 'NGN',
  '฿': 'THB',
  '₱': 'PHP',
  R$: 'BRL',
  US$: 'USD',
  A$: 'AUD',
  CA$: 'CAD',
  NZ$: 'NZD',
  HK$: 'HKD',
  zł: 'PLN',
  Kč: 'CZK',
};

const currencyCode = z.string().refine((code) => KNOWN_CODES.has(code), { message: 'expected an ISO 4217 currency code such as "USD"' });

const numberParams = z
  .strictObject({
    /** Default: the run's locale, else en-US. */
    locale: z.string().optional(),
    /** Target decimal(precision, scale): fraction digits beyond scale must be zeros; never rounded. */
    precision: z.number().int().min(1).max(1000).optional(),
    scale: z.number().int().min(0).max(1000).optional(),
    /**
     * Multiply by 10^shift, exactly, before the precision/scale check: -2 reads cents, -6 micros,
     * 3 thousands. Only powers of ten: a decimal times one never needs rounding.
     */
    shift: z.number().int().min(-1000).max(1000).default(0),
  })
  .default({ shift: 0 });

type NumberParams = z.output<typeof numberParams>;

function localeOf(params: { locale?: string }, ctx: CompileContext): LocaleNumber {
  return localeNumber(params.locale ?? ctx.locale ?? 'en-US');
}

/** The read decimal, shifted, checked against the declared precision and scale. */
function fitted(transform: string, raw: Value, decimal: string, params: NumberParams): string {
  const fit = fitDecimal(shiftDecimal(decimal, params.shift), params.precision, params.scale);
  if (fit === 'out_of_range' || fit === 'precision_loss') throw new TransformError(transform, fit, raw);
  return fit;
}

/**
 * Prints plain decimal text the locale's way, exactly: the integer digits are grouped by `Intl`
 * from a bigint and the fraction digits are copied, so no digit is rounded (Intl itself stops
 * at 20 fraction digits). `affixes` come from formatting ±1.5, so sign and currency placement
 * ("-1.234,50 €", "-$1,234.50") follow the locale.
 */
function decimalPrinter(numbers: LocaleNumber, format: Intl.NumberFormat): (decimal: string) => string {
  const affixesOf = (sample: number): [string, string] => {
    const parts = format.formatToParts(sample);
    const first = parts.findIndex((p) => p.type === 'integer');
    const last = parts.findLastIndex((p) => p.type === 'integer' || p.type === 'fraction' || p.type === 'decimal');
    const text = (ps: Intl.NumberFormatPart[]) => ps.map((p) => p.value).join('');
    return [text(parts.slice(0, first)), text(parts.slice(last + 1))];
  };
  const positive = affixesOf(1.5);
  const negative = affixesOf(-1.5);
  const minFraction = format.resolvedOptions().minimumFractionDigits ?? 0;
  return (decimal) => {
    const isNegative = decimal.startsWith('-');
    const unsigned = isNegative ? decimal.slice(1) : decimal;
    const [intDigits, fraction = ''] = unsigned.split('.');
    const shownFraction = fraction.padEnd(minFraction, '0');
    const [prefix, suffix] = isNegative ? negative : positive;
    return `${prefix}${numbers.group(intDigits)}${shownFraction === '' ? '' : numbers.decimal + shownFraction}${suffix}`;
  };
}

function readDecimalInput(transform: string, value: Value, numbers: LocaleNumber, withCurrency: boolean): Reading | null {
  if (typeof value === 'number' || typeof value === 'bigint') {
    const decimal = machineDecimal(value);
    if (decimal === undefined) throw new TransformError(transform, 'invalid_number', value);
    return { decimal, mark: undefined };
  }
  if (typeof value === 'boolean') throw new TransformError(transform, 'invalid_number', value);
  const text = textOf(transform, value).trim();
  if (isBlankText(text)) return null;
  const reading = readNumber(text, numbers, withCurrency);
  if (!reading) throw new TransformError(transform, 'invalid_number', value, `not a number in ${numbers.locale}`);
  return reading;
}

/** The inverse direction: canonical decimal text (or a number) in, shifted back, printed text out. */
function printDecimal(transform: string, value: Value, shift: number, print: (decimal: string) => string): Value {
  const reading = readDecimalInput(transform, value, CANONICAL, false);
  return reading === null ? null : print(shiftDecimal(reading.decimal, -shift));
}

const CANONICAL = localeNumber('en-US');

export const number: TransformDefinition<NumberParams> = {
  name: 'number',
  usage: 'number: { locale?: de-DE, precision?: 38, scale?: 10, shift?: -6 }',
  params: numberParams,
  compile: (params, ctx) => {
    const numbers = localeOf(params, ctx);
    return single((value) => {
      const reading = readDecimalInput('number', value, numbers, false);
      return reading === null ? null : fitted('number', value, reading.decimal, params);
    });
  },
  /** Decimal text → the locale's grouped form ("1234.5" → "1.234,5" in de-DE). */
  inverse: (params, ctx) => {
    const numbers = localeOf(params, ctx);
    const print = decimalPrinter(numbers, new Intl.NumberFormat(numbers.locale));
    return single((value) => printDecimal('number', value, params.shift, print));
  },
};

const moneyParams = z
  .strictObject({
    part: z.enum(['amount', 'currency']).default('amount'),
    locale: z.string().optional(),
    /** The currency of unmarked amounts and of `$`-like symbols; a value marked otherwise rejects. */
    currency: currencyCode.optional(),
    /** Extra symbol → code readings, e.g. { "$": CAD }. */
    symbols: z.record(z.string(), currencyCode).default({}),
    precision: z.number().int().min(1).max(1000).optional(),
    scale: z.number().int().min(0).max(1000).optional(),
    /**
     * Multiply by 10^shift, exactly, before the precision/scale check: -2 reads cents, -6 micros,
     * 3 thousands. Only powers of ten: a decimal times one never needs rounding.
     */
    shift: z.number().int().min(-1000).max(1000).default(0),
  })
  .default({ part: 'amount', symbols: {}, shift: 0 });

type MoneyParams = z.output<typeof moneyParams>;

/**
 * Money text ("$25,000.00", "1.234,56 €", "(1,200.00)", "USD 1,000") split into its amount
 * (exact decimal text) or its currency (ISO code). A symbol shared by several currencies (`$`)
 * is read as the declared `currency`; without one, asking for the currency rejects.
 */
export const money: TransformDefinition<MoneyParams> = {
  name: 'money',
  usage: 'money: { part?: amount | currency, locale?: en-US, currency?: USD, symbols?: { "$": CAD }, precision?, scale?, shift?: -2 }',
  params: moneyParams,
  compile: (params, ctx) => {
    const numbers = localeOf(params, ctx);
    const symbols = new Map(Object.entries({ ...UNAMBIGUOUS_SYMBOLS, ...params.symbols }));
    const codeOf = (value: Value, mark: string | undefined): string | null => {
      if (mark === undefined) return params.currency ?? null;
      const code = KNOWN_CODES.has(mark) ? mark : (symbols.get(mark) ?? params.currency);
      if (code === undefined) throw new TransformError('money', 'ambiguous_currency', value, `declare currency for "${mark}"`);
      if (!KNOWN_CODES.has(code)) throw new TransformError('money', 'unknown_currency', value);
      if (params.currency !== undefined && code !== params.currency) throw new TransformError('money', 'currency_mismatch', value);
      return code;
    };
    if (params.part === 'currency') {
      return single((value) => {
        const reading = readDecimalInput('money', value, numbers, true);
        return reading === null ? null : codeOf(value, reading.mark);
      });
    }
    // The amount needs the currency only to check it against a declared one; a `$` alone is fine.
    const checkCurrency = params.currency !== undefined;
    return single((value) => {
      const reading = readDecimalInput('money', value, numbers, true);
      if (reading === null) return null;
      if (checkCurrency) codeOf(value, reading.mark);
      else if (reading.mark !== undefined && ISO_CODE.test(reading.mark) && !KNOWN_CODES.has(reading.mark)) {
        throw new TransformError('money', 'unknown_currency', value);
      }
      return fitted('money', value, reading.decimal, params);
    });
  },
  /** Amount → money text in the locale and declared currency ("-1234.5" → "-$1,234.50"). */
  inverse: (params, ctx) => {
    if (params.part !== 'amount' || params.currency === undefined) {
      throw new CrmError('CRM_M5001', 'money can only be inverted for part: amount with a declared currency');
    }
    const numbers = localeOf(params, ctx);
    const print = decimalPrinter(numbers, new Intl.NumberFormat(numbers.locale, { style: 'currency', currency: params.currency }));
    return single((value) => printDecimal('money', value, params.shift, print));
  },
};

const NON_ZERO = /[1-9]/;
const INT32 = [-(2n ** 31n), 2n ** 31n - 1n] as const;
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const bound = z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).transform((b) => BigInt(b));

const integerParams = z
  .strictObject({
    /** `integer`: a JS number in the 32-bit range; `bigint`: a bigint in the 64-bit range. */
    type: z.enum(['integer', 'bigint']).default('integer'),
    locale: z.string().optional(),
    min: bound.optional(),
    max: bound.optional(),
  })
  .default({ type: 'integer' });

type IntegerParams = z.output<typeof integerParams>;

/** Text or number to an integer, exactly (via bigint), with a range check; "12.00" is 12, "12.5" rejects. */
export const integer: TransformDefinition<IntegerParams> = {
  name: 'integer',
  usage: 'integer: { type?: integer | bigint, locale?, min?, max? }',
  params: integerParams,
  compile: (params, ctx) => {
    const numbers = localeOf(params, ctx);
    const [typeMin, typeMax] = params.type === 'bigint' ? INT64 : INT32;
    const min = params.min !== undefined && params.min > typeMin ? params.min : typeMin;
    const max = params.max !== undefined && params.max < typeMax ? params.max : typeMax;
    const asBigint = params.type === 'bigint';
    return single((value) => {
      const reading = readDecimalInput('integer', value, numbers, false);
      if (reading === null) return null;
      const [intPart, fraction = ''] = reading.decimal.split('.');
      if (NON_ZERO.test(fraction)) throw new TransformError('integer', 'not_integer', value);
      const n = BigInt(intPart);
      if (n < min || n > max) throw new TransformError('integer', 'out_of_range', value, `expected ${min}..${max}`);
      return asBigint ? n : Number(n);
    });
  },
};
