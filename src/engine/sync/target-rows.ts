import { parseCanonicalText, toCanonicalText } from '../../core/canonical.js';
import { decodeKey, encodeKey } from '../../core/keys.js';
import type { Row, RowBatch, TableSchema, Value } from '../../core/types.js';

/** Target rows by key text, with helpers to write them back; the forms the journal and hashes use. */

/** A key text (`encodeKey`) → typed values for the table's columns, for reads and deletes by key. */
export function typedKey(table: TableSchema, columns: readonly string[], key: string): Value[] {
  const parts = decodeKey(key);
  return columns.map((c, i) => {
    const text = parts[i];
    if (text === null) return null;
    return parseCanonicalText(text, table.columns.find((x) => x.name === c)?.type ?? { kind: 'text' });
  });
}

/** A row as column → canonical text (the journal's `prior`/`after` form). */
export function rowTexts(table: TableSchema, columns: readonly string[], row: Row): Record<string, string | null> {
  return Object.fromEntries(
    columns.map((c, i) => {
      const type = table.columns.find((x) => x.name === c)?.type ?? { kind: 'text' as const };
      return [c, row[i] === null ? null : toCanonicalText(row[i], type)];
    }),
  );
}

/** The key text of each row of a batch, for `keyColumns`. */
export function keyTexts(batch: RowBatch, keyColumns: readonly string[]): string[] {
  const idx = keyColumns.map((k) => batch.columns.indexOf(k));
  return batch.rows.map((r) => encodeKey(idx.map((i) => r[i])));
}

/**
 * The value that sets (or clears) a soft-delete flag, in the canonical form of the column's type:
 * boolean true, 1 in an integer column, and in a date or time column the time of the delete
 * (`at`: UTC; a naive timestamp holds UTC) — cleared, such a column is NULL again.
 */
export function flagValue(table: TableSchema, column: string, on: boolean, at: Date = new Date()): Value {
  const kind = table.columns.find((c) => c.name === column)?.type.kind;
  const iso = at.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  switch (kind) {
    case 'boolean':
      return on;
    case 'integer':
      return on ? 1 : 0;
    case 'bigint':
      return on ? 1n : 0n;
    case 'timestamptz':
      return on ? `${iso.slice(0, 23)}000Z` : null;
    case 'timestamp':
      return on ? `${iso.slice(0, 10)} ${iso.slice(11, 23)}000` : null;
    case 'date':
      return on ? iso.slice(0, 10) : null;
    default:
      return on ? '1' : '0';
  }
}

/** A soft-delete flag counts as set when it is true, 1, or 't' — whatever the dialect stores. */
export function isSet(value: Value | undefined): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  const text = String(value).toLowerCase();
  return text !== '0' && text !== 'false' && text !== 'f' && text !== '';
}
