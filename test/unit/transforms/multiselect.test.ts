import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../../src/mapping/transforms/compile-pipeline.js';
import type { TransformError } from '../../../src/mapping/transforms/transform.js';
import { expectReject, run } from './helpers.js';

const sugar = { multiselect: { format: 'sugar' } };

describe('multiselect', () => {
  it('splits Sugar ^a^,^b^ lists', () => {
    expect(run([sugar], '^Red^,^Blue, Navy^')).toEqual(['Red', 'Blue, Navy']);
    expect(run([sugar], '^solo^')).toEqual(['solo']);
    expect(run([sugar], '^^')).toEqual([]);
    expect(run([sugar], '')).toEqual([]);
    expectReject([sugar], 'Red,Blue', 'invalid_multiselect');
  });
  it('splits separated lists with a declared separator and escapes', () => {
    expect(run(['multiselect'], 'a; b ;c')).toEqual(['a', 'b', 'c']);
    expect(run([{ multiselect: { separator: ',' } }], 'a,b')).toEqual(['a', 'b']);
    expect(run(['multiselect'], 'R\\;D;Sales')).toEqual(['R;D', 'Sales']);
    expect(run(['multiselect'], 'C:\\dir;x\\\\')).toEqual(['C:\\dir', 'x\\']);
    expect(run([{ multiselect: { escape: 'none' } }], 'a\\;b')).toEqual(['a\\', 'b']);
  });
  it('drops empty items and duplicates; empty text is the empty set, NULL stays NULL', () => {
    expect(run(['multiselect'], 'a;;a; ;b')).toEqual(['a', 'b']);
    expect(run(['multiselect'], '')).toEqual([]);
    expect(run(['multiselect'], null)).toBeNull();
  });
  it('reads JSON arrays and passes string arrays through', () => {
    expect(run([{ multiselect: { format: 'json' } }], '["a","b;c"]')).toEqual(['a', 'b;c']);
    expectReject([{ multiselect: { format: 'json' } }], '{"a":1}', 'invalid_multiselect');
    expectReject([{ multiselect: { format: 'json' } }], '[1,2]', 'invalid_multiselect');
    expect(run(['multiselect'], ['x', ' y ', 'x'])).toEqual(['x', 'y']);
  });
  it('rejects values outside the declared options', () => {
    const colors = { multiselect: { values: ['Red', 'Blue'] } };
    expect(run([colors], 'Red;Blue')).toEqual(['Red', 'Blue']);
    expectReject([colors], 'Red;Purple', 'unknown_option');
  });
  it('rejects a separator that contains the escape character', () => {
    expect(() => run([{ multiselect: { separator: '\\|' } }], 'a')).toThrow(/step 1 \(multiselect\)/);
  });
});

describe('join_multiselect', () => {
  it('writes each format', () => {
    expect(run(['join_multiselect'], ['R;D', 'Sales', 'a\\b'])).toBe('R\\;D;Sales;a\\\\b');
    expect(run([{ join_multiselect: { format: 'sugar' } }], ['Red', 'Blue, Navy'])).toBe('^Red^,^Blue, Navy^');
    expect(run([{ join_multiselect: { format: 'sugar' } }], [])).toBe('');
    expect(run([{ join_multiselect: { format: 'json' } }], ['a', 'b"c'])).toBe('["a","b\\"c"]');
  });
  it('rejects values a format cannot carry', () => {
    expectReject([{ join_multiselect: { escape: 'none' } }], ['a;b'], 'unrepresentable_value');
    expectReject([{ join_multiselect: { format: 'sugar' } }], ['a^,^b'], 'unrepresentable_value');
    expectReject([{ join_multiselect: { format: 'sugar' } }], [','], 'unrepresentable_value');
    expectReject(['join_multiselect'], ['a', ''], 'unrepresentable_value');
  });

  // Values made of the characters that break naive formats, without outer white space (trimmed on read).
  const item = fc
    .string({ unit: fc.constantFrom('a', 'B', ' ', ';', ',', '^', '\\', '|', 'é', '"'), minLength: 1, maxLength: 8 })
    .filter((s) => s.trim() === s && s !== '');
  const itemSet = fc.uniqueArray(item, { maxLength: 6 });

  for (const params of [
    { format: 'separated', separator: ';' },
    { format: 'separated', separator: ',' },
    { format: 'separated', separator: '||' },
    { format: 'separated', separator: '||', escape: 'none' },
    { format: 'sugar' },
    { format: 'json' },
  ]) {
    it(`round-trips sets whose values contain separators (${JSON.stringify(params)})`, () => {
      const write = compilePipeline([{ join_multiselect: params }], {});
      const read = compilePipeline([{ multiselect: params }], {});
      const back = compilePipeline([{ multiselect: params }], {}, { inverse: true });
      fc.assert(
        fc.property(itemSet, (items) => {
          let text: unknown;
          try {
            text = write(items);
          } catch (err) {
            // Only a format without escapes may refuse, and only for a value it cannot carry.
            expect(params.format === 'sugar' || ('escape' in params && params.escape === 'none')).toBe(true);
            expect((err as TransformError).reason).toBe('unrepresentable_value');
            return;
          }
          expect(read(text as string)).toEqual(items);
          expect(back(items)).toBe(text);
        }),
        { numRuns: 300 },
      );
    });
  }
});
