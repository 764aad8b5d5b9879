import type { CanonicalType, ColumnSchema, TableSchema } from '../../src/core/types.js';

/**
 * Builders for the `ColumnSchema` / `TableSchema` fixtures that tests hand to writers, planners
 * and analysers. They fill in what a hand-written fixture leaves empty (no native type, no keys
 * besides `id`, no constraints), so a test spells out only what it is about.
 */

/** A column of the given canonical type; `nativeType` is empty, as nothing was introspected. */
export function column(name: string, type: CanonicalType, nullable = true): ColumnSchema {
  return { name, type, nativeType: '', nullable };
}

/** A text column, with a declared length when one is given. */
export function textColumn(name: string, nullable = true, length?: number): ColumnSchema {
  return column(name, length === undefined ? { kind: 'text' } : { kind: 'text', length }, nullable);
}

/** What a table has besides its name and columns; each left out is empty (the primary key: `['id']`). */
export interface TableOptions {
  readonly primaryKey?: TableSchema['primaryKey'];
  readonly uniqueKeys?: TableSchema['uniqueKeys'];
  readonly foreignKeys?: TableSchema['foreignKeys'];
  readonly indexes?: TableSchema['indexes'];
}

/** A table keyed by `id` unless `options.primaryKey` says otherwise, with no other constraints unless given. */
export function table(name: string, columns: readonly ColumnSchema[], options: TableOptions = {}): TableSchema {
  return {
    name,
    columns,
    primaryKey: options.primaryKey ?? ['id'],
    uniqueKeys: options.uniqueKeys ?? [],
    foreignKeys: options.foreignKeys ?? [],
    indexes: options.indexes ?? [],
  };
}
