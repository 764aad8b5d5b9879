/**
 * Number text in exponent form → plain decimal notation (`1e+21` → `1000000000000000000000`,
 * `12.5E-3` → `0.0125`), by moving the point in the digit string: no arithmetic, no loss.
 * Text without an exponent is returned unchanged. Used for doubles a database stores (their
 * shortest `String(n)` form) and for JSON number tokens, since canonical decimals are plain.
 */
export function toPlainDecimal(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(text);
  if (!m) return text;
  const [, sign, whole, fraction = '', exponent] = m;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  const body =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? `${digits}${'0'.repeat(point - digits.length)}`
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${sign === '-' ? '-' : ''}${body.replace(/^0+(?=\d)/, '')}`;
}
