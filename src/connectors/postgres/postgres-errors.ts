import { DatabaseError } from 'pg';
import { CrmError, type ErrorCode, type ErrorLocation } from '../../core/errors/index.js';
import { tlsFailure } from '../shared/tls-errors.js';

interface Translation {
  readonly code: ErrorCode;
  readonly retriable?: boolean;
}

/** SQLSTATE → catalog code; exact codes first, then the two-character class. */
const BY_SQLSTATE: Readonly<Record<string, Translation>> = {
  '28P01': { code: 'CRM_N2002' },
  '28000': { code: 'CRM_N2002' },
  '3D000': { code: 'CRM_N2003' },
  '42501': { code: 'CRM_N2004' },
  '42P01': { code: 'CRM_S3001' },
  '3F000': { code: 'CRM_S3001' },
  '42703': { code: 'CRM_S3002' },
  // No unique index matches the ON CONFLICT key of an upsert.
  '42P10': { code: 'CRM_S3004' },
  '23505': { code: 'CRM_R4008' },
  // "ON CONFLICT DO UPDATE command cannot affect row a second time": a key twice in one batch.
  '21000': { code: 'CRM_R4008' },
  '23502': { code: 'CRM_R4007' },
  '23503': { code: 'CRM_R4009' },
  '22001': { code: 'CRM_R4005' },
  '22003': { code: 'CRM_R4006' },
  '22P02': { code: 'CRM_R4003' },
  '22007': { code: 'CRM_R4003' },
  '22008': { code: 'CRM_R4003' },
  '40001': { code: 'CRM_N2005', retriable: true },
  '40P01': { code: 'CRM_N2005', retriable: true },
  '57014': { code: 'CRM_E6006' },
  '57P01': { code: 'CRM_N2001', retriable: true },
  '57P02': { code: 'CRM_N2001', retriable: true },
  '57P03': { code: 'CRM_N2001', retriable: true },
};

const BY_SQLSTATE_CLASS: Readonly<Record<string, Translation>> = {
  '08': { code: 'CRM_N2001', retriable: true },
  '22': { code: 'CRM_R4013' },
  '23': { code: 'CRM_R4013' },
  '28': { code: 'CRM_N2002' },
  '53': { code: 'CRM_N2005', retriable: true },
};

/** Socket-level failures: the server is unreachable or went away. */
const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** Where the failure happened, as far as the caller knows it; the server's own report adds to it. */
export interface ErrorContext {
  readonly table?: string;
  readonly column?: string;
  /** `host:port`, named in connection failures (never the URL, which may hold a password). */
  readonly server?: string;
}

/**
 * Translates anything a pg call threw into a CrmError with a catalog code and a location.
 * A failure inside COPY names its input line, which is one row of the batch: that row's index
 * goes into `location.row` so the engine can isolate the bad row without bisecting.
 */
export function toCrmError(err: unknown, context: ErrorContext = {}): CrmError {
  if (err instanceof CrmError) return err;
  if (err instanceof DatabaseError) return fromDatabaseError(err, context);
  const tls = tlsFailure(err, 'postgres', context.server);
  if (tls) return tls;
  const errno = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if ((typeof errno === 'string' && NETWORK_ERRNOS.has(errno)) || /Connection terminated|connection timeout/i.test(message)) {
    const where = context.server ? ` to ${context.server}` : '';
    return new CrmError('CRM_N2001', `cannot connect${where}: ${typeof errno === 'string' ? errno : message}`, {
      location: location(context),
      retriable: true,
      cause: err,
    });
  }
  return new CrmError('CRM_N2005', message, { location: location(context), cause: err });
}

function fromDatabaseError(err: DatabaseError, context: ErrorContext): CrmError {
  const sqlstate = err.code ?? '';
  const translation = BY_SQLSTATE[sqlstate] ?? BY_SQLSTATE_CLASS[sqlstate.slice(0, 2)] ?? { code: 'CRM_N2005' };
  const loc: ErrorLocation = {
    ...location(context),
    ...(err.table && !context.table ? { table: err.table } : {}),
    ...(err.column ? { column: err.column } : {}),
    ...copyRow(err.where),
  };
  const parts = [err.message, err.detail, err.constraint ? `constraint ${err.constraint}` : undefined];
  return new CrmError(translation.code, parts.filter(Boolean).join('; '), {
    location: loc,
    retriable: translation.retriable ?? false,
    cause: err,
  });
}

function location(context: ErrorContext): ErrorLocation {
  return {
    connector: 'postgres',
    ...(context.table ? { table: context.table } : {}),
    ...(context.column ? { column: context.column } : {}),
  };
}

/** `COPY contacts, line 3, column email: "…"` → row 2, column email (COPY lines are 1-based, one row each). */
function copyRow(where: string | undefined): { row?: number; column?: string } {
  const match = where ? /\bCOPY .*?, line (\d+)(?:, column ([^:]+):)?/.exec(where) : null;
  if (!match) return {};
  return match[2] ? { row: Number(match[1]) - 1, column: match[2] } : { row: Number(match[1]) - 1 };
}
