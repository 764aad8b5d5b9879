import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../../src/mapping/transforms/compile-pipeline.js';
import { TransformError } from '../../../src/mapping/transforms/transform.js';
import { expectReject, run, withProcessTimeZone } from './helpers.js';

const ny = (extra: Record<string, unknown> = {}) => ({ timestamp: { zone: 'America/New_York', ...extra } });

function timestampAssertions(): void {
  // Naive text read in the declared zone, DST included.
  expect(run([ny({ formats: ['MM/DD/YYYY HH:mm'] })], '01/15/2024 09:30')).toBe('2024-01-15T14:30:00.000000Z');
  expect(run([ny()], '2024-07-15 09:30:00')).toBe('2024-07-15T13:30:00.000000Z');
  expect(run([ny()], '2024-03-10 03:30')).toBe('2024-03-10T07:30:00.000000Z');
  // Microseconds survive exactly.
  expect(run(['timestamp'], '2024-01-15 10:20:30.123456')).toBe('2024-01-15T10:20:30.123456Z');
  expect(run(['timestamp'], '2024-01-15T10:20:30.1234560Z')).toBe('2024-01-15T10:20:30.123456Z');
  expect(run([ny()], '2024-01-15 23:59:59.999999')).toBe('2024-01-16T04:59:59.999999Z');
  // Text with its own offset ignores the declared zone.
  expect(run([ny()], '2024-01-15T10:20:30+05:30')).toBe('2024-01-15T04:50:30.000000Z');
  expect(run([ny()], '2024-01-15T10:20:30Z')).toBe('2024-01-15T10:20:30.000000Z');
  // Half-hour zones and historical local mean time (New York was UTC−4:56:02 before 1883).
  expect(run([{ timestamp: { zone: 'Asia/Kolkata' } }], '2024-01-01 00:00')).toBe('2023-12-31T18:30:00.000000Z');
  expect(run([ny()], '1850-06-01 12:00:00')).toBe('1850-06-01T16:56:02.000000Z');
  expect(run(['timestamp'], '0050-01-01 00:00')).toBe('0050-01-01T00:00:00.000000Z');
  // Naive output: no conversion in the same zone, conversion to another.
  expect(run([ny({ output: 'timestamp' })], '2024-03-10T02:30')).toBe('2024-03-10 02:30:00.000000');
  expect(run([ny({ output: 'timestamp', output_zone: 'Europe/Berlin' })], '2024-07-15 09:30:00.5')).toBe('2024-07-15 15:30:00.500000');
}

describe('timestamp', () => {
  it('converts from the declared zone to UTC or naive text', timestampAssertions);

  it('gives the same results with TZ=Asia/Singapore and TZ=America/Los_Angeles', () => {
    for (const zone of ['Asia/Singapore', 'America/Los_Angeles']) withProcessTimeZone(zone, timestampAssertions);
  });

  it("uses the run's time zone by default, else UTC", () => {
    expect(run(['timestamp'], '2024-01-15 09:30', { timeZone: 'Europe/Paris' })).toBe('2024-01-15T08:30:00.000000Z');
    expect(run(['timestamp'], '2024-01-15 09:30')).toBe('2024-01-15T09:30:00.000000Z');
  });

  it('rejects a local time in the spring-forward gap, or shifts it when asked', () => {
    expectReject([ny()], '2024-03-10 02:30', 'nonexistent_time');
    expect(run([ny({ on_nonexistent: 'shift_forward' })], '2024-03-10 02:30')).toBe('2024-03-10T07:30:00.000000Z');
  });

  it('resolves a local time that occurs twice by policy', () => {
    expect(run([ny()], '2024-11-03 01:30')).toBe('2024-11-03T05:30:00.000000Z');
    expect(run([ny({ on_ambiguous: 'later' })], '2024-11-03 01:30')).toBe('2024-11-03T06:30:00.000000Z');
    expectReject([ny({ on_ambiguous: 'reject' })], '2024-11-03 01:30', 'ambiguous_time');
    // Lord Howe Island moves its clocks by 30 minutes.
    const lordHowe = { timestamp: { zone: 'Australia/Lord_Howe', on_ambiguous: 'reject' } };
    expectReject([lordHowe], '2024-04-07 01:45', 'ambiguous_time');
    expect(run([lordHowe], '2024-04-07 02:15')).toBe('2024-04-06T15:45:00.000000Z'); // +10:30 after the change
  });

  it('reads 12-hour clocks', () => {
    const us = { timestamp: { formats: ['MM/DD/YYYY hh:mm A'] } };
    expect(run([us], '03/01/2024 12:05 AM')).toBe('2024-03-01T00:05:00.000000Z');
    expect(run([us], '03/01/2024 12:05 pm')).toBe('2024-03-01T12:05:00.000000Z');
    expect(run([us], '03/01/2024 07:05 p.m.')).toBe('2024-03-01T19:05:00.000000Z');
    expectReject([us], '03/01/2024 13:05 PM', 'unparseable_date');
  });

  it('rejects bad input', () => {
    expectReject(['timestamp'], '2024-01-15 10:20:30.1234567', 'precision_loss');
    expectReject(['timestamp'], '2024-02-30 10:00', 'invalid_date');
    expectReject(['timestamp'], '2024-01-15 24:00', 'invalid_date');
    expectReject(['timestamp'], '01/15/2024 10:00', 'ambiguous_date');
    expectReject(['timestamp'], 'soon', 'unparseable_date');
    expect(run(['timestamp'], '0000-00-00 00:00:00')).toBeNull();
    expect(run(['timestamp'], '')).toBeNull();
  });

  it('round-trips local → UTC → local in a DST zone, whatever the process zone', () => {
    const zone = 'America/Los_Angeles';
    const forward = compilePipeline([{ timestamp: { zone, on_ambiguous: 'reject' } }], {});
    const back = compilePipeline([{ timestamp: { zone } }], {}, { inverse: true });
    const local = fc
      .record({
        y: fc.integer({ min: 1, max: 9999 }),
        mo: fc.integer({ min: 1, max: 12 }),
        d: fc.integer({ min: 1, max: 28 }),
        h: fc.integer({ min: 0, max: 23 }),
        mi: fc.integer({ min: 0, max: 59 }),
        s: fc.integer({ min: 0, max: 59 }),
        us: fc.integer({ min: 0, max: 999_999 }),
      })
      .map(({ y, mo, d, h, mi, s, us }) => {
        const p = (n: number, w = 2) => String(n).padStart(w, '0');
        return `${p(y, 4)}-${p(mo)}-${p(d)} ${p(h)}:${p(mi)}:${p(s)}.${p(us, 6)}`;
      });
    for (const processZone of ['Asia/Singapore', 'America/Los_Angeles']) {
      withProcessTimeZone(processZone, () =>
        fc.assert(
          fc.property(local, (text) => {
            let utc: unknown;
            try {
              utc = forward(text);
            } catch (err) {
              // Only the hour that DST skips or repeats may be refused.
              expect(err).toBeInstanceOf(TransformError);
              expect(['nonexistent_time', 'ambiguous_time']).toContain((err as TransformError).reason);
              return;
            }
            expect(utc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
            expect(back(utc as string)).toBe(text);
          }),
          { numRuns: 400 },
        ),
      );
    }
  });

  it('round-trips UTC → local → UTC and matches Date for instants', () => {
    const zone = 'Europe/London';
    const forward = compilePipeline([{ timestamp: { zone, on_ambiguous: 'reject' } }], {});
    const back = compilePipeline([{ timestamp: { zone } }], {}, { inverse: true });
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (d) => {
        const utc = `${d.toISOString().slice(0, 19)}.${String(d.getUTCMilliseconds()).padStart(3, '0')}000Z`;
        expect(run(['timestamp'], d.toISOString())).toBe(utc);
        const local = back(utc) as string;
        try {
          expect(forward(local)).toBe(utc);
        } catch (err) {
          expect((err as TransformError).reason).toBe('ambiguous_time');
        }
      }),
      { numRuns: 400 },
    );
  });
});
