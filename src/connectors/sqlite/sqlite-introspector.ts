import type { Database } from 'better-sqlite3';
import { CrmError } from '../../core/errors/index.js';
import type { ColumnSchema, ForeignKey, IndexSchema, TableSchema } from '../../core/types.js';
import { quoteIdent } from './sqlite-sql.js';
import { canonicalType } from './sqlite-types.js';

/** Catalog reads over sqlite_master and the pragma table-valued functions. */

interface MasterRow {
  name: string;
  type: 'table' | 'view';
  sql: string | null;
}

interface ColumnRow {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  /** pragma_table_xinfo: 0 a stored column, 2 or 3 a generated one (virtual, stored). */
  hidden: number;
}

interface IndexRow {
  name: string;
  unique: number;
  origin: 'c' | 'u' | 'pk';
  partial: number;
}

interface ForeignKeyRow {
  id: number;
  table: string;
  from: string;
  to: string | null;
}

/** Tables and views, in name order; SQLite's own tables are left out. */
export function listTables(db: Database): MasterRow[] {
  return db
    .prepare(
      `SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
    )
    .all() as MasterRow[];
}

/** The columns of a table with their canonical types; throws CRM_S3001 when the table is missing. */
export function tableColumns(db: Database, table: string): ColumnSchema[] {
  // table_xinfo, not table_info: it lists generated columns too (hidden 2 virtual, 3 stored; 1 is a
  // virtual table's hidden column, which is not data).
  const rows = db
    .prepare('SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) WHERE hidden <> 1 ORDER BY cid')
    .all(table) as ColumnRow[];
  if (rows.length === 0) {
    throw new CrmError('CRM_S3001', `no table or view named ${table}`, { location: { connector: 'sqlite', table } });
  }
  const sql = (db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(table) as string | null | undefined) ?? '';
  return rows.map((row) => {
    const type = canonicalType(row.type);
    return {
      name: row.name,
      type: type.kind === 'enum' ? { kind: 'enum', values: enumValues(sql, row.name) } : type,
      nativeType: row.type,
      nullable: row.notnull === 0 && row.pk === 0,
      ...(row.dflt_value === null ? {} : { default: row.dflt_value }),
      // A lone INTEGER PRIMARY KEY is the rowid: SQLite assigns it when the insert leaves it out.
      ...(row.pk === 1 && row.type.toUpperCase() === 'INTEGER' && rows.filter((r) => r.pk > 0).length === 1 ? { autoIncrement: true } : {}),
      ...(row.hidden >= 2 ? { generated: true } : {}),
    };
  });
}

/**
 * The picklist of an ENUM_TEXT column, from the CHECK constraint crmbridge writes with it
 * (`"col" ENUM_TEXT … CHECK ("col" IN ('a', 'b'))`, see sqlite-ddl.ts). SQLite keeps the
 * CREATE TABLE text verbatim, so the form is known; no constraint means no declared values.
 */
function enumValues(createSql: string, column: string): string[] {
  const name = escapeRegExp(quoteIdent(column));
  const check = new RegExp(
    `${name}\\s+ENUM_TEXT\\b(?:[^,']|'(?:[^']|'')*')*?CHECK\\s*\\(\\s*${name}\\s+IN\\s*\\(((?:\\s*'(?:[^']|'')*'\\s*,?)*)\\)\\s*\\)`,
  ).exec(createSql);
  if (!check) return [];
  return [...check[1].matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replaceAll("''", "'"));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function introspectTable(db: Database, table: string): TableSchema {
  const columns = tableColumns(db, table);
  const pkRows = (db.prepare('SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').all(table) as ColumnRow[]).map(
    (r) => r.name,
  );
  const uniqueKeys: string[][] = [];
  const indexes: IndexSchema[] = [];
  for (const index of db.prepare('SELECT name, "unique", origin, partial FROM pragma_index_list(?)').all(table) as IndexRow[]) {
    if (index.origin === 'pk' || index.partial === 1) continue;
    const names = db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck().all(index.name) as (string | null)[];
    // Expression indexes have NULL column names; they cannot be carried to another database.
    if (names.some((n) => n === null)) continue;
    const cols = names as string[];
    if (index.origin === 'u') uniqueKeys.push(cols);
    else indexes.push({ name: index.name, columns: cols, unique: index.unique === 1 });
  }
  return {
    name: table,
    columns,
    primaryKey: pkRows,
    uniqueKeys,
    foreignKeys: foreignKeys(db, table),
    indexes,
    rowEstimate: rowEstimate(db, table),
  };
}

function foreignKeys(db: Database, table: string): ForeignKey[] {
  const rows = db
    .prepare('SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq')
    .all(table) as ForeignKeyRow[];
  const byId = new Map<number, ForeignKeyRow[]>();
  for (const row of rows) byId.set(row.id, [...(byId.get(row.id) ?? []), row]);
  return [...byId.values()].map((parts) => {
    const referencedTable = parts[0].table;
    // `REFERENCES parent` without columns means the parent's primary key.
    const referencedColumns = parts.every((p) => p.to !== null)
      ? parts.map((p) => p.to as string)
      : (db.prepare('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').pluck().all(referencedTable) as string[]);
    return { columns: parts.map((p) => p.from), referencedTable, referencedColumns };
  });
}

/** sqlite_stat1 (kept by ANALYZE) when present: no scan; otherwise an exact count. */
function rowEstimate(db: Database, table: string): number {
  const hasStats = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'`).get() !== undefined;
  if (hasStats) {
    const stat = db.prepare('SELECT stat FROM sqlite_stat1 WHERE tbl = ? LIMIT 1').pluck().get(table) as string | undefined;
    if (stat !== undefined) return Number(stat.split(' ')[0]);
  }
  return Number(
    db
      .prepare(`SELECT count(*) FROM ${quoteIdent(table)}`)
      .pluck()
      .get(),
  );
}
