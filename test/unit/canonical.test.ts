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

  it('shifts timestamptz across the end of February in the year of the value', () => {
    // Once computed in the year 2000 (a leap year): 2019-03-01 00:30+01 came out as 2019-03-01T23:30.
    expect(normalizeTimestamptz('2019-03-01 00:30:00+01:00')).toBe('2019-02-28T23:30:00.000000Z');
    expect(normalizeTimestamptz('2100-03-01 00:30:00.5+01')).toBe('2100-02-28T23:30:00.500000Z');
    expect(normalizeTimestamptz('2019-02-28 23:30:00-01:00')).toBe('2019-03-01T00:30:00.000000Z');
    expect(normalizeTimestamptz('2020-03-01 00:30:00+01:00')).toBe('2020-02-29T23:30:00.000000Z');
    expect(normalizeTimestamptz('2019-12-31 23:59:59.999999-00:01')).toBe('2020-01-01T00:00:59.999999Z');
    expect(normalizeTimestamptz('2019-06-30 12:00:00+00:00')).toBe('2019-06-30T12:00:00.000000Z');
    expect(normalizeTimestamptz('2019-06-30 24:00:00z')).toBe('2019-07-01T00:00:00.000000Z');
  });

  it('converts timestamptz exactly as UTC calendar arithmetic does, for many dates and offsets', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 20_000; i++) {
      const y = 1000 + next(9000);
      const mo = 1 + next(12);
      const d = 1 + next(new Date(Date.UTC(y, mo, 0)).getUTCDate());
      const [hh, mi, ss] = [next(24), next(60), next(60)];
      const off = (next(2) ? 1 : -1) * next(15 * 60);
      const zone = `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
      const text = `${pad(y, 4)}-${pad(mo)}-${pad(d)} ${pad(hh)}:${pad(mi)}:${pad(ss)}.123${zone}`;
      const want = new Date(Date.UTC(y, mo - 1, d, hh, mi - off, ss)).toISOString().replace(/\.\d{3}Z$/, '.123000Z');
      expect([text, normalizeTimestamptz(text)]).toEqual([text, want]);
    }
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
