import type { RowDataPacket } from 'mysql2';
import type { ColumnSchema, DatabaseSchema, ForeignKey, IndexSchema, TableSchema } from '../../core/types.js';
import type { ColumnEncodings } from './mysql-charsets.js';
import type { ServerFlavour } from './mysql-flavour.js';
import type { Session } from './mysql-pool.js';
import { nativeName } from './mysql-sql.js';
import { canonicalTypeOf, parseNativeType, userComment } from './mysql-types.js';

/**
 * Reads the schema of the current database from information_schema: five queries for any number
 * of tables (not five per table), grouped in memory.
 */

interface ColumnRow extends RowDataPacket {
  table_name: string;
  column_name: string;
  column_type: string;
  is_nullable: string;
  column_default: string | null;
  extra: string;
  column_comment: string;
  charset: string | null;
}

interface ConstraintRow extends RowDataPacket {
  table_name: string;
  constraint_name: string;
  constraint_type: 'PRIMARY KEY' | 'UNIQUE' | 'FOREIGN KEY';
  column_name: string;
  referenced_table_name: string | null;
  referenced_column_name: string | null;
}

interface IndexRow extends RowDataPacket {
  table_name: string;
  index_name: string;
  non_unique: number | string;
  column_name: string;
}

const TABLES_SQL = `SELECT TABLE_NAME AS table_name, TABLE_TYPE AS table_type, TABLE_ROWS AS table_rows
  FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()`;
const COLUMNS_SQL = `SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, COLUMN_TYPE AS column_type,
  IS_NULLABLE AS is_nullable, COLUMN_DEFAULT AS column_default, EXTRA AS extra, COLUMN_COMMENT AS column_comment,
  CHARACTER_SET_NAME AS charset
  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()`;
const CONSTRAINTS_SQL = `SELECT tc.TABLE_NAME AS table_name, tc.CONSTRAINT_NAME AS constraint_name,
  tc.CONSTRAINT_TYPE AS constraint_type, k.COLUMN_NAME AS column_name,
  k.REFERENCED_TABLE_NAME AS referenced_table_name, k.REFERENCED_COLUMN_NAME AS referenced_column_name
  FROM information_schema.TABLE_CONSTRAINTS tc
  JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA
    AND k.TABLE_NAME = tc.TABLE_NAME AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
  WHERE tc.CONSTRAINT_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')`;
const INDEXES_SQL = `SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, NON_UNIQUE AS non_unique, COLUMN_NAME AS column_name
  FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME <> 'PRIMARY'`;
// MariaDB's JSON type is LONGTEXT + CHECK (json_valid(`col`)); MySQL has a real JSON type.
const JSON_CHECKS_SQL = `SELECT TABLE_NAME AS table_name, CHECK_CLAUSE AS check_clause
  FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CHECK_CLAUSE LIKE 'json_valid(%'`;
// Every CHECK of a table (MariaDB names checks per table, MySQL per schema: join on the table where it can).
const CHECKS_SQL = (
  flavour: ServerFlavour,
) => `SELECT tc.TABLE_NAME AS table_name, tc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS expression
  FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.CHECK_CONSTRAINTS cc
    ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME${
      flavour.kind === 'mariadb' ? ' AND cc.TABLE_NAME = tc.TABLE_NAME' : ''
    }
  WHERE tc.CONSTRAINT_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK'`;
const TRIGGERS_SQL = `SELECT EVENT_OBJECT_TABLE AS table_name, TRIGGER_NAME AS name
  FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()`;

/** Rows grouped by a key, each group keeping the query's order. */
function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

const byTable = <T extends { table_name: string }>(rows: readonly T[]) => groupBy(rows, (r) => r.table_name);

const NUMERIC_DEFAULT = /^[-+]?\d+(\.\d+)?$/;

/** COLUMN_DEFAULT as SQL text: MariaDB already gives SQL (and `NULL` for none); MySQL gives the bare literal. */
function defaultSql(row: ColumnRow, flavour: ServerFlavour): string | undefined {
  const value = row.column_default;
  if (value === null) return undefined;
  if (flavour.defaultsAreSql) return value === 'NULL' ? undefined : value;
  if (/DEFAULT_GENERATED/i.test(row.extra) || NUMERIC_DEFAULT.test(value)) return value;
  return `'${value.replace(/'/g, "''")}'`;
}

function toColumn(row: ColumnRow, flavour: ServerFlavour, jsonChecked: Set<string>, encodings: ColumnEncodings): ColumnSchema {
  const charset = encodings.of(row.table_name, row.column_name, row.charset);
  const comment = row.column_comment || undefined;
  const user = userComment(comment);
  const dflt = defaultSql(row, flavour);
  return {
    name: row.column_name,
    type: canonicalTypeOf({
      table: row.table_name,
      column: row.column_name,
      columnType: row.column_type,
      comment,
      jsonChecked: parseNativeType(row.column_type).base === 'longtext' && jsonChecked.has(row.column_name),
    }),
    nativeType: row.column_type,
    nullable: row.is_nullable === 'YES',
    ...(dflt === undefined ? {} : { default: dflt }),
    ...(/auto_increment/i.test(row.extra) ? { autoIncrement: true } : {}),
    // VIRTUAL / STORED GENERATED (not MySQL's DEFAULT_GENERATED, a default expression).
    ...(/\b(?:VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.test(row.extra) ? { generated: true } : {}),
    ...(user ? { comment: user } : {}),
    ...(charset ? { charset } : {}),
  };
}

export async function introspectDatabase(
  session: Session,
  flavour: ServerFlavour,
  encodings: ColumnEncodings,
  tables?: readonly string[],
): Promise<DatabaseSchema> {
  if (tables?.length === 0) return { tables: [] };
  const filter = tables ? ' AND TABLE_NAME IN (?)' : '';
  const filterTc = tables ? ' AND tc.TABLE_NAME IN (?)' : '';
  const params = tables ? [tables.map(nativeName)] : [];
  const q = async <T extends RowDataPacket>(sql: string) => (await session.sql.query<T[]>(sql, params))[0];
  type Named = RowDataPacket & { table_name: string; name: string; expression?: string };
  const [tableRows, columnRows, constraintRows, indexRows, checkRows, allChecks, triggerRows] = await Promise.all([
    q<RowDataPacket>(`${TABLES_SQL}${filter} ORDER BY TABLE_NAME`),
    q<ColumnRow>(`${COLUMNS_SQL}${filter} ORDER BY TABLE_NAME, ORDINAL_POSITION`),
    q<ConstraintRow>(`${CONSTRAINTS_SQL}${filterTc} ORDER BY tc.TABLE_NAME, tc.CONSTRAINT_NAME, k.ORDINAL_POSITION`),
    q<IndexRow>(`${INDEXES_SQL}${filter} ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`),
    flavour.kind === 'mariadb' ? q<RowDataPacket>(`${JSON_CHECKS_SQL}${filter}`) : Promise.resolve([] as RowDataPacket[]),
    q<Named>(`${CHECKS_SQL(flavour)}${filterTc} ORDER BY tc.TABLE_NAME, tc.CONSTRAINT_NAME`),
    q<Named>(`${TRIGGERS_SQL}${tables ? ' AND EVENT_OBJECT_TABLE IN (?)' : ''} ORDER BY EVENT_OBJECT_TABLE, TRIGGER_NAME`),
  ]);
  const checks = byTable(allChecks);
  const triggers = byTable(triggerRows);
  const columns = byTable(columnRows);
  const constraints = byTable(constraintRows);
  const indexes = byTable(indexRows);
  const jsonChecks = byTable(checkRows as (RowDataPacket & { table_name: string; check_clause: string })[]);

  const out: TableSchema[] = [];
  for (const t of tableRows) {
    const name = String(t.table_name);
    const checked = new Set((jsonChecks.get(name) ?? []).map((c) => /`([^`]+)`/.exec(c.check_clause)?.[1] ?? ''));
    const keyGroups = groupBy(constraints.get(name) ?? [], (r) => `${r.constraint_type}\u0000${r.constraint_name}`);
    const primaryKey: string[] = [];
    const uniqueKeys: string[][] = [];
    const foreignKeys: ForeignKey[] = [];
    for (const rows of keyGroups.values()) {
      const cols = rows.map((r) => r.column_name);
      const kind = rows[0].constraint_type;
      if (kind === 'PRIMARY KEY') primaryKey.push(...cols);
      else if (kind === 'UNIQUE') uniqueKeys.push(cols);
      else
        foreignKeys.push({
          name: rows[0].constraint_name,
          columns: cols,
          referencedTable: String(rows[0].referenced_table_name),
          referencedColumns: rows.map((r) => String(r.referenced_column_name)),
        });
    }
    const indexList: IndexSchema[] = [...groupBy(indexes.get(name) ?? [], (r) => r.index_name).entries()].map(([indexName, rows]) => ({
      name: indexName,
      columns: rows.map((r) => r.column_name),
      unique: Number(rows[0].non_unique) === 0,
    }));
    const isView = String(t.table_type) === 'VIEW';
    const tableChecks = (checks.get(name) ?? []).map((c) => ({ name: c.name, expression: String(c.expression) }));
    const tableTriggers = (triggers.get(name) ?? []).map((r) => r.name);
    out.push({
      name,
      columns: (columns.get(name) ?? []).map((c) => toColumn(c, flavour, checked, encodings)),
      primaryKey,
      uniqueKeys,
      foreignKeys,
      indexes: indexList,
      ...(tableChecks.length > 0 ? { checks: tableChecks } : {}),
      ...(tableTriggers.length > 0 ? { triggers: tableTriggers } : {}),
      ...(isView || t.table_rows === null ? {} : { rowEstimate: Number(t.table_rows) }),
    });
  }
  return { tables: out };
}
