import { daysFromCivil, formatDay, SECONDS_PER_DAY } from './calendar.js';
import type { EmailVariant } from './crm-plan.js';
import type { PhoneFormat, Tally } from './manifest.js';
import { groupThousands } from './money.js';
import { LEGACY_PICKLISTS, OFF_LIST_VALUES, type PicklistColumn } from './picklists.js';
import { type Rng, weightedChoice } from './prng.js';

/**
 * The realistic dirt of a legacy CRM, each kind drawn from the row's own Rng and counted in the
 * Tally at the moment it is planted. Every helper takes the 'table.column' it writes, which is
 * the manifest key.
 */

const PHONE_FORMAT = weightedChoice<PhoneFormat>({
  parentheses: 30,
  dotted: 12,
  international: 10,
  digits: 14,
  dashed: 18,
  extension: 6,
  foreign: 6,
  garbage: 4,
});
const GARBAGE_PHONES = ['n/a', 'TBD', 'call reception', '123', '555-CALL-NOW', '?', 'see notes'];

/** A phone cell: NULL, '' or a number in one of many formats (the format is counted). */
export function phone(rng: Rng, tally: Tally, key: string, pNull: number, pBlank: number): string | null {
  const r = rng.next();
  if (r < pNull) return tally.nul(key);
  if (r < pNull + pBlank) return tally.blank(key);
  const format = rng.choose(PHONE_FORMAT);
  tally.add('phoneFormats', format);
  const area = rng.between(201, 989);
  const exchange = rng.between(200, 999);
  const line = String(rng.int(10000)).padStart(4, '0');
  switch (format) {
    case 'parentheses':
      return `(${area}) ${exchange}-${line}`;
    case 'dotted':
      return `${area}.${exchange}.${line}`;
    case 'international':
      return `+1 ${area} ${exchange} ${line}`;
    case 'digits':
      return `${area}${exchange}${line}`;
    case 'dashed':
      return `${area}-${exchange}-${line}`;
    case 'extension':
      return `(${area}) ${exchange}-${line} ext. ${rng.between(1, 999)}`;
    case 'foreign':
      return `+${rng.pick(['44', '49', '33', '81', '61'])} ${rng.between(10, 99)} ${rng.between(1000, 9999)} ${line}`;
    default:
      return rng.pick(GARBAGE_PHONES);
  }
}

/**
 * Text that may be NULL or '' (each counted), else `value()`. The value is drawn only when
 * used, so dirt it plants (an off-list picklist value) is counted only when it lands.
 */
export function optional(rng: Rng, tally: Tally, key: string, pNull: number, pBlank: number, value: () => string): string | null {
  const r = rng.next();
  if (r < pNull) return tally.nul(key);
  if (r < pNull + pBlank) return tally.blank(key);
  return value();
}

/** A picklist value: documented most of the time, an off-list variant with probability `pOff`. */
export function picklist(rng: Rng, tally: Tally, key: PicklistColumn, pOff: number): string {
  const offList = OFF_LIST_VALUES[key];
  if (offList && rng.chance(pOff)) {
    const value = rng.pick(offList);
    tally.offList(key, value);
    return value;
  }
  return rng.pick(LEGACY_PICKLISTS[key]);
}

const LINE_BREAKS = ['\n', '\r\n'];

/**
 * A free-text description: NULL, '', one phrase, or several lines (LF or CRLF, some with quotes
 * and commas, the things that break naive CSV).
 */
export function description(rng: Rng, tally: Tally, key: string, phrases: readonly string[]): string | null {
  const r = rng.next();
  if (r < 0.35) return tally.nul(key);
  if (r < 0.45) return tally.blank(key);
  if (r < 0.8) return rng.pick(phrases);
  tally.add('multiLineText', key);
  const lines = [rng.pick(phrases), `Follow-up: "${rng.pick(phrases)}", as agreed`, rng.pick(phrases)];
  return lines.slice(0, rng.between(2, 3)).join(rng.pick(LINE_BREAKS));
}

/** A `date` between two years (inclusive); dates before 1970 are counted. */
export function dateBetween(rng: Rng, tally: Tally, key: string, fromYear: number, toYear: number): string {
  const from = daysFromCivil(fromYear, 1, 1);
  const day = from + rng.int(daysFromCivil(toYear + 1, 1, 1) - from);
  return countedDay(tally, key, day);
}

const EPOCH_EDGE_DAYS = [-1, 0, 1, -25567, -36524];

/** A birthdate: NULL, the days around 1970-01-01 and 1900, or 1935..2004 (many before 1970). */
export function birthdate(rng: Rng, tally: Tally, key: string): string | null {
  const r = rng.next();
  if (r < 0.3) return tally.nul(key);
  if (r < 0.33) return countedDay(tally, key, rng.pick(EPOCH_EDGE_DAYS));
  return dateBetween(rng, tally, key, 1935, 2004);
}

function countedDay(tally: Tally, key: string, day: number): string {
  if (day < 0) tally.add('preEpochDates', key);
  return formatDay(day);
}

/** A datetime between two years, whole seconds; datetimes before 1970 are counted. */
export function datetimeBetween(rng: Rng, tally: Tally, key: string, fromYear: number, toYear: number): number {
  const from = daysFromCivil(fromYear, 1, 1) * SECONDS_PER_DAY;
  const to = daysFromCivil(toYear + 1, 1, 1) * SECONDS_PER_DAY;
  const seconds = from + rng.int(to - from);
  if (seconds < 0) tally.add('preEpochDates', key);
  return seconds;
}

const INVALID_EMAIL_FORMS: readonly ((local: string, domain: string) => string)[] = [
  (local) => `${local}@`,
  (local, domain) => `${local}@@${domain}`,
  (local, domain) => `${local.slice(0, 1)} ${local.slice(1)}@${domain}`,
  (local, domain) => `${local}@${domain.split('.')[0]}`,
  (local, domain) => `${local}.${domain}`,
  (local, domain) => `${local}@${domain},`,
];

/** An address with its planted variation: mixed case, or not an address at all (counted). */
export function emailText(rng: Rng, tally: Tally, variant: EmailVariant, local: string, domain: string): string {
  if (variant === 'plain') return `${local}@${domain}`;
  tally.add('emailVariants', variant);
  if (variant === 'mixedCase') return `${local.charAt(0).toUpperCase()}${local.slice(1)}@${domain.toUpperCase()}`;
  return rng.pick(INVALID_EMAIL_FORMS)(local, domain);
}

const REVENUE_FORMS: readonly ((millions: number) => string)[] = [
  (m) => `$${groupThousands(`${m}000000`)}`,
  (m) => String(m * 1_000_000),
  (m) => `${m}M`,
  (m) => `${m} million`,
  (m) => `~${m}M USD`,
];

/** Sugar's annual_revenue is a varchar, and users typed whatever they liked into it. */
export function annualRevenue(rng: Rng, tally: Tally, key: string): string | null {
  const r = rng.next();
  if (r < 0.3) return tally.nul(key);
  if (r < 0.4) return tally.blank(key);
  return rng.pick(REVENUE_FORMS)(rng.between(1, 900));
}
