import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../../src/mapping/transforms/compile-pipeline.js';
import { expectReject, run, withProcessTimeZone } from './helpers.js';

const us = { date: { formats: ['MM/DD/YYYY'] } };
const de = { date: 'DD.MM.YYYY' };

function dateAssertions(): void {
  expect(run(['date'], '2015-02-14')).toBe('2015-02-14');
  expect(run([us], '02/14/2015')).toBe('2015-02-14');
  expect(run([de], '14.02.2015')).toBe('2015-02-14');
  expect(run([{ date: 'D MMM YYYY' }], '3 Mar 2024')).toBe('2024-03-03');
  expect(run([{ date: 'MMMM D, YYYY' }], 'december 31, 1999')).toBe('1999-12-31');
  expect(run([{ date: 'M/D/YY' }], '1/3/24')).toBe('2024-01-03');
  expect(run([{ date: 'YYYY-MM-DD HH:mm:ss' }], '2024-02-29 00:00:00')).toBe('2024-02-29');
  expect(run([{ date: 'YYYY-MM-DD' }], '0001-01-01')).toBe('0001-01-01');
  expect(compilePipeline([de], {}, { inverse: true })('2015-02-14')).toBe('14.02.2015');
}

describe('date', () => {
  it('reads declared patterns into YYYY-MM-DD', dateAssertions);

  it('gives the same results with TZ=Asia/Singapore and TZ=America/Los_Angeles', () => {
    const offsets = ['Asia/Singapore', 'America/Los_Angeles'].map((zone) =>
      withProcessTimeZone(zone, () => {
        dateAssertions();
        fc.assert(
          fc.property(
            fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }),
            (d) => {
              const iso = d.toISOString().slice(0, 10);
              const [y, m, day] = iso.split('-');
              expect(run([us], `${m}/${day}/${y}`)).toBe(iso);
              expect(compilePipeline([us], {}, { inverse: true })(iso)).toBe(`${m}/${day}/${y}`);
            },
          ),
          { numRuns: 300 },
        );
        return new Date(2024, 0, 1).getTimezoneOffset();
      }),
    );
    // The zone change really applied (Singapore −480, Los Angeles +480), so the test can fail.
    expect(offsets).toEqual([-480, 480]);
  });

  it('rejects a day/month order without a declared pattern as ambiguous_date', () => {
    expectReject(['date'], '01/03/2024', 'ambiguous_date');
    expectReject(['date'], '13/03/2024', 'ambiguous_date');
    expectReject(['date'], '1.3.2024', 'ambiguous_date');
  });

  it('rejects when two declared patterns read one text differently', () => {
    const both = { date: { formats: ['MM/DD/YYYY', 'DD/MM/YYYY'] } };
    expectReject([both], '01/03/2024', 'ambiguous_date');
    expect(run([both], '13/03/2024')).toBe('2024-03-13');
    expect(run([both], '03/03/2024')).toBe('2024-03-03');
  });

  it('makes zero dates NULL, or rejects them when asked', () => {
    expect(run(['date'], '0000-00-00')).toBeNull();
    expect(run([{ date: 'YYYY-MM-DD HH:mm:ss' }], '0000-00-00 00:00:00')).toBeNull();
    expectReject([{ date: { zero_date: 'reject' } }], '0000-00-00', 'zero_date');
  });

  it('rejects impossible dates', () => {
    expectReject(['date'], '2006-13-11', 'invalid_date');
    expectReject([us], '02/30/2024', 'invalid_date');
    expectReject(['date'], '2023-02-29', 'invalid_date');
    expectReject(['date'], '0000-01-01', 'invalid_date');
    expectReject([{ date: 'D MMM YYYY' }], '3 Foo 2024', 'unparseable_date');
  });

  it('rejects garbage and a dropped time of day; blank is NULL', () => {
    expectReject(['date'], 'yesterday', 'unparseable_date');
    expectReject([us], '2024-03-01', 'unparseable_date');
    expectReject([{ date: 'YYYY-MM-DD HH:mm' }], '2024-03-01 13:45', 'time_discarded');
    expect(run(['date'], '  ')).toBeNull();
  });

  it('rejects a pattern without a year, month and day at compile time', () => {
    expect(() => compilePipeline([{ date: 'MM/YYYY' }], {})).toThrow(/step 1 \(date\).*needs a year/);
  });
});
