import { civilFromDays, daysFromCivil } from '../../core/civil-date.js';
import { CrmError } from '../../core/errors/crm-error.js';

/**
 * Calendar arithmetic on plain integers (proleptic Gregorian, after H. Hinnant's
 * days_from_civil), so no date ever passes through the process time zone or `Date`'s
 * two-digit-year quirk. Time zone offsets come from `Intl.DateTimeFormat` with an explicit zone.
 */

const MS_PER_DAY = 86_400_000;
/** About 270 years of distinct days; the memo is cleared beyond that to bound memory. */
const MAX_CACHED_DAYS = 100_000;

export { daysFromCivil } from '../../core/civil-date.js';

export interface CivilDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The civil date and time (UTC) of whole milliseconds since the epoch. */
export function civilFromMs(ms: number): CivilDateTime {
  const days = Math.floor(ms / MS_PER_DAY);
  const secOfDay = Math.floor((ms - days * MS_PER_DAY) / 1000);
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(secOfDay / 3600),
    minute: Math.floor((secOfDay % 3600) / 60),
    second: secOfDay % 60,
  };
}

/** Milliseconds since the epoch of a civil date-time read as UTC. */
export function msFromCivil(t: CivilDateTime): number {
  return daysFromCivil(t.year, t.month, t.day) * MS_PER_DAY + ((t.hour * 60 + t.minute) * 60 + t.second) * 1000;
}

export function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

export function formatDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** Policy for a local time that occurs twice (autumn) or never (spring) in a zone. */
export type AmbiguousPolicy = 'earlier' | 'later' | 'reject';
export type NonexistentPolicy = 'reject' | 'shift_forward';

export type LocalResolution = { readonly ms: number } | { readonly problem: 'ambiguous_time' | 'nonexistent_time' };

/**
 * One IANA zone, with an `Intl.DateTimeFormat` built once. `offsetAt` is the zone's UTC offset
 * at an instant; `toUtc` resolves a wall-clock time to an instant, handling DST gaps and overlaps.
 */
export class Zone {
  private readonly formatter: Intl.DateTimeFormat;
  private readonly dayOffsets = new Map<number, number>();

  constructor(readonly name: string) {
    if (name === 'UTC' || name === 'Etc/UTC') this.formatter = UTC_FORMATTER;
    else {
      try {
        this.formatter = new Intl.DateTimeFormat('en-US', { timeZone: name, ...FIELDS });
      } catch {
        throw new CrmError('CRM_M5001', `unknown time zone "${name}" (expected an IANA name such as "America/New_York")`);
      }
    }
  }

  /**
   * Offset in ms (local − UTC) at the instant `ms`. `formatToParts` costs microseconds, so
   * offsets are memoised per UTC day when the day starts and ends on the same offset (the
   * day then holds no transition: zones never change twice and back within one day).
   */
  offsetAt(ms: number): number {
    if (this.formatter === UTC_FORMATTER) return 0;
    const day = Math.floor(ms / MS_PER_DAY);
    const known = this.dayOffsets.get(day);
    if (known !== undefined) return known;
    const start = this.exactOffset(day * MS_PER_DAY);
    if (start !== this.exactOffset((day + 1) * MS_PER_DAY - 1000)) return this.exactOffset(ms);
    if (this.dayOffsets.size >= MAX_CACHED_DAYS) this.dayOffsets.clear();
    this.dayOffsets.set(day, start);
    return start;
  }

  private exactOffset(ms: number): number {
    const t: CivilDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    let negativeEra = false;
    for (const part of this.formatter.formatToParts(ms)) {
      switch (part.type) {
        case 'year':
          t.year = Number(part.value);
          break;
        case 'month':
          t.month = Number(part.value);
          break;
        case 'day':
          t.day = Number(part.value);
          break;
        case 'hour':
          t.hour = Number(part.value);
          break;
        case 'minute':
          t.minute = Number(part.value);
          break;
        case 'second':
          t.second = Number(part.value);
          break;
        case 'era':
          negativeEra = part.value === 'B';
          break;
      }
    }
    if (negativeEra) t.year = 1 - t.year;
    const whole = ms - (((ms % 1000) + 1000) % 1000);
    return msFromCivil(t) - whole;
  }

  /**
   * The instant of wall-clock `localMs` (civil fields read as if UTC) in this zone. The offset
   * can only be one of the offsets in force a day around it, so trying both candidates finds
   * every reading: two valid ones is an overlap, none is a gap.
   */
  toUtc(localMs: number, ambiguous: AmbiguousPolicy, nonexistent: NonexistentPolicy): LocalResolution {
    const before = this.offsetAt(localMs - MS_PER_DAY);
    const after = this.offsetAt(localMs + MS_PER_DAY);
    const first = localMs - before;
    const second = localMs - after;
    const firstValid = this.offsetAt(first) === before;
    const secondValid = this.offsetAt(second) === after;
    if (firstValid && secondValid && first !== second) {
      if (ambiguous === 'reject') return { problem: 'ambiguous_time' };
      return { ms: ambiguous === 'earlier' ? Math.min(first, second) : Math.max(first, second) };
    }
    if (firstValid) return { ms: first };
    if (secondValid) return { ms: second };
    if (nonexistent === 'reject') return { problem: 'nonexistent_time' };
    // In a gap, move forward by the gap's length (02:30 in a spring-forward zone → 03:30).
    return { ms: localMs - before };
  }
}

const FIELDS: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  era: 'narrow',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
};

const UTC_FORMATTER = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', ...FIELDS });
