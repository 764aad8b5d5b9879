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
 * (a transaction per row would fsync per row). Statements are cached by their SQL, since a
 * migration writes thousands of batches of the same shape.
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

  /** In one transaction, in the order given: with foreign keys on, dropping a table deletes its rows first, which a child's rows would refuse. */
  async dropTables(tables: readonly string[]): Promise<void> {
    const run = this.db.transaction(() => {
      for (const table of tables) this.db.exec(`DROP TABLE ${quoteIdent(table)}`);
    });
    withSqliteErrors({}, run);
    this.statements.clear();
  }

  async write(table: string, batch: RowBatch, options: WriteOptions): Promise<number> {
    if (batch.rows.length === 0) return 0;
    const apply = this.rowWriter(table, batch.columns, options);
    let index = 0;
    const run = this.db.transaction((rows: readonly Value[][]) => {
      for (index = 0; index < rows.length; index++) apply(rows[index]);
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

  /**
   * Writes one row (its values in the batch's column order). An upsert UPDATEs the batch's
   * non-key columns of the row with that key and INSERTs only when there is none — not
   * INSERT … ON CONFLICT, which checks NOT NULL on the proposed row first, so a batch without
   * some NOT NULL column (pass 2's references, two-way sync's mapped columns) could not update.
   * Columns not in the batch keep their values, as on the other databases.
   */
  private rowWriter(table: string, columns: readonly string[], options: WriteOptions): (row: readonly Value[]) => void {
    // Parameter arrays are filled anew for each row, never allocated per row.
    const params: SqliteValue[] = new Array(columns.length);
    const fill = (row: readonly Value[]) => {
      for (let c = 0; c < params.length; c++) params[c] = toSqliteParam(row[c]);
      return params;
    };
    const insert = this.statement(`INSERT INTO ${quoteIdent(table)} ${parenList(columns)} VALUES ${placeholders(columns.length)}`, table);
    if (options.mode === 'insert') return (row) => insert.run(fill(row));
    const key = options.key;
    if (!key || key.length === 0) {
      throw new CrmError('CRM_S3004', `upsert into ${table} needs key columns`, { location: { connector: 'sqlite', table } });
    }
    const keyIdx = key.map((k) => columns.indexOf(k));
    if (keyIdx.some((i) => i < 0)) {
      throw new CrmError('CRM_C1003', `an upsert into ${table} needs its key columns (${key.join(', ')}) in the batch`, {
        location: { connector: 'sqlite', table },
      });
    }
    const setIdx = columns.flatMap((c, i) => (key.includes(c) ? [] : [i]));
    if (setIdx.length === 0) {
      const insertNew = this.statement(`${insert.source} ON CONFLICT (${identList(key)}) DO NOTHING`, table);
      return (row) => insertNew.run(fill(row));
    }
    const update = this.statement(
      `UPDATE ${quoteIdent(table)} SET ${setIdx.map((i) => `${quoteIdent(columns[i])} = ?`).join(', ')} WHERE ${parenList(key)} = ${placeholders(key.length)}`,
      table,
    );
    // The UPDATE's parameters: the set columns, then the key.
    const order = [...setIdx, ...keyIdx];
    const updateParams: SqliteValue[] = new Array(order.length);
    return (row) => {
      fill(row);
      for (let j = 0; j < order.length; j++) updateParams[j] = params[order[j]];
      if (update.run(updateParams).changes === 0) insert.run(params);
    };
  }

  private statement(sql: string, table: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = withSqliteErrors({ table }, () => this.db.prepare(sql));
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
