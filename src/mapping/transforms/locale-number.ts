import { CrmError } from '../../core/errors/crm-error.js';
import { plainDecimal } from './decimal-text.js';

/**
 * Locale-aware number text, learnt once per locale from `Intl.NumberFormat` (so "1.234,56" in
 * de-DE and "1,234.56" in en-US both read as 1234.56). Reading is strict: digit groups must
 * have the locale's sizes, so a "1,2,3" is rejected rather than guessed at.
 */

const SPACES = ' \u00a0\u202f';
const APOSTROPHES = "'’";
const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/-]/g;

function escapeClass(chars: string): string {
  return chars.replace(REGEX_SPECIAL, '\\$&');
}

export interface LocaleNumber {
  readonly locale: string;
  readonly decimal: string;
  /**
   * Splits number text (no sign, no currency) into integer and fraction digits; undefined
   * when it is not a number in this locale. `exponent` allows `1.5E-7`.
   */
  read(text: string, exponent: boolean): { intDigits: string; fraction: string; exponent: number } | undefined;
  /** Integer digits grouped the locale's way (exact: formats a bigint). */
  group(intDigits: string): string;
}

const cache = new Map<string, LocaleNumber>();

export function localeNumber(locale: string): LocaleNumber {
  let found = cache.get(locale);
  if (!found) {
    found = buildLocaleNumber(locale);
    cache.set(locale, found);
  }
  return found;
}

function buildLocaleNumber(locale: string): LocaleNumber {
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat(locale, { useGrouping: true, maximumFractionDigits: 0 });
  } catch {
    throw new CrmError('CRM_M5001', `unknown locale "${locale}" (expected a BCP 47 tag such as "en-US" or "de-DE")`);
  }
  const parts = new Intl.NumberFormat(locale, { useGrouping: true }).formatToParts(1234567.5);
  const decimal = parts.find((p) => p.type === 'decimal')?.value ?? '.';
  const group = parts.find((p) => p.type === 'group')?.value ?? ',';
  const integers = parts.filter((p) => p.type === 'integer').map((p) => p.value.length);
  // A locale groups 3-3-3 or, like en-IN, 2-2-3 ("12,34,567"): the secondary group size.
  const secondary = integers.length >= 3 ? integers[integers.length - 2] : 3;
  let groups = group;
  if (SPACES.includes(group)) groups = SPACES;
  else if (APOSTROPHES.includes(group)) groups = APOSTROPHES;
  const g = `[${escapeClass(groups)}]`;
  const d = escapeClass(decimal);
  const grouped = secondary === 3 ? `\\d{1,3}(?:${g}\\d{3})+` : `\\d{1,${secondary}}(?:${g}\\d{${secondary}})*${g}\\d{3}`;
  const plain = new RegExp(`^(${grouped}|\\d+)?(?:${d}(\\d*))?$`, 'u');
  const scientific = new RegExp(`^(\\d+)(?:${d}(\\d*))?[eE]([+-]?\\d{1,4})$`);
  const groupChars = new RegExp(g, 'gu');

  return {
    locale,
    decimal,
    read(text, exponent) {
      const m = plain.exec(text);
      if (m) {
        const intDigits = (m[1] ?? '').replace(groupChars, '');
        const fraction = m[2] ?? '';
        if (intDigits === '' && fraction === '') return undefined;
        return { intDigits, fraction, exponent: 0 };
      }
      if (!exponent) return undefined;
      const e = scientific.exec(text);
      return e ? { intDigits: e[1], fraction: e[2] ?? '', exponent: Number(e[3]) } : undefined;
    },
    group: (intDigits) => format.format(BigInt(intDigits)),
  };
}

const MACHINE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;

/** A JS number or bigint as exact plain decimal text (`1e+21` → `1000000000000000000000`). */
export function machineDecimal(value: number | bigint): string | undefined {
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  const m = MACHINE.exec(String(value));
  if (!m) return undefined;
  return plainDecimal(m[1] === '-', m[2], m[3] ?? '', Number(m[4] ?? 0));
}
