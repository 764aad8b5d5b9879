import { CrmError, type ErrorCode, type ErrorLocation } from '../../core/errors/index.js';
import type { CanonicalKind } from '../../core/types.js';
import { tlsFailure } from '../shared/tls-errors.js';

/**
 * MySQL/MariaDB errors (errno, or a Node socket code) → catalog codes. Data, not if-chains:
 * a rule's code may depend on the kind of the column the message names (1265 "data truncated"
 * is a too-long text for a VARCHAR but a bad value for a DATE).
 */
interface Rule {
  readonly code: ErrorCode | ((kind: CanonicalKind | undefined) => ErrorCode);
  readonly retriable?: boolean;
}

const truncated = (kind: CanonicalKind | undefined): ErrorCode => (kind === 'text' || kind === 'binary' ? 'CRM_R4005' : 'CRM_R4003');
// crmbridge's own CHECKs are a length on text moved off-page, and JSON validity (see mysql-types).
const checkFailed = (kind: CanonicalKind | undefined): ErrorCode =>
  kind === 'text' ? 'CRM_R4005' : kind === 'json' || kind === 'multiselect' ? 'CRM_R4003' : 'CRM_R4013';

const BY_ERRNO: Readonly<Record<number, Rule>> = {
  1040: { code: 'CRM_N2001', retriable: true }, // too many connections
  1044: { code: 'CRM_N2004' }, // access denied to database
  1045: { code: 'CRM_N2002' }, // access denied (password)
  1698: { code: 'CRM_N2002' }, // access denied (no password / plugin)
  1049: { code: 'CRM_N2003' }, // unknown database
  1142: { code: 'CRM_N2004' }, // command denied on table
  1143: { code: 'CRM_N2004' }, // command denied on column
  1227: { code: 'CRM_N2004' }, // needs a privilege
  1148: { code: 'CRM_N2004' }, // LOAD DATA LOCAL disabled by the server
  3948: { code: 'CRM_N2004' }, // LOAD DATA LOCAL disabled (MySQL 8)
  1146: { code: 'CRM_S3001' }, // table does not exist
  1054: { code: 'CRM_S3002' }, // unknown column
  1062: { code: 'CRM_R4008' }, // duplicate entry
  1586: { code: 'CRM_R4008' }, // duplicate entry (with key name)
  1048: { code: 'CRM_R4007' }, // column cannot be null
  1364: { code: 'CRM_R4007' }, // field has no default value
  1263: { code: 'CRM_R4007' }, // NULL supplied to NOT NULL column (LOAD DATA)
  1452: { code: 'CRM_R4009' }, // child row: parent missing
  1216: { code: 'CRM_R4009' },
  1451: { code: 'CRM_R4013' }, // parent row still referenced
  1217: { code: 'CRM_R4013' },
  1406: { code: 'CRM_R4005' }, // data too long
  1265: { code: truncated }, // data truncated
  1264: { code: 'CRM_R4006' }, // out of range
  1690: { code: 'CRM_R4006' }, // BIGINT value out of range
  1366: { code: 'CRM_R4003' }, // incorrect integer/string value
  1292: { code: 'CRM_R4003' }, // incorrect date/time/uuid value
  1367: { code: 'CRM_R4003' }, // illegal value
  1261: { code: 'CRM_R4003' }, // row has fewer fields than columns
  1262: { code: 'CRM_R4003' }, // row has more fields than columns
  4025: { code: checkFailed }, // CHECK constraint failed (MariaDB names a column check after its column)
  3819: { code: checkFailed }, // CHECK constraint failed (MySQL)
  1213: { code: 'CRM_N2005', retriable: true }, // deadlock
  1205: { code: 'CRM_N2005', retriable: true }, // lock wait timeout
  2006: { code: 'CRM_N2001', retriable: true }, // server has gone away
  2013: { code: 'CRM_N2001', retriable: true }, // lost connection during query
};

const BY_NODE_CODE: Readonly<Record<string, Rule>> = {
  ECONNREFUSED: { code: 'CRM_N2001' },
  ENOTFOUND: { code: 'CRM_N2001' },
  EHOSTUNREACH: { code: 'CRM_N2001' },
  ENETUNREACH: { code: 'CRM_N2001' },
  EAI_AGAIN: { code: 'CRM_N2001', retriable: true },
  ETIMEDOUT: { code: 'CRM_N2001', retriable: true },
  ECONNRESET: { code: 'CRM_N2001', retriable: true },
  EPIPE: { code: 'CRM_N2001', retriable: true },
  PROTOCOL_CONNECTION_LOST: { code: 'CRM_N2001', retriable: true },
};

/** What the caller knows about where the statement ran. */
export interface ErrorContext {
  readonly table?: string;
  /** Canonical kind of a column, to classify "data truncated". */
  readonly kindOf?: (column: string) => CanonicalKind | undefined;
}

// Column names as MySQL and MariaDB spell them in messages: column 'x' / column `db`.`t`.`x` /
// Column 'x' / CONSTRAINT `t.x` failed (a MariaDB column-level CHECK).
const COLUMN_IN_MESSAGE = /column (?:`[^`]*`\.`[^`]*`\.`([^`]+)`|'([^']+)')|CONSTRAINT `[^`.]*\.([^`]+)` failed/i;
const ROW_IN_MESSAGE = /at row (\d+)/i;

function describe(errno: number, message: string, context: ErrorContext): { code: ErrorCode; retriable: boolean; location: ErrorLocation } {
  const column = COLUMN_IN_MESSAGE.exec(message)?.slice(1).find(Boolean);
  const rule = BY_ERRNO[errno];
  let code: ErrorCode = 'CRM_N2005';
  if (rule) code = typeof rule.code === 'function' ? rule.code(column ? context.kindOf?.(column) : undefined) : rule.code;
  return {
    code,
    retriable: rule?.retriable ?? false,
    location: { connector: 'mysql', ...(context.table ? { table: context.table } : {}), ...(column ? { column } : {}) },
  };
}

function fieldOf(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/** Any error from mysql2 → CrmError. CrmErrors pass through unchanged. */
export function translateMysqlError(err: unknown, context: ErrorContext = {}): CrmError {
  if (err instanceof CrmError) return err;
  const tls = tlsFailure(err, 'mysql', undefined);
  if (tls) return tls;
  const message = String(fieldOf(err, 'sqlMessage') ?? fieldOf(err, 'message') ?? err);
  const errno = fieldOf(err, 'errno');
  const nodeCode = fieldOf(err, 'code');
  const byNode = typeof nodeCode === 'string' ? BY_NODE_CODE[nodeCode] : undefined;
  if (byNode && typeof byNode.code === 'string') {
    return new CrmError(byNode.code, `${nodeCode}: ${message}`, {
      location: { connector: 'mysql', ...(context.table ? { table: context.table } : {}) },
      retriable: byNode.retriable ?? false,
      cause: err,
    });
  }
  const { code, retriable, location } = describe(typeof errno === 'number' ? errno : 0, message, context);
  return new CrmError(code, message, { location, retriable, cause: err });
}

/** One row of `SHOW WARNINGS`. */
export interface ServerWarning {
  readonly Level: string;
  readonly Code: number;
  readonly Message: string;
}

const SEVERITY: Readonly<Record<string, number>> = { Error: 3, Warning: 2, Note: 1 };

/**
 * LOAD DATA LOCAL implies IGNORE: the server turns every error (duplicate key, bad date, text
 * too long, NULL into NOT NULL) into a warning and goes on. Any warning is therefore a failed
 * load; the most severe one names the code, the column and the 1-based row of the batch.
 */
export function warningsToError(warnings: readonly ServerWarning[], total: number, context: ErrorContext): CrmError {
  const worst = [...warnings].sort((a, b) => (SEVERITY[b.Level] ?? 0) - (SEVERITY[a.Level] ?? 0))[0];
  const { code, location } = describe(worst.Code, worst.Message, context);
  const row = ROW_IN_MESSAGE.exec(worst.Message)?.[1];
  const more = total > 1 ? ` (and ${total - 1} more warning${total > 2 ? 's' : ''})` : '';
  return new CrmError(code, `${worst.Message}${row ? ` [batch row ${row}]` : ''}${more}; the whole batch was rolled back`, {
    location,
  });
}
