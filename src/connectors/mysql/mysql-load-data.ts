import { Readable } from 'node:stream';
import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import { CrmError } from '../../core/errors/index.js';
import type { ColumnSchema, Row } from '../../core/types.js';
import { type ErrorContext, type ServerWarning, warningsToError } from './mysql-errors.js';
import type { Session } from './mysql-pool.js';
import { quoteId } from './mysql-sql.js';
import { codecFor } from './mysql-value-codecs.js';

/**
 * LOAD DATA LOCAL INFILE from an in-memory batch, streamed as tab-separated text.
 *
 * LOCAL implies IGNORE: the server downgrades every row error (duplicate key, bad date, text too
 * long, NULL into NOT NULL, foreign key) to a warning, skips or coerces the row and carries on.
 * That is silent data loss, so a load with any warning, or with fewer rows than sent, throws;
 * the caller runs the load inside a transaction and rolls it back.
 */

/** The file name the server asks for; the stream factory refuses any other (a hostile server could ask for /etc/passwd). */
const INFILE = 'crmbridge-batch';
/** Characters gathered before encoding them to a Buffer. */
const CHUNK_CHARS = 256 * 1024;
/** Bytes per Buffer handed to the driver: each becomes one packet, which must stay under max_allowed_packet (1 MB at its smallest). */
const PACKET_BYTES = 512 * 1024;

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPE_ALL = /[\\\t\n\r\0]/g;

/** With `ESCAPED BY '\\'`, `\N` is NULL and the escapes below keep tabs, newlines and backslashes literal. */
function escapeField(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, (c) => ESCAPES[c]) : text;
}

/** The batch as LOAD DATA text, in Buffers (mysql2 requires Buffer chunks, not strings). */
function* encodeRows(rows: readonly Row[], columns: readonly ColumnSchema[]): Generator<Buffer> {
  const fields = columns.map((c) => codecFor(c).field);
  const width = fields.length;
  let chunk = '';
  for (const row of rows) {
    for (let i = 0; i < width; i++) {
      const value = row[i];
      if (i > 0) chunk += '\t';
      chunk += value === null || value === undefined ? '\\N' : escapeField(fields[i](value));
    }
    chunk += '\n';
    if (chunk.length >= CHUNK_CHARS) {
      yield* packets(chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) yield* packets(chunk);
}

/** LOAD DATA content is a byte stream, so it may be cut anywhere (even inside a character). */
function* packets(text: string): Generator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < bytes.length; offset += PACKET_BYTES) yield bytes.subarray(offset, offset + PACKET_BYTES);
}

function loadStatement(table: string, columns: readonly ColumnSchema[]): string {
  const targets: string[] = [];
  const sets: string[] = [];
  columns.forEach((col, i) => {
    const load = codecFor(col).load;
    if (!load) {
      targets.push(quoteId(col.name));
      return;
    }
    targets.push(`@v${i}`);
    sets.push(`${quoteId(col.name)} = ${load(`@v${i}`)}`);
  });
  return (
    `LOAD DATA LOCAL INFILE '${INFILE}' INTO TABLE ${quoteId(table)} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${targets.join(', ')})` +
    (sets.length > 0 ? ` SET ${sets.join(', ')}` : '')
  );
}

/**
 * Loads `rows` (positional, in the order of `columns`) into `table`.
 * Throws the CrmError of the first warning when the server reported any.
 */
export async function loadRows(
  session: Session,
  table: string,
  columns: readonly ColumnSchema[],
  rows: readonly Row[],
  context: ErrorContext,
): Promise<void> {
  const infileStreamFactory = (path: string): Readable => {
    if (path !== INFILE) throw new CrmError('CRM_N2005', `the server asked for the local file ${path}, which crmbridge did not offer`);
    return Readable.from(encodeRows(rows, columns), { objectMode: false });
  };
  const [result] = await session.sql.query<ResultSetHeader>({ sql: loadStatement(table, columns), infileStreamFactory });
  if (result.warningStatus === 0 && result.affectedRows === rows.length) return;
  const [warnings] = await session.sql.query<RowDataPacket[]>('SHOW WARNINGS');
  if (warnings.length > 0) throw warningsToError(warnings as ServerWarning[], result.warningStatus, context);
  throw new CrmError('CRM_R4013', `the server loaded ${result.affectedRows} of ${rows.length} rows without saying why`, {
    location: { connector: 'mysql', table: context.table },
  });
}
