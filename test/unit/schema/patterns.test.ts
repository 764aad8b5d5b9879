import { describe, expect, it } from 'vitest';
import { matchPatterns, PATTERN_BIT, PATTERN_DETECTORS, type PatternName, phoneFormat } from '../../../src/schema/patterns.js';

const names = (text: string): PatternName[] => PATTERN_DETECTORS.filter((_, i) => matchPatterns(text) & (1 << i)).map((d) => d.name);
const canonical = (name: PatternName, text: string) => PATTERN_DETECTORS.find((d) => d.name === name)!.canonical!(text);

describe('pattern detectors', () => {
  it.each<[string, PatternName[]]>([
    ['jane.doe@example.com', ['email']],
    ['(555) 123-4567', ['phone']],
    ['+44 20 7946 0958', ['phone']],
    ['555.123.4567 x204', ['phone']],
    ['https://example.com/path?q=1', ['url']],
    ['www.example.org', ['url']],
    ['acme-corp.biz', ['url']],
    ['3F2504E0-4F89-11D3-9A0C-0305E82C3301', ['uuid']],
    ['Y', ['boolean']],
    ['false', ['boolean']],
    ['1', ['boolean', 'integer']],
    ['-42', ['integer']],
    ['3.14', ['decimal']],
    ['1,234,567.89', ['thousands']],
    ['$25,000.00', ['currency']],
    ['1500 USD', ['currency']],
    ['2024-02-29', ['date-iso']],
    ['12/31/2023', ['date-us']],
    ['31/12/2023', ['date-dmy']],
    ['31.12.2023', ['date-eu']],
    ['2023-12-31 23:59:59.5', ['datetime-iso']],
    ['2023-12-31T23:59:59+02:00', ['datetime-iso-tz']],
    ['12/31/2023 11:30 PM', ['datetime-us']],
    ['08:15', ['time']],
  ])('%s → %j', (text, expected) => {
    expect(names(text)).toEqual(expected);
  });

  it('matches nothing for free text, invalid dates, and leading-zero numbers (zip codes stay text)', () => {
    for (const text of ['hello world', '2023-02-30', '13/13/2023', '00123', 'john@', 'N/A']) {
      expect(names(text), text).not.toContain('date-iso');
      expect(names(text), text).not.toContain('integer');
      expect(names(text), text).not.toContain('email');
    }
    expect(names('00123')).toEqual([]);
    // A bare run of 10+ digits may be a phone, and is an integer too; shorter runs are numbers only.
    expect(names('5551234567')).toEqual(['phone', 'integer']);
    expect(names('1234567')).toEqual(['integer']);
    // ZIP+4 codes are not phones.
    expect(names('59579-3116')).toEqual([]);
  });

  it('ambiguous slash dates match both day-first and month-first', () => {
    expect(names('03/04/2020')).toEqual(['date-us', 'date-dmy']);
    expect(canonical('date-us', '3/4/2020')).toBe('2020-03-04');
    expect(canonical('date-dmy', '3/4/2020')).toBe('2020-04-03');
  });

  it('gives canonical forms in the pattern type', () => {
    expect(canonical('currency', '-$1,250.50')).toBe('-1250.5');
    expect(canonical('thousands', '12,000')).toBe('12000');
    expect(canonical('date-eu', '1.2.1999')).toBe('1999-02-01');
    expect(canonical('datetime-us', '12/31/2023 12:05 AM')).toBe('2023-12-31 00:05:00.000000');
    expect(canonical('datetime-iso', '2023-12-31 23:59')).toBe('2023-12-31 23:59:00.000000');
    expect(canonical('datetime-iso-tz', '2023-12-31T23:00:00+02:00')).toBe('2023-12-31T21:00:00.000000Z');
    expect(canonical('time', '8:15')).toBe('08:15:00.000000');
    expect(canonical('uuid', 'ABCDEF01-0000-4000-8000-000000000000')).toBe('abcdef01-0000-4000-8000-000000000000');
  });

  it('bits are one per detector', () => {
    expect(matchPatterns('2024-01-01') & PATTERN_BIT['date-iso']).toBeTruthy();
    expect(new Set(Object.values(PATTERN_BIT)).size).toBe(PATTERN_DETECTORS.length);
  });

  it('phone formats show digits as 9', () => {
    expect(phoneFormat('(555) 123-4567')).toBe('(999) 999-9999');
    expect(phoneFormat('+1.555.123.4567')).toBe('+9.999.999.9999');
  });
});
