import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, normalizeDecimal, normalizeTimestamptz, parseCanonicalText, toCanonicalText } from '../../src/core/canonical.js';

describe('canonical text form', () => {
  it('normalises decimals without changing their value', () => {
    expect(normalizeDecimal('0012.3400')).toBe('12.34');
    expect(normalizeDecimal('-0.000')).toBe('0');
    expect(normalizeDecimal('5.')).toBe('5');
    expect(normalizeDecimal('+7.10')).toBe('7.1');
    expect(normalizeDecimal('-0')).toBe('0');
    expect(normalizeDecimal('12.5')).toBe('12.5');
  });

  it('is idempotent for decimals of any size (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 38n), max: 10n ** 38n }), fc.nat({ max: 12 }), fc.nat({ max: 4 }), (n, scale, zeros) => {
        const digits = (n < 0n ? -n : n).toString().padStart(scale + 1, '0');
        const text = `${n < 0n ? '-' : ''}${digits.slice(0, digits.length - scale)}${scale ? `.${digits.slice(-scale)}` : ''}${scale ? '0'.repeat(zeros) : ''}`;
        const once = normalizeDecimal(text);
        expect(normalizeDecimal(once)).toBe(once);
        expect(Number(once)).toBe(Number(text));
      }),
    );
  });

  it('converts timestamptz to UTC with microseconds kept, whatever the process zone', () => {
    const original = process.env.TZ;
    for (const tz of ['Asia/Singapore', 'America/Los_Angeles']) {
      process.env.TZ = tz;
      expect(normalizeTimestamptz('2026-11-24 13:18:05.123456+08')).toBe('2026-11-24T05:18:05.123456Z');
      expect(normalizeTimestamptz('1969-12-31T20:00:00-05:30')).toBe('1970-01-01T01:30:00.000000Z');
      expect(normalizeTimestamptz('0001-01-01 00:00:00Z')).toBe('0001-01-01T00:00:00.000000Z');
    }
    process.env.TZ = original;
  });

  it('keeps NULL distinct from the empty string and rejects malformed values with CRM_R4003', () => {
    expect(toCanonicalText(null, { kind: 'text' })).toBeNull();
    expect(toCanonicalText('', { kind: 'text' })).toBe('');
    expect(() => parseCanonicalText('2024-02-30', { kind: 'date' })).toThrow(expect.objectContaining({ code: 'CRM_R4003' }));
    expect(() => parseCanonicalText('12a', { kind: 'decimal' })).toThrow(expect.objectContaining({ code: 'CRM_R4003' }));
    expect(parseCanonicalText('9223372036854775807', { kind: 'bigint' })).toBe(9223372036854775807n);
  });

  it('keeps every digit of JSON numbers (beyond 2^53, long fractions) and sorts keys', () => {
    // On Node 20 JSON.parse rounds both to the same double: the two must still differ.
    expect(canonicalJson('{"id": 9007199254740993}')).toBe('{"id":9007199254740993}');
    expect(canonicalJson('{"id": 9007199254740993}')).not.toBe(canonicalJson('{"id": 9007199254740992}'));
    expect(canonicalJson('[0.10000000000000000001, 1e400, -0, 1.50]')).toBe('[0.10000000000000000001,1e400,-0,1.50]');
    expect(canonicalJson(' {"b": {"z": null, "a": [true, false]}, "a": "\\u00e9\\n", "__proto__": 1, "b": 2} ')).toBe(
      '{"__proto__":1,"a":"é\\n","b":2}',
    );
    for (const bad of ['{"a":1,}', '[1 2]', '01', '"\t"', '{"a"}', 'nul', '1 1', '']) {
      expect(() => canonicalJson(bad), bad).toThrow(SyntaxError);
    }
  });
});
