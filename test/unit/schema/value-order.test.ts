import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparatorFor, compareDecimalText, MinMax } from '../../../src/schema/value-order.js';

/** Exact reference: scale both to 30 fraction digits as BigInt. */
const scaled = (text: string): bigint => {
  const negative = text.startsWith('-');
  const [int, frac = ''] = text.replace('-', '').split('.');
  const v = BigInt(int + frac.padEnd(30, '0'));
  return negative ? -v : v;
};

describe('compareDecimalText', () => {
  it('orders like exact arithmetic, beyond double precision', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.stringMatching(/^\d{0,12}$/))
      .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`);
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const expected = Math.sign(Number(scaled(a) - scaled(b)));
        expect(Math.sign(compareDecimalText(a, b))).toBe(expected);
      }),
    );
  });

  it('treats -0 and 0.000 as zero', () => {
    expect(compareDecimalText('-0', '0.000')).toBe(0);
    expect(compareDecimalText('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
  });
});

describe('comparatorFor', () => {
  it('orders numbers numerically and text by code units', () => {
    const numbers = new MinMax(comparatorFor('integer')!);
    for (const v of ['9', '10', '-3']) numbers.add(v);
    expect([numbers.min, numbers.max]).toEqual(['-3', '10']);
    const text = new MinMax(comparatorFor('text')!);
    for (const v of ['b', 'B', 'a']) text.add(v);
    expect([text.min, text.max]).toEqual(['B', 'b']);
    expect(comparatorFor('json')).toBeUndefined();
  });
});
