import { describe, expect, it } from 'vitest';
import { decodeKey, encodeKey } from '../../src/core/keys.js';
import type { Value } from '../../src/core/types.js';

describe('encodeKey', () => {
  it('gives one text per key whatever type the driver read it as', () => {
    expect(encodeKey([42])).toBe('["42"]');
    expect(encodeKey([42n])).toBe('["42"]');
    expect(encodeKey(['42'])).toBe('["42"]');
    expect(encodeKey([new Uint8Array([0xab, 0x01])])).toBe('["ab01"]');
    expect(encodeKey([null])).toBe('[null]');
  });

  it('encodes a single-part key exactly as the general composite form does', () => {
    // The single-part fast path must stay byte-identical to the array form (ids are stored with it).
    const odd = ['a"b', 'back\\slash', 'line\nbreak', '\u2028', 'ü€𝄞', '', ' '];
    for (const v of odd) {
      expect(encodeKey([v])).toBe(JSON.stringify([v]));
      expect(decodeKey(encodeKey([v]))).toEqual([v]);
    }
  });

  it('writes every part exactly as JSON.stringify of its text (the ids stored before the fast path)', () => {
    // encodeKey as it was: JSON.stringify of each part's text.
    const text = (v: Value): string | null =>
      v === null ? null : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : Array.isArray(v) ? JSON.stringify(v) : String(v);
    const reference = (values: readonly Value[]): string => JSON.stringify(values.map(text));
    const parts: Value[] = [
      'plain',
      'a"b',
      'back\\slash',
      'tab\there',
      '\u0000nul',
      '\u001f',
      '\u007fdel',
      '\u2028\u2029',
      '𝄞',
      '\ud800lone',
      'lone\udfff',
      'ü€',
      '',
      '42',
      0,
      -0,
      1.5e300,
      Number.NaN,
      -12345678901234567890n,
      true,
      false,
      null,
      new Uint8Array([0, 255]),
      ['golf', 'wi"ne'],
    ];
    for (const a of parts) {
      expect(encodeKey([a])).toBe(reference([a]));
      expect(decodeKey(encodeKey([a]))).toEqual(JSON.parse(reference([a])));
      for (const b of parts) expect(encodeKey([a, b, a])).toBe(reference([a, b, a]));
    }
  });

  it('decodes what JSON.parse decodes, and throws where it throws', () => {
    const outcome = (f: () => unknown) => {
      try {
        return f();
      } catch {
        return 'throws';
      }
    };
    const texts = [
      '["a"]',
      '[""]',
      '["a","b"]',
      '["a\\"b"]',
      '["a\\\\"]',
      '[null]',
      '["x"],["y"]',
      '["\\u0041"]',
      '["a", "b"]',
      '["a"b"]',
      '["\t"]',
    ];
    for (const text of texts) expect([text, outcome(() => decodeKey(text))]).toEqual([text, outcome(() => JSON.parse(text))]);
  });

  it('keeps composite keys ordered and distinct', () => {
    expect(encodeKey(['a', 1n])).toBe('["a","1"]');
    expect(encodeKey(['a,b'])).not.toBe(encodeKey(['a', 'b']));
    expect(decodeKey(encodeKey(['x', null]))).toEqual(['x', null]);
  });
});
