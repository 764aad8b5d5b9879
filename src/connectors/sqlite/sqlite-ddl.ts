import type { ColumnSchema, TableSchema } from '../../core/types.js';
import type { CreateTableOptions } from '../contract.js';
import { parenList, quoteIdent, quoteLiteral } from './sqlite-sql.js';
import { declaredType } from './sqlite-types.js';

/**
 * CREATE TABLE / CREATE INDEX statements for SQLite. Foreign keys are declared only on request
 * (SQLite cannot add them later with ALTER TABLE), and enforced because the writer turns on
 * `PRAGMA foreign_keys`.
 */
export function createTableStatements(tables: readonly TableSchema[], options: CreateTableOptions = {}): string[] {
  const ifNotExists = options.dropExisting ? '' : options.ifNotExists === false ? '' : 'IF NOT EXISTS ';
  const statements: string[] = [];
  // SQLite index names are global to the database; a second table's same-named index gets the table as prefix.
  const indexNames = new Set<string>();
  for (const table of tables) {
    if (options.dropExisting) statements.push(`DROP TABLE IF EXISTS ${quoteIdent(table.name)}`);
    const parts = table.columns.map(columnDefinition);
    if (table.primaryKey.length > 0) parts.push(`PRIMARY KEY ${parenList(table.primaryKey)}`);
    for (const unique of table.uniqueKeys) parts.push(`UNIQUE ${parenList(unique)}`);
    if (options.foreignKeys) {
      for (const fk of table.foreignKeys) {
        parts.push(`FOREIGN KEY ${parenList(fk.columns)} REFERENCES ${quoteIdent(fk.referencedTable)} ${parenList(fk.referencedColumns)}`);
      }
    }
    statements.push(`CREATE TABLE ${ifNotExists}${quoteIdent(table.name)} (\n  ${parts.join(',\n  ')}\n)`);
    for (const index of table.indexes) {
      const name = indexNames.has(index.name) ? `${table.name}_${index.name}` : index.name;
      indexNames.add(name);
      statements.push(
        `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${ifNotExists}${quoteIdent(name)} ON ${quoteIdent(table.name)} ${parenList(index.columns)}`,
      );
    }
  }
  return statements;
}

function columnDefinition(column: ColumnSchema): string {
  const name = quoteIdent(column.name);
  let sql = `${name} ${declaredType(column.type)}`;
  if (!column.nullable) sql += ' NOT NULL';
  const defaultSql = column.default === undefined ? undefined : portableDefault(column.default);
  if (defaultSql !== undefined) sql += ` DEFAULT ${defaultSql}`;
  if (column.type.kind === 'enum' && column.type.values.length > 0) {
    sql += ` CHECK (${name} IN (${column.type.values.map(quoteLiteral).join(', ')}))`;
  }
  return sql;
}

/**
 * Defaults come as another dialect's SQL (`nextval('s')`, `'x'::character varying`, `now()`);
 * only literals that mean the same in SQLite are kept, the rest are dropped (rows carry values).
 */
function portableDefault(text: string): string | undefined {
  const t = text.trim();
  if (/^[-+]?\d+(\.\d+)?$/.test(t) || /^'(?:[^']|'')*'$/.test(t)) return t;
  if (/^(NULL|CURRENT_TIMESTAMP|CURRENT_DATE|CURRENT_TIME)$/i.test(t)) return t.toUpperCase();
  return undefined;
}
