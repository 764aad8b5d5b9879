import type { Database, Statement } from 'better-sqlite3';
import { CrmError } from '../../core/errors/index.js';
import type { RowBatch, TableSchema, Value } from '../../core/types.js';
import type { CreateTableOptions, WriteOptions, Writer } from '../contract.js';
import { createTableStatements } from './sqlite-ddl.js';
import { translateSqliteError, withSqliteErrors } from './sqlite-errors.js';
import { identList, parenList, placeholders, quoteIdent } from './sqlite-sql.js';
import { type SqliteValue, toSqliteParam } from './sqlite-values.js';

/**
 * Writes through prepared statements, one transaction per `write` call: SQLite's fastest path
 * (a transaction per row would fsync per row). Statements are cached per (mode, table, columns,
 * key), since a migration writes thousands of batches of the same shape.
 */
export class SqliteWriter implements Writer {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  ddl(tables: readonly TableSchema[], options?: CreateTableOptions): string[] {
    return createTableStatements(tables, options);
  }

  async createTables(tables: readonly TableSchema[], options?: CreateTableOptions): Promise<void> {
    const statements = this.ddl(tables, options);
    const run = this.db.transaction(() => {
      for (const sql of statements) this.db.exec(sql);
    });
    withSqliteErrors({}, run);
    // DDL invalidates prepared statements over the changed tables.
    this.statements.clear();
  }

  async write(table: string, batch: RowBatch, options: WriteOptions): Promise<number> {
    if (batch.rows.length === 0) return 0;
    const statement = this.statement(table, batch.columns, options);
    const params: SqliteValue[] = new Array(batch.columns.length);
    let index = 0;
    const run = this.db.transaction((rows: readonly Value[][]) => {
      for (index = 0; index < rows.length; index++) {
        const row = rows[index];
        for (let c = 0; c < params.length; c++) params[c] = toSqliteParam(row[c]);
        statement.run(params);
      }
    });
    try {
      run(batch.rows);
    } catch (err) {
      const error = translateSqliteError(err, { table, row: index });
      throw new CrmError(error.code, `${error.message} (nothing of the batch was written)`, {
        location: error.location,
        retriable: error.retriable,
        cause: err,
      });
    }
    return batch.rows.length;
  }

  async deleteByKeys(table: string, keyColumns: readonly string[], keys: readonly (readonly Value[])[]): Promise<number> {
    if (keys.length === 0) return 0;
    const statement = withSqliteErrors({ table }, () =>
      this.db.prepare(`DELETE FROM ${quoteIdent(table)} WHERE ${parenList(keyColumns)} = ${placeholders(keyColumns.length)}`),
    );
    const run = this.db.transaction(() => keys.reduce((deleted, key) => deleted + statement.run(key.map(toSqliteParam)).changes, 0));
    return withSqliteErrors({ table }, run);
  }

  async close(): Promise<void> {
    this.statements.clear();
  }

  private statement(table: string, columns: readonly string[], options: WriteOptions): Statement {
    const cacheKey = JSON.stringify([options.mode, table, columns, options.key ?? []]);
    let statement = this.statements.get(cacheKey);
    if (!statement) {
      const sql = insertSql(table, columns, options);
      statement = withSqliteErrors({ table }, () => this.db.prepare(sql));
      this.statements.set(cacheKey, statement);
    }
    return statement;
  }
}

/** INSERT, or for upsert INSERT … ON CONFLICT(key) DO UPDATE of the batch's non-key columns only. */
function insertSql(table: string, columns: readonly string[], options: WriteOptions): string {
  const insert = `INSERT INTO ${quoteIdent(table)} ${parenList(columns)} VALUES ${placeholders(columns.length)}`;
  if (options.mode === 'insert') return insert;
  const key = options.key;
  if (!key || key.length === 0) {
    throw new CrmError('CRM_S3004', `upsert into ${table} needs key columns`, { location: { connector: 'sqlite', table } });
  }
  const updates = columns.filter((c) => !key.includes(c)).map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`);
  return `${insert} ON CONFLICT (${identList(key)}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`;
}
