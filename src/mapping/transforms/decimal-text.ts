/**
 * Exact decimal text, by string manipulation only: no value here ever passes through a JS
 * `number`, so 38-digit decimals keep every digit.
 */

const LEADING_ZEROS = /^0+(?=\d)/;
const ALL_ZEROS = /^0*$/;

/**
 * Plain decimal text from a sign, integer digits, fraction digits and a power of ten:
 * leading zeros dropped, fraction digits kept as written (scale is information), no `-0`.
 */
export function plainDecimal(negative: boolean, intDigits: string, fraction: string, exponent = 0): string {
  if (exponent > 0) {
    const moved = fraction.slice(0, exponent).padEnd(exponent, '0');
    intDigits += moved;
    fraction = fraction.slice(exponent);
  } else if (exponent < 0) {
    const shift = -exponent;
    const padded = intDigits.padStart(shift + 1, '0');
    fraction = padded.slice(padded.length - shift) + fraction;
    intDigits = padded.slice(0, padded.length - shift);
  }
  intDigits = intDigits.replace(LEADING_ZEROS, '') || '0';
  const zero = intDigits === '0' && ALL_ZEROS.test(fraction);
  return `${negative && !zero ? '-' : ''}${intDigits}${fraction === '' ? '' : `.${fraction}`}`;
}

/**
 * Plain decimal text times 10^`shift`, exactly (the decimal point moves; no digit is rounded):
 * `shiftDecimal("1500000", -6)` is `"1.500000"`, `shiftDecimal("-0.05", 2)` is `"-5"`.
 */
export function shiftDecimal(text: string, shift: number): string {
  if (shift === 0) return text;
  const negative = text.startsWith('-');
  const [intDigits, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  return plainDecimal(negative, intDigits, fraction, shift);
}

export type DecimalLimitProblem = 'out_of_range' | 'precision_loss';

/**
 * Checks plain decimal text against a target `decimal(precision, scale)`: fraction digits
 * beyond `scale` may only be zeros (they are dropped), never rounded away; integer digits
 * beyond `precision - scale` are out of range. Returns the fitted text or the problem.
 */
export function fitDecimal(text: string, precision: number | undefined, scale: number | undefined): string | DecimalLimitProblem {
  const dot = text.indexOf('.');
  let intPart = dot < 0 ? text : text.slice(0, dot);
  let fraction = dot < 0 ? '' : text.slice(dot + 1);
  if (scale !== undefined && fraction.length > scale) {
    if (!ALL_ZEROS.test(fraction.slice(scale))) return 'precision_loss';
    fraction = fraction.slice(0, scale);
    text = fraction === '' ? intPart : `${intPart}.${fraction}`;
  }
  if (precision !== undefined) {
    if (intPart.startsWith('-')) intPart = intPart.slice(1);
    const intDigits = intPart === '0' ? 0 : intPart.length;
    if (intDigits > precision - (scale ?? 0)) return 'out_of_range';
  }
  return text;
}
