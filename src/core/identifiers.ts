import { createHash } from 'node:crypto';
import type { DatabaseSchema, TableSchema } from './types.js';

/**
 * The one name map between logical names (as a mapping spells tables, columns, indexes and
 * constraints) and physical identifiers (as a dialect stores them). Connectors quote every
 * identifier through `shortenIdentifier` with their limit (`capabilities.maxIdentifierLength`);
 * everything that looks an introspected target up by a logical name goes through
 * `logicalSchema`, so design, plan, migrate, verify, repair and sync agree on one identifier.
 */

/**
 * Shortens an identifier to at most `maxBytes` UTF-8 bytes, deterministically and uniquely:
 * a name that fits is returned unchanged; a longer one keeps a prefix (whole characters, so a
 * multi-byte character is never cut) and gets `_` plus 8 hex digits of the SHA-1 of the full
 * name, so two long names that share a prefix stay distinct and the same name always maps to
 * the same identifier (re-runs and introspection agree). `duplicatePhysicalNames` finds the
 * (astronomically unlikely) collisions among the names of one table before anything is created.
 */
export function shortenIdentifier(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const suffix = `_${createHash('sha1').update(name).digest('hex').slice(0, 8)}`;
  let prefix = '';
  for (const ch of name) {
    if (Buffer.byteLength(prefix + ch) + suffix.length > maxBytes) break;
    prefix += ch;
  }
  return prefix + suffix;
}

/** Logical table name → the logical names of its columns that a caller looks up. */
export type LogicalNames = ReadonlyMap<string, readonly string[]>;

/**
 * Groups of logical names that would be stored under one identifier: two long names with
 * equal shortened forms, or a short name equal to another's shortened form.
 */
export function duplicatePhysicalNames(names: readonly string[], maxBytes: number): string[][] {
  const byPhysical = new Map<string, Set<string>>();
  for (const name of names) {
    const physical = shortenIdentifier(name, maxBytes);
    byPhysical.set(physical, (byPhysical.get(physical) ?? new Set()).add(name));
  }
  return [...byPhysical.values()].filter((s) => s.size > 1).map((s) => [...s]);
}

/**
 * An introspected schema with the tables and columns of `names` under their logical names:
 * a table or column stored under a shortened identifier is renamed back, in the table, its
 * key, unique keys, indexes and foreign keys (a foreign key's referenced table and columns
 * too). Names that fit the limit, and tables not in `names`, are returned as they are.
 */
export function logicalSchema(schema: DatabaseSchema, names: LogicalNames, maxBytes: number): DatabaseSchema {
  if (!Number.isFinite(maxBytes)) return schema;
  const tableNames = new Map<string, string>();
  const columnNames = new Map<string, Map<string, string>>();
  for (const [table, columns] of names) {
    const physicalTable = shortenIdentifier(table, maxBytes);
    tableNames.set(physicalTable, table);
    const renames = columnNames.get(physicalTable) ?? new Map<string, string>();
    for (const column of columns) renames.set(shortenIdentifier(column, maxBytes), column);
    columnNames.set(physicalTable, renames);
  }
  const rename = (table: TableSchema): TableSchema => {
    const columns = columnNames.get(table.name);
    const col = (name: string) => columns?.get(name) ?? name;
    const cols = (list: readonly string[]) => list.map(col);
    const referenced = (physicalTable: string, list: readonly string[]) => list.map((c) => columnNames.get(physicalTable)?.get(c) ?? c);
    return {
      ...table,
      name: tableNames.get(table.name) ?? table.name,
      columns: table.columns.map((c) => ({ ...c, name: col(c.name) })),
      primaryKey: cols(table.primaryKey),
      uniqueKeys: table.uniqueKeys.map(cols),
      indexes: table.indexes.map((i) => ({ ...i, columns: cols(i.columns) })),
      foreignKeys: table.foreignKeys.map((fk) => ({
        ...fk,
        columns: cols(fk.columns),
        referencedTable: tableNames.get(fk.referencedTable) ?? fk.referencedTable,
        referencedColumns: referenced(fk.referencedTable, fk.referencedColumns),
      })),
    };
  };
  return { ...schema, tables: schema.tables.map(rename) };
}
