import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/core/types.js';
import { compilePipeline } from '../../../src/mapping/transforms/compile-pipeline.js';
import { TransformError } from '../../../src/mapping/transforms/transform.js';
import { Rng } from '../../../src/sample/prng.js';

/** The output, or the reject reason. */
function outcome(fn: (v: Value) => Value, text: string): string {
  try {
    return String(fn(text));
  } catch (err) {
    if (err instanceof TransformError) return `reject ${err.reason}`;
    throw err;
  }
}

function sample(rng: Rng): string {
  const two = (max: number) => String(rng.int(max)).padStart(2, '0');
  const year = rng.pick(['2019', '2020', '2100', '2000', '0000', '0001', '1969', '9999', '202', '20190']);
  let text = `${year}-${two(rng.chance(0.9) ? 13 : 100)}-${two(rng.chance(0.9) ? 32 : 100)}`;
  if (rng.chance(0.9)) {
    text += `${rng.pick([' ', 'T', 't', '  ', '_'])}${two(rng.chance(0.9) ? 25 : 100)}:${two(61)}`;
    if (rng.chance(0.9)) text += `:${two(62)}`;
    if (rng.chance(0.5)) text += `${rng.pick(['.', '.', ','])}${'1234567890'.slice(0, rng.int(10))}${rng.pick(['', '', '000', '001'])}`;
  }
  if (rng.chance(0.1)) text += rng.pick(['Z', '+00:00', '-05:30', ' +0200', 'z', ' ']);
  if (rng.chance(0.05)) text = rng.pick(['0000-00-00 00:00:00', '0000-00-00', ' 2019-01-01 00:00:00 ', '01/03/2024 10:00']);
  return text;
}

describe('timestamp: plain SQL text takes a shortcut with the same result', () => {
  const steps = (params: Record<string, unknown>) => [{ timestamp: params }];
  // Etc/UTC is UTC with the same offsets, but only the zone named UTC takes the shortcut; an
  // output_zone of its own (another Zone object) makes naive output take the full path (in UTC,
  // which has no DST gaps for the full path to reject).
  const pairs: [string, (v: Value) => Value, (v: Value) => Value][] = [
    ['timestamptz', compilePipeline(steps({ zone: 'UTC' }), {}), compilePipeline(steps({ zone: 'Etc/UTC' }), {})],
    [
      'naive',
      compilePipeline(steps({ zone: 'UTC', output: 'timestamp' }), {}),
      compilePipeline(steps({ zone: 'UTC', output: 'timestamp', output_zone: 'UTC' }), {}),
    ],
    [
      'zero dates rejected',
      compilePipeline(steps({ zone: 'UTC', zero_date: 'reject' }), {}),
      compilePipeline(steps({ zone: 'Etc/UTC', zero_date: 'reject' }), {}),
    ],
  ];

  it('gives the output or reject of the full path for many varied strings', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 50_000; i++) {
      const text = sample(rng);
      for (const [name, fast, full] of pairs) expect([name, text, outcome(fast, text)]).toEqual([name, text, outcome(full, text)]);
    }
  });

  it('keeps fractions, rejects impossible dates and times', () => {
    const [, utc] = pairs[0];
    expect(utc('2019-03-01 00:30:00')).toBe('2019-03-01T00:30:00.000000Z');
    expect(utc('2019-03-01T00:30:00.1234')).toBe('2019-03-01T00:30:00.123400Z');
    expect(utc('2020-02-29 23:59:59.999999')).toBe('2020-02-29T23:59:59.999999Z');
    expect(utc('0000-00-00 00:00:00')).toBeNull();
    expect(outcome(utc, '2019-02-29 10:00:00')).toBe('reject invalid_date');
    expect(outcome(utc, '2019-01-01 24:00:00')).toBe('reject invalid_date');
    expect(outcome(utc, '2019-01-01 10:00:00.1234567')).toBe('reject precision_loss');
    // Naive to naive in one zone never asks about DST, shortcut or not.
    const ny = compilePipeline(steps({ zone: 'America/New_York', output: 'timestamp' }), {});
    expect(ny('2024-03-10 02:30:00')).toBe('2024-03-10 02:30:00.000000');
    expect(ny('2024-03-10 02:30:00,5')).toBe('2024-03-10 02:30:00.500000');
  });
});
