import { describe, expect, it } from 'vitest';
import { decodeKey, encodeKey } from '../../src/core/keys.js';

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

  it('keeps composite keys ordered and distinct', () => {
    expect(encodeKey(['a', 1n])).toBe('["a","1"]');
    expect(encodeKey(['a,b'])).not.toBe(encodeKey(['a', 'b']));
    expect(decodeKey(encodeKey(['x', null]))).toEqual(['x', null]);
  });
});
