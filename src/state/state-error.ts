import { CrmError } from '../core/errors/index.js';

/**
 * Turns any failure inside the state store into CRM_E6004 naming the database file. A busy
 * database (another process holds the write lock longer than the busy timeout) says so and is
 * marked retriable; a CrmError raised by the store itself passes through unchanged.
 */
export function toStateError(err: unknown, path: string, operation: string, busyTimeoutMs: number): CrmError {
  if (err instanceof CrmError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const message = err instanceof Error ? err.message : String(err);
  const busy = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
  const detail = busy
    ? `${operation}: the state database is locked by another process (waited the ${busyTimeoutMs} ms busy timeout): ${message}`
    : `${operation}: ${message}${code ? ` (${code})` : ''}`;
  return new CrmError('CRM_E6004', detail, { location: { file: path }, retriable: busy, cause: err });
}
