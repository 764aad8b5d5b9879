import type { CanonicalType } from '../../core/types.js';

/** Column lengths a designed text column is rounded up to; beyond the last, text is unbounded. */
const TEXT_SIZES = [16, 32, 64, 128, 255, 512, 1024, 2048, 4000] as const;

/**
 * A text type for values of at most `maxLength` characters, with a margin: half as much again,
 * rounded up to the next usual size. The engine rejects text longer than its column and never
 * truncates, so a tight column would turn tomorrow's slightly longer value into a reject.
 */
export function sizedText(maxLength: number | undefined): CanonicalType {
  if (maxLength === undefined) return { kind: 'text' };
  const wanted = Math.ceil(Math.max(1, maxLength) * 1.5);
  const size = TEXT_SIZES.find((s) => s >= wanted);
  return size === undefined ? { kind: 'text' } : { kind: 'text', length: size };
}

/**
 * A decimal wide enough for the values between `min` and `max` (canonical decimal text), with
 * two spare integer digits; scale is the most fraction digits seen, at least `minScale`.
 */
export function sizedDecimal(values: readonly (string | undefined)[], minScale: number): CanonicalType {
  let intDigits = 1;
  let scale = minScale;
  for (const v of values) {
    if (v === undefined) continue;
    const [int, fraction = ''] = v.replace(/^-/, '').split('.');
    intDigits = Math.max(intDigits, int.replace(/^0+/, '').length);
    scale = Math.max(scale, fraction.length);
  }
  return { kind: 'decimal', precision: Math.min(38, intDigits + 2 + scale), scale };
}
