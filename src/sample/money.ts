/**
 * Exact decimal arithmetic for the sample's amounts, on scaled BigInts: amounts are decimal
 * strings end to end and never pass through a JS `number`.
 */

const SCALE = 6;
const ONE = 10n ** BigInt(SCALE);

/** '12.5' → 12500000n (units of 10^-6); at most six fraction digits. */
function toMicros(amount: string): bigint {
  const negative = amount.startsWith('-');
  const [int, frac = ''] = (negative ? amount.slice(1) : amount).split('.');
  const micros = BigInt(int) * ONE + BigInt(frac.padEnd(SCALE, '0'));
  return negative ? -micros : micros;
}

/** Plain notation with `scale` fraction digits. */
function fromScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const body = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${body}` : body;
}

/** Divides by a positive rate ('0.79'), rounding half away from zero to six places, as decimal(26,6) stores it. */
export function divideByRate(amount: string, rate: string): string {
  const [rInt, rFrac = ''] = rate.split('.');
  const rateScaled = BigInt(rInt + rFrac);
  const numerator = toMicros(amount) * 10n ** BigInt(rFrac.length);
  return fromScaled(roundedDivide(numerator, rateScaled), SCALE);
}

function roundedDivide(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  const q = (n * 2n + denominator) / (2n * denominator);
  return negative ? -q : q;
}

/** Rounds to two places (half away from zero), as a CRM shows money. */
export function roundToCents(amount: string): string {
  return fromScaled(roundedDivide(toMicros(amount), 10n ** BigInt(SCALE - 2)), 2);
}

/** '25000' → '25,000'. */
export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** '25000.5' with '$' → '$25,000.50'; negative amounts as '-$5.00'. */
export function formatMoney(amount: string, symbol: string): string {
  const cents = roundToCents(amount);
  const negative = cents.startsWith('-');
  const [int, frac] = (negative ? cents.slice(1) : cents).split('.');
  return `${negative ? '-' : ''}${symbol}${groupThousands(int)}.${frac}`;
}
