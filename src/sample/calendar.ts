/**
 * Dates as day numbers (days since 1970-01-01, negative before) and timestamps as seconds, turned
 * into canonical text with integer arithmetic only: no `Date`, so nothing depends on `TZ` and
 * dates before 1970 work like any other.
 */

import { civilFromDays } from '../core/civil-date.js';

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

export { daysFromCivil } from '../core/civil-date.js';

/** `YYYY-MM-DD` of a day number. */
export function formatDay(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** `YYYY-MM-DD HH:MM:SS` (Sugar's datetime has whole seconds) of seconds since 1970-01-01 00:00:00. */
export function formatSeconds(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const rest = seconds - days * 86400;
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest % 3600) / 60);
  return `${formatDay(days)} ${pad2(h)}:${pad2(m)}:${pad2(rest % 60)}`;
}

export const SECONDS_PER_DAY = 86400;
