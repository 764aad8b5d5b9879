import type { ColumnSchema, TableSchema } from '../../core/types.js';
import type { CreateTableOptions } from '../contract.js';
import type { ServerFlavour } from './mysql-flavour.js';
import { nativeName, quoteId, quoteList } from './mysql-sql.js';
import { canonicalToNative, markerComment, type NativeDefinition, nativeToCanonical, sameCanonicalType } from './mysql-types.js';

/**
 * CREATE TABLE statements for canonical schemas: InnoDB, utf8mb4 with a binary NO PAD collation (byte-exact text compare),
 * names shortened to 64 bytes. Foreign keys are declared inline with FOREIGN_KEY_CHECKS off, so
 * tables can be created in any order and re-run with IF NOT EXISTS.
 */

/** InnoDB's row limit is 65,535 bytes for all in-row columns; a margin covers per-row overhead. */
const ROW_BYTES = 65_535 - 535;

const quoteText = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

function indexedColumns(table: TableSchema): Set<string> {
  return new Set([
    ...table.primaryKey,
    ...table.uniqueKeys.flat(),
    ...table.indexes.flatMap((i) => i.columns),
    ...table.foreignKeys.flatMap((f) => f.columns),
  ]);
}

/** Native definitions per column: key columns first (they must stay in-row), then in order while the row has room. */
function nativeColumns(table: TableSchema, flavour: ServerFlavour): Map<string, NativeDefinition> {
  const indexed = indexedColumns(table);
  const ordered = [...table.columns.filter((c) => indexed.has(c.name)), ...table.columns.filter((c) => !indexed.has(c.name))];
  const out = new Map<string, NativeDefinition>();
  let left = ROW_BYTES;
  for (const col of ordered) {
    const def = canonicalToNative(col.type, { flavour, indexed: indexed.has(col.name), rowBytesLeft: left });
    left -= def.rowBytes;
    out.set(col.name, def);
  }
  return out;
}

function columnSql(col: ColumnSchema, def: NativeDefinition, indexed: boolean): string {
  const name = quoteId(col.name);
  const parts = [name, def.sql];
  if (!col.nullable) parts.push('NOT NULL');
  const integral = col.type.kind === 'integer' || col.type.kind === 'bigint';
  if (col.autoIncrement && integral && indexed) parts.push('AUTO_INCREMENT');
  // The marker records the canonical type wherever the native type alone would not give it back.
  const exact = sameCanonicalType(nativeToCanonical(def.sql), col.type);
  const comment = exact ? col.comment : markerComment(col.type, col.comment);
  if (comment) parts.push(`COMMENT ${quoteText(comment)}`);
  // Last: MySQL's grammar puts a column CHECK after the comment.
  if (def.check) parts.push(`CHECK (${def.check(name)})`);
  return parts.join(' ');
}

const constraintName = (prefix: string, table: string, columns: readonly string[]) =>
  quoteId(nativeName(`${prefix}_${table}_${columns.join('_')}`));

function createTableSql(table: TableSchema, flavour: ServerFlavour, ifNotExists: boolean, foreignKeys: boolean): string {
  const defs = nativeColumns(table, flavour);
  const indexed = indexedColumns(table);
  const lines = table.columns.map((c) => columnSql(c, defs.get(c.name) as NativeDefinition, indexed.has(c.name)));
  if (table.primaryKey.length > 0) lines.push(`PRIMARY KEY (${quoteList(table.primaryKey)})`);
  const uniques = new Set<string>();
  for (const cols of table.uniqueKeys) {
    uniques.add(cols.join('\u0000'));
    lines.push(`UNIQUE KEY ${constraintName('uq', table.name, cols)} (${quoteList(cols)})`);
  }
  for (const index of table.indexes) {
    if (index.unique && uniques.has(index.columns.join('\u0000'))) continue;
    lines.push(`${index.unique ? 'UNIQUE KEY' : 'KEY'} ${quoteId(index.name)} (${quoteList(index.columns)})`);
  }
  if (foreignKeys) {
    for (const fk of table.foreignKeys) {
      // Generated names: MySQL wants FK names unique per database, sources only per table.
      lines.push(
        `CONSTRAINT ${constraintName('fk', table.name, fk.columns)} FOREIGN KEY (${quoteList(fk.columns)}) REFERENCES ${quoteId(
          fk.referencedTable,
        )} (${quoteList(fk.referencedColumns)})`,
      );
    }
  }
  return `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${quoteId(table.name)} (\n  ${lines.join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${flavour.exactCollation}`;
}

export function ddlStatements(tables: readonly TableSchema[], flavour: ServerFlavour, options: CreateTableOptions = {}): string[] {
  const foreignKeys = options.foreignKeys ?? true;
  const dropExisting = options.dropExisting ?? false;
  const ifNotExists = !dropExisting && (options.ifNotExists ?? true);
  const statements: string[] = [];
  if (dropExisting) statements.push(...[...tables].reverse().map((t) => `DROP TABLE IF EXISTS ${quoteId(t.name)}`));
  statements.push(...tables.map((t) => createTableSql(t, flavour, ifNotExists, foreignKeys)));
  const needsChecksOff = dropExisting || (foreignKeys && tables.some((t) => t.foreignKeys.length > 0));
  return needsChecksOff ? ['SET FOREIGN_KEY_CHECKS = 0', ...statements, 'SET FOREIGN_KEY_CHECKS = 1'] : statements;
}
