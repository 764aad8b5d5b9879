import Database from 'better-sqlite3';
import { CrmError, type ErrorCode, type ErrorLocation } from '../../core/errors/index.js';

/** SQLite extended result codes → catalog codes. Row-level codes first: they become rejects. */
const BY_CODE: Readonly<Record<string, ErrorCode>> = {
  SQLITE_CONSTRAINT_PRIMARYKEY: 'CRM_R4008',
  SQLITE_CONSTRAINT_UNIQUE: 'CRM_R4008',
  SQLITE_CONSTRAINT_ROWID: 'CRM_R4008',
  SQLITE_CONSTRAINT_NOTNULL: 'CRM_R4007',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'CRM_R4009',
  SQLITE_CONSTRAINT_CHECK: 'CRM_R4013',
  SQLITE_CONSTRAINT_DATATYPE: 'CRM_R4003',
  SQLITE_TOOBIG: 'CRM_R4005',
  SQLITE_CANTOPEN: 'CRM_C1004',
  SQLITE_READONLY: 'CRM_N2004',
  SQLITE_PERM: 'CRM_N2004',
  SQLITE_AUTH: 'CRM_N2004',
};

/** SQLite reports a missing table or column as a plain SQLITE_ERROR; only the message tells. */
const BY_MESSAGE: readonly (readonly [RegExp, ErrorCode])[] = [
  [/^no such table/, 'CRM_S3001'],
  [/^no such column|has no column named/, 'CRM_S3002'],
];

const RETRIABLE = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

/**
 * Translates a better-sqlite3 error into a CrmError at the connector edge. Errors that are
 * already CrmErrors (a decoder's CRM_R4003) pass through unchanged.
 */
export function translateSqliteError(err: unknown, location: ErrorLocation): CrmError {
  if (err instanceof CrmError) return err;
  if (!(err instanceof Database.SqliteError)) {
    return new CrmError('CRM_X9001', err instanceof Error ? err.message : String(err), { location, cause: err });
  }
  // Extended codes refine a primary code: SQLITE_CONSTRAINT_CHECK → SQLITE_CONSTRAINT.
  const base = /^SQLITE_[A-Z]+/.exec(err.code)?.[0] ?? err.code;
  const code =
    BY_CODE[err.code] ??
    BY_MESSAGE.find(([pattern]) => pattern.test(err.message))?.[1] ??
    (base === 'SQLITE_CONSTRAINT' ? 'CRM_R4013' : BY_CODE[base]) ??
    'CRM_N2005';
  return new CrmError(code, err.message, {
    location: { connector: 'sqlite', ...location },
    retriable: RETRIABLE.has(err.code) || RETRIABLE.has(base),
    cause: err,
  });
}

/** Runs `fn`, translating any error it throws. */
export function withSqliteErrors<T>(location: ErrorLocation, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw translateSqliteError(err, location);
  }
}
