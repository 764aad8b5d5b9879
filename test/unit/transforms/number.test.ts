import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeDecimal } from '../../../src/core/canonical.js';
import { compilePipeline } from '../../../src/mapping/transforms/compile-pipeline.js';
import { expectReject, run } from './helpers.js';

const DIGITS38 = '12345678901234567890123456789012345678';

describe('number', () => {
  it('reads en-US text into exact plain decimal text', () => {
    expect(run(['number'], '1,000.54')).toBe('1000.54');
    expect(run(['number'], '25000')).toBe('25000');
    expect(run(['number'], ' (1,200.00) ')).toBe('-1200.00');
    expect(run(['number'], '1,200.00-')).toBe('-1200.00');
    expect(run(['number'], '−42')).toBe('-42');
    expect(run(['number'], '+5')).toBe('5');
    expect(run(['number'], '.5')).toBe('0.5');
    expect(run(['number'], '007.10')).toBe('7.10');
    expect(run(['number'], '-0.00')).toBe('0.00');
    expect(run(['number'], '1.5E3')).toBe('1500');
    expect(run(['number'], '1e-7')).toBe('0.0000001');
    expect(run(['number'], DIGITS38)).toBe(DIGITS38);
    expect(run(['number'], `-${DIGITS38.slice(0, 10)}.${DIGITS38.slice(10)}`)).toBe(`-${DIGITS38.slice(0, 10)}.${DIGITS38.slice(10)}`);
  });
  it('reads JS numbers and bigints exactly', () => {
    expect(run(['number'], 0.1)).toBe('0.1');
    expect(run(['number'], 1e21)).toBe('1000000000000000000000');
    expect(run(['number'], 2n ** 70n)).toBe('1180591620717411303424');
    expectReject(['number'], Number.NaN, 'invalid_number');
    expectReject(['number'], true, 'invalid_number');
  });
  it('follows the declared locale', () => {
    expect(run([{ number: { locale: 'de-DE' } }], '1.234,56')).toBe('1234.56');
    expect(run([{ number: { locale: 'de-DE' } }], '1.234')).toBe('1234');
    expect(run(['number'], '1,5', { locale: 'de-DE' })).toBe('1.5');
    expect(run([{ number: { locale: 'fr-FR' } }], '25 000,50')).toBe('25000.50');
    expect(run([{ number: { locale: 'fr-FR' } }], '25\u202f000,50')).toBe('25000.50');
    expect(run([{ number: { locale: 'en-IN' } }], '12,34,567.00')).toBe('1234567.00');
    expect(run([{ number: { locale: 'de-CH' } }], "1'234.5")).toBe('1234.5');
  });
  it('makes blank NULL (never 0) and rejects garbage', () => {
    expect(run(['number'], '')).toBeNull();
    expect(run(['number'], '   ')).toBeNull();
    for (const bad of ['NaN', 'Infinity', '1,2,3', '12abc', '$5', '1.2.3', '--5', '(-5)', '-', '.', '1 2'])
      expectReject(['number'], bad, 'invalid_number');
    expectReject([{ number: { locale: 'de-DE' } }], '1,234.56', 'invalid_number');
  });
  it('fits a declared precision and scale without rounding', () => {
    expect(run([{ number: { scale: 2 } }], '1.2300')).toBe('1.23');
    expectReject([{ number: { scale: 2 } }], '1.234', 'precision_loss');
    expect(run([{ number: { precision: 5, scale: 2 } }], '999.99')).toBe('999.99');
    expectReject([{ number: { precision: 5, scale: 2 } }], '1234.5', 'out_of_range');
    expect(run([{ number: { precision: 38, scale: 0 } }], DIGITS38)).toBe(DIGITS38);
    expectReject([{ number: { precision: 38, scale: 0 } }], `9${DIGITS38}`, 'out_of_range');
  });
  it('inverts to locale text exactly, past Intl’s 20 fraction digits', () => {
    expect(compilePipeline([{ number: { locale: 'de-DE' } }], {}, { inverse: true })('-1234.5')).toBe('-1.234,5');
    const long = `${DIGITS38.slice(0, 8)}.${DIGITS38.slice(8)}`;
    const back = compilePipeline(['number'], {}, { inverse: true });
    expect(run(['number'], back(long))).toBe(long);
  });
});

describe('shift: multiplying by a power of ten, exactly', () => {
  it('reads micros, cents and thousands digit for digit, 38 digits and exponents included', () => {
    expect(run([{ number: { shift: -6 } }], '12500000')).toBe('12.500000');
    expect(run([{ number: { shift: -6 } }], '-7')).toBe('-0.000007');
    expect(run([{ number: { shift: -2 } }], '1,999')).toBe('19.99');
    expect(run([{ number: { shift: 3 } }], '1.5')).toBe('1500');
    expect(run([{ number: { shift: -6 } }], '1.5E3')).toBe('0.001500');
    expect(run([{ number: { shift: -6 } }], DIGITS38)).toBe(`${DIGITS38.slice(0, 32)}.${DIGITS38.slice(32)}`);
    expect(run([{ number: { shift: -40 } }], `-${DIGITS38}`)).toBe(`-0.00${DIGITS38}`);
    expect(run([{ number: { shift: -2 } }], 12345678901234567890n)).toBe('123456789012345678.90');
    expect(run([{ number: { shift: -6 } }], '0')).toBe('0.000000');
    expect(run([{ number: { shift: -6 } }], '')).toBeNull();
    expect(run([{ money: { shift: -6, currency: 'USD' } }], '$-2,500,000')).toBe('-2.500000');
  });
  it('never rounds: a shifted value the declared scale cannot hold rejects, as unshifted ones do', () => {
    expect(run([{ number: { shift: -6, scale: 2 } }], '12500000')).toBe('12.50');
    expectReject([{ number: { shift: -6, scale: 2 } }], '12345678', 'precision_loss');
    expectReject([{ money: { shift: -2, precision: 4, scale: 2 } }], '$12,345', 'out_of_range');
  });
  it('shifts back on the way out (two-way sync), exactly', () => {
    const back = compilePipeline([{ number: { shift: -6 } }], {}, { inverse: true });
    expect(back('12.5')).toBe('12,500,000');
    expect(run([{ number: { shift: -6 } }], back(`-${DIGITS38.slice(0, 20)}.${DIGITS38.slice(20, 26)}`) as string)).toBe(
      `-${DIGITS38.slice(0, 20)}.${DIGITS38.slice(20, 26)}`,
    );
    expect(compilePipeline([{ money: { shift: -2, currency: 'USD' } }], {}, { inverse: true })('-19.99')).toBe('-$1,999.00');
  });
  it('takes only whole powers of ten', () => {
    expect(() => compilePipeline([{ number: { shift: 0.5 } }], {})).toThrow(expect.objectContaining({ code: 'CRM_M5001' }));
    expect(() => compilePipeline([{ number: { shift: '-6' } }], {})).toThrow(expect.objectContaining({ code: 'CRM_M5001' }));
  });
});

describe('money', () => {
  it('splits off the amount', () => {
    expect(run(['money'], '$25,000.00')).toBe('25000.00');
    expect(run([{ money: { part: 'amount', locale: 'en-US' } }], '(1,200.00)')).toBe('-1200.00');
    expect(run(['money'], '($1,200.00)')).toBe('-1200.00');
    expect(run(['money'], '-$1,234.50')).toBe('-1234.50');
    expect(run(['money'], '$-1,234.50')).toBe('-1234.50');
    expect(run(['money'], 'USD 1,000')).toBe('1000');
    expect(run(['money'], '1,000 USD')).toBe('1000');
    expect(run([{ money: { locale: 'de-DE' } }], '1.234,56 €')).toBe('1234.56');
    expect(run([{ money: { locale: 'fr-FR' } }], '25 000,50 €')).toBe('25000.50');
    expect(run([{ money: { locale: 'pt-BR' } }], 'R$ 1.234,56')).toBe('1234.56');
    expect(run(['money'], '')).toBeNull();
  });
  it('splits off the currency as an ISO code', () => {
    const currency = (extra: Record<string, unknown> = {}) => [{ money: { part: 'currency', ...extra } }];
    expect(run(currency(), 'USD 1,000')).toBe('USD');
    expect(run(currency({ locale: 'fr-FR' }), '25 000,50 €')).toBe('EUR');
    expect(run(currency(), '£12.00')).toBe('GBP');
    expect(run(currency({ currency: 'USD' }), '$25,000.00')).toBe('USD');
    expect(run(currency({ currency: 'USD' }), '25,000.00')).toBe('USD');
    expect(run(currency({ symbols: { $: 'CAD' } }), '$5')).toBe('CAD');
    expect(run(currency(), '25,000.00')).toBeNull(); // no mark, none declared: unknown
  });
  it('rejects ambiguous, unknown and mismatched currencies, and garbage', () => {
    expectReject([{ money: { part: 'currency' } }], '$25,000.00', 'ambiguous_currency');
    expectReject(['money'], 'QQQ 100', 'unknown_currency');
    expectReject([{ money: { currency: 'USD' } }], '€100', 'currency_mismatch');
    expectReject(['money'], '$ 1,2,3', 'invalid_number');
    expectReject(['money'], 'USD 1 EUR', 'invalid_number');
    expectReject(['money'], 'call us', 'invalid_number');
  });
  it('inverts an amount to money text in the locale and currency', () => {
    expect(compilePipeline([{ money: { currency: 'USD' } }], {}, { inverse: true })('-1234.5')).toBe('-$1,234.50');
    expect(compilePipeline([{ money: { currency: 'EUR', locale: 'de-DE' } }], {}, { inverse: true })('1234.5')).toBe('1.234,50\u00a0€');
    expect(() => compilePipeline([{ money: { part: 'currency' } }], {}, { inverse: true })).toThrow(/step 1 \(money\)/);
  });

  const decimal38 = fc
    .tuple(fc.boolean(), fc.integer({ min: 1, max: 38 }))
    .chain(([negative, intLength]) =>
      fc
        .tuple(fc.stringMatching(new RegExp(`^[1-9]\\d{${intLength - 1}}$`)), fc.stringMatching(new RegExp(`^\\d{0,${38 - intLength}}$`)))
        .map(([intDigits, fraction]) => `${negative ? '-' : ''}${intDigits}${fraction === '' ? '' : `.${fraction}`}`),
    );

  it('round-trips printed money back to the same decimal (38 digits, several locales)', () => {
    const cases = [
      ['en-US', 'USD'],
      ['de-DE', 'EUR'],
      ['fr-FR', 'EUR'],
      ['en-IN', 'INR'],
      ['de-CH', 'CHF'],
      ['ja-JP', 'JPY'],
    ] as const;
    for (const [locale, currency] of cases) {
      const params = { money: { locale, currency } };
      const print = compilePipeline([params], {}, { inverse: true });
      const parse = compilePipeline([params], {});
      fc.assert(
        fc.property(decimal38, (decimal) => {
          const printed = print(decimal) as string;
          expect(normalizeDecimal(parse(printed) as string)).toBe(normalizeDecimal(decimal));
        }),
        { numRuns: 150 },
      );
    }
  });

  it('round-trips hand-printed accounting text exactly, scale included', () => {
    const parse = compilePipeline(['money'], {});
    fc.assert(
      fc.property(decimal38, fc.constantFrom('$', 'USD '), (decimal, mark) => {
        const negative = decimal.startsWith('-');
        const [intDigits, fraction] = decimal.replace('-', '').split('.');
        const grouped = intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
        const body = `${mark}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
        expect(parse(negative ? `(${body})` : body)).toBe(decimal);
      }),
      { numRuns: 300 },
    );
  });
});

describe('integer', () => {
  it('reads integers exactly, with grouping', () => {
    expect(run(['integer'], '1,234')).toBe(1234);
    expect(run(['integer'], '-12.00')).toBe(-12);
    expect(run(['integer'], 3)).toBe(3);
    expect(run(['integer'], '1e3')).toBe(1000);
    expect(run([{ integer: { type: 'bigint' } }], '9223372036854775807')).toBe(9223372036854775807n);
    expect(run([{ integer: { type: 'bigint' } }], '-9223372036854775808')).toBe(-9223372036854775808n);
    expect(run(['integer'], '')).toBeNull();
  });
  it('checks the range of the type and the declared bounds', () => {
    expect(run(['integer'], '2147483647')).toBe(2147483647);
    expectReject(['integer'], '2147483648', 'out_of_range');
    expectReject([{ integer: { type: 'bigint' } }], '9223372036854775808', 'out_of_range');
    expectReject([{ integer: { min: 1, max: 5 } }], '6', 'out_of_range');
    expect(run([{ integer: { type: 'bigint', max: '9007199254740993' } }], '9007199254740993')).toBe(9007199254740993n);
  });
  it('rejects fractions and garbage', () => {
    expectReject(['integer'], '12.5', 'not_integer');
    expectReject(['integer'], 2.5, 'not_integer');
    expectReject(['integer'], 'twelve', 'invalid_number');
  });
});
