import type { ColumnSchema, Row, Value } from '../../core/types.js';
import type { ReadReject } from '../contract.js';
import { decodeCharset, InvalidEncoding } from './mysql-charsets.js';
import { codecFor, UndecodableValue } from './mysql-value-codecs.js';

/** A driver row decoded in place into canonical values, or the reason it cannot be. */
export type DecodeResult = { readonly row: Row } | { readonly reject: ReadReject };

/**
 * The value decoder of a column. A column with a `charset` is selected as its raw bytes
 * (`selectList`), decoded from that charset first.
 */
function columnDecoder(column: ColumnSchema): (raw: unknown) => Value {
  const decode = codecFor(column).decode;
  const { charset } = column;
  return charset ? (raw) => decode(decodeCharset(raw as Uint8Array, charset)) : decode;
}

/** Driver rows (rowsAsArray) → canonical rows for these columns. Built once per read; lean per row. */
export function rowDecoder(columns: readonly ColumnSchema[]): (raw: unknown[]) => DecodeResult {
  const decoders = columns.map(columnDecoder);
  const required = columns.map((c) => !c.nullable);
  return (raw) => {
    for (let i = 0; i < raw.length; i++) {
      const value = raw[i];
      if (value === null) continue;
      try {
        const decoded = decoders[i](value);
        // A zero date decodes to null; a NOT NULL column cannot take that.
        if (decoded === null && required[i]) throw new UndecodableValue(`${String(value)} is not a valid value in a NOT NULL column`);
        raw[i] = decoded;
      } catch (err) {
        return {
          reject: {
            code: err instanceof InvalidEncoding ? 'CRM_R4002' : 'CRM_R4003',
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
