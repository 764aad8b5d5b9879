import type { Value } from '../core/types.js';

/**
 * Cells the way a CRM's export writes them for a US user: everything text, NULL and '' both
 * empty, flags as 1/0, dates as MM/DD/YYYY and datetimes as MM/DD/YYYY HH:MM (seconds dropped).
 */
export function exportCell(value: Value): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

/** 'YYYY-MM-DD' → 'MM/DD/YYYY'; empty stays empty. */
export function userDate(value: Value): string {
  if (typeof value !== 'string' || value.length < 10) return '';
  return `${value.slice(5, 7)}/${value.slice(8, 10)}/${value.slice(0, 4)}`;
}

/** 'YYYY-MM-DD HH:MM:SS' → 'MM/DD/YYYY HH:MM'. */
export function userDatetime(value: Value): string {
  if (typeof value !== 'string' || value.length < 16) return '';
  return `${userDate(value)} ${value.slice(11, 16)}`;
}
