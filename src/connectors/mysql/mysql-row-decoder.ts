import type { CanonicalKind, ColumnSchema, Row, Value } from '../../core/types.js';
import type { ReadReject } from '../contract.js';
import { decodeCharset, InvalidEncoding } from './mysql-charsets.js';
import { codecFor } from './mysql-value-codecs.js';
import { isZeroDate, RejectedZeroDate, type ZeroDatePolicy } from './mysql-zero-dates.js';

/** A driver row decoded in place into canonical values, or the reason it cannot be. */
export type DecodeResult = { readonly row: Row } | { readonly reject: ReadReject };

const DATED: readonly CanonicalKind[] = ['date', 'timestamp', 'timestamptz'];

/**
 * The value decoder of a column. A column with a `charset` is selected as its raw bytes
 * (`selectList`), decoded from that charset first; a zero date in a date column is what the
 * source's rule for the column says (`ZeroDatePolicy`), in NOT NULL columns too.
 */
function columnDecoder(table: string, column: ColumnSchema, zeroDates: ZeroDatePolicy): (raw: unknown) => Value {
  const decode = codecFor(column).decode;
  const { charset } = column;
  if (charset) return (raw) => decode(decodeCharset(raw as Uint8Array, charset));
  if (!DATED.includes(column.type.kind)) return decode;
  const zero = zeroDates.decoder(table, column.name, column.type.kind);
  return (raw) => {
    const text = String(raw);
    return isZeroDate(text) ? zero(text) : decode(text);
  };
}

const rejectCode = (err: unknown): ReadReject['code'] =>
  err instanceof InvalidEncoding ? 'CRM_R4002' : err instanceof RejectedZeroDate ? 'CRM_R4017' : 'CRM_R4003';

/** Driver rows (rowsAsArray) → canonical rows for these columns of `table`. Built once per read; lean per row. */
export function rowDecoder(table: string, columns: readonly ColumnSchema[], zeroDates: ZeroDatePolicy): (raw: unknown[]) => DecodeResult {
  const decoders = columns.map((c) => columnDecoder(table, c, zeroDates));
  return (raw) => {
    for (let i = 0; i < raw.length; i++) {
      const value = raw[i];
      if (value === null) continue;
      try {
        raw[i] = decoders[i](value);
      } catch (err) {
        return {
          reject: {
            code: rejectCode(err),
            message: `column ${columns[i].name}: ${err instanceof Error ? err.message : String(err)}`,
            column: columns[i].name,
            raw: rowText(raw),
          },
        };
      }
    }
    return { row: raw as Value[] };
  };
}

/** A row as text for a reject record (bigints and bytes spelled out). */
function rowText(raw: readonly unknown[]): string {
  return JSON.stringify(
    raw.map((v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)),
  );
}
