import { CrmError } from '../../core/errors/index.js';
import type { Row, Value } from '../../core/types.js';

/** Rows are sent in chunks of about this many bytes: one CopyData message each. */
const CHUNK_BYTES = 64 * 1024;

const COPY_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
// One scan per text value finds both what COPY must escape and the NUL it cannot carry.
const SPECIAL = /[\\\t\n\r\0]/;
const ESCAPED = /[\\\t\n\r]/g;

/** Thrown by `copyField` for a NUL character; the row loop turns it into a located CrmError. */
class NulCharacter {}

/**
 * Encodes rows in COPY's text format (tab-separated, `\N` for NULL, backslash escapes), lazily,
 * so encoding overlaps with the server's work. A text value holding a NUL character cannot be
 * stored by PostgreSQL at all: it fails the batch with CRM_R4003 naming the row and column.
 *
 * Each line is written straight into the chunk's buffer: no chunk-sized string is built and
 * copied again (that string and its copy were a tenth of a worker's allocations).
 */
export function* copyTextChunks(rows: readonly Row[], columns: readonly string[], table: string): Generator<Buffer> {
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  const width = columns.length;
  // One fields array for all rows; `join` builds each line flat, with no string per separator.
  const fields: string[] = new Array(width);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let c = 0;
    try {
      for (c = 0; c < width; c++) fields[c] = copyField(row[c]);
    } catch (err) {
      if (!(err instanceof NulCharacter)) throw err;
      throw new CrmError('CRM_R4003', 'PostgreSQL text cannot hold a NUL character (\\0)', {
        location: { connector: 'postgres', table, column: columns[c], row: r },
      });
    }
    const line = fields.join('\t');
    // A UTF-16 unit takes at most 3 bytes in UTF-8: with that much room the line (and its
    // line feed) fits whole. A full chunk is sent and a new one started (larger for a line
    // larger than a chunk).
    const room = line.length * 3 + 1;
    if (used + room > chunk.length) {
      if (used > 0) yield chunk.subarray(0, used);
      chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, room));
      used = 0;
    }
    used += chunk.write(line, used, 'utf8');
    chunk[used++] = 0x0a;
  }
  if (used > 0) yield chunk.subarray(0, used);
}

function copyField(value: Value): string {
  if (value === null) return '\\N';
  switch (typeof value) {
    case 'string':
      return escapeCopy(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'number':
    case 'bigint':
      return String(value);
  }
  if (value instanceof Uint8Array) {
    // bytea hex input `\x…`, its backslash escaped for COPY.
    return `\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  }
  return escapeCopy(arrayLiteral(value));
}

function escapeCopy(text: string): string {
  if (!SPECIAL.test(text)) return text;
  if (text.includes('\0')) throw new NulCharacter();
  return text.replace(ESCAPED, (ch) => COPY_ESCAPES[ch]);
}

/** A PostgreSQL array literal with every element quoted: `{"a,b","c\"d"}`. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}
