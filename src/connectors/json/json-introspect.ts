import type { CanonicalType, ColumnSchema, TableSchema } from '../../core/types.js';
import { toPlainDecimal } from '../shared/plain-decimal.js';
import type { JsonFormat } from './json-location.js';
import { fileRecords } from './json-records.js';
import { JsonNumber, type JsonValue } from './json-value.js';

/** Records sampled to infer columns and types of a file without a sidecar. */
export const SAMPLE_RECORDS = 1000;

type JsonKind = 'string' | 'integer' | 'number' | 'boolean' | 'json';

function jsonKind(value: Exclude<JsonValue, null>): JsonKind {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (value instanceof JsonNumber) return /^-?\d+$/.test(toPlainDecimal(value.source)) ? 'integer' : 'number';
  return 'json';
}

/** Exact canonical types for what JSON itself tells: integers as bigint, other numbers as decimal (no double rounding). */
const TYPE_OF_KINDS: Readonly<Record<string, CanonicalType>> = {
  string: { kind: 'text' },
  integer: { kind: 'bigint' },
  number: { kind: 'decimal' },
  'integer|number': { kind: 'decimal' },
  boolean: { kind: 'boolean' },
  json: { kind: 'json' },
};

/**
 * A table schema inferred from the first records: columns are the union of keys in first-seen
 * order; a column is nullable when a sampled record has null or lacks the key; a column whose
 * records disagree (numbers and strings) is text. Strings are not parsed for dates or numbers
 * here: that is `analyze`'s job, with profiles.
 */
export async function inferTable(name: string, file: string, format: JsonFormat): Promise<TableSchema> {
  const kinds = new Map<string, Set<JsonKind>>();
  const nullable = new Set<string>();
  let sampled = 0;
  for await (const record of fileRecords(file, format)) {
    if (!record.ok) continue;
    for (const [key, value] of record.value) {
      if (!kinds.has(key)) {
        kinds.set(key, new Set());
        if (sampled > 0) nullable.add(key);
      }
      if (value === null) nullable.add(key);
      else kinds.get(key)?.add(jsonKind(value));
    }
    for (const key of kinds.keys()) if (!record.value.has(key)) nullable.add(key);
    if (++sampled >= SAMPLE_RECORDS) break;
  }
  const columns: ColumnSchema[] = [...kinds].map(([key, seen]) => {
    const signature = [...seen].sort().join('|');
    return {
      name: key,
      type: TYPE_OF_KINDS[signature] ?? { kind: 'text' },
      nativeType: signature || 'null',
      nullable: nullable.has(key) || seen.size === 0,
    };
  });
  return { name, columns, primaryKey: [], uniqueKeys: [], foreignKeys: [], indexes: [] };
}
