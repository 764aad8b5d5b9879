import { randomBytes } from 'node:crypto';
import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import { CrmError } from '../../core/errors/index.js';
import type { ColumnSchema, RowBatch, TableSchema, Value } from '../../core/types.js';
import type { CreateTableOptions, WriteOptions, Writer } from '../contract.js';
import { ddlStatements } from './mysql-ddl.js';
import { type ErrorContext, translateMysqlError } from './mysql-errors.js';
import { loadRows } from './mysql-load-data.js';
import type { MysqlPool, Session } from './mysql-pool.js';
import { keyParams } from './mysql-reader.js';
import { pickColumns, type SchemaCache } from './mysql-schema-cache.js';
import { keyInList, quoteId, quoteList } from './mysql-sql.js';

/** Runs `work` in one transaction: committed whole, or rolled back and rethrown. */
async function inTransaction<T>(session: Session, work: () => Promise<T>): Promise<T> {
  await session.sql.query('BEGIN');
  try {
    const result = await work();
    await session.sql.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await session.sql.query('ROLLBACK');
    } catch {
      // The session is dropped after an error anyway, and the server rolls back on disconnect.
    }
    throw err;
  }
}

function errorContext(table: string, columns: readonly ColumnSchema[]): ErrorContext {
  const kinds = new Map(columns.map((c) => [c.name, c.type.kind]));
  return { table, kindOf: (column) => kinds.get(column) };
}

/** Writes through LOAD DATA LOCAL INFILE, one transaction per `write` call. */
export class MysqlWriter implements Writer {
  constructor(
    private readonly pool: MysqlPool,
    private readonly schemas: SchemaCache,
  ) {}

  ddl(tables: readonly TableSchema[], options?: CreateTableOptions): string[] {
    return ddlStatements(tables, this.pool.flavour, options);
  }

  async createTables(tables: readonly TableSchema[], options?: CreateTableOptions): Promise<void> {
    const statements = this.ddl(tables, options);
    try {
      await this.pool.withSession(async (s) => {
        for (const sql of statements) await s.sql.query(sql);
      });
    } finally {
      this.schemas.forget(tables.map((t) => t.name));
    }
  }

  /** One statement, children first (MySQL checks the foreign keys table by table in list order). */
  async dropTables(tables: readonly string[]): Promise<void> {
    if (tables.length === 0) return;
    try {
      await this.pool.withSession(async (s) => {
        await s.sql.query(`DROP TABLE ${quoteList(tables)}`);
      });
    } finally {
      this.schemas.forget(tables);
    }
  }

  async write(table: string, batch: RowBatch, options: WriteOptions): Promise<number> {
    if (batch.rows.length === 0) return 0;
    const schema = await this.schemas.get(table);
    const columns = pickColumns(schema, batch.columns);
    const context = errorContext(schema.name, schema.columns);
    try {
      await this.pool.withSession(async (s) => {
        if (options.mode === 'insert') {
          await inTransaction(s, () => loadRows(s, schema.name, columns, batch.rows, context));
        } else {
          await this.upsert(s, schema, columns, batch, options.key ?? schema.primaryKey, context);
        }
      });
    } catch (err) {
      throw translateMysqlError(err, context);
    }
    return batch.rows.length;
  }

  /**
   * LOAD into a temporary table keyed like the target (so a key twice in one batch fails rather
   * than "last one wins"), then UPDATE the rows that exist (the batch's columns only: columns not
   * in the batch keep their values) and INSERT … SELECT the rest. Not a single INSERT … ON
   * DUPLICATE KEY UPDATE: in strict mode it fills the proposed row before it meets the duplicate,
   * so a batch without some NOT NULL column that has no default could not update (two-way sync
   * writes only the columns that map back). The INSERT keeps ON DUPLICATE KEY UPDATE for a row
   * another session inserts meanwhile. Never REPLACE, which deletes and re-inserts (firing ON
   * DELETE CASCADE and losing the columns not given).
   */
  private async upsert(
    s: Session,
    schema: TableSchema,
    columns: readonly ColumnSchema[],
    batch: RowBatch,
    key: readonly string[],
    context: ErrorContext,
  ): Promise<void> {
    const keyCols = pickColumns(schema, key);
    if (keyCols.length === 0 || keyCols.some((k) => !columns.includes(k))) {
      throw new CrmError('CRM_C1003', `an upsert into ${schema.name} needs its key columns (${key.join(', ') || 'none'}) in the batch`, {
        location: { connector: 'mysql', table: schema.name },
      });
    }
    const temp = `crmbridge_upsert_${randomBytes(6).toString('hex')}`;
    const names = columns.map((c) => c.name);
    const updated = columns.filter((c) => !keyCols.includes(c)).map((c) => c.name);
    // With only key columns there is nothing to update; assigning a key to itself keeps the row as it is.
    const assignments = (updated.length > 0 ? updated : [keyCols[0].name]).map((n) => `${quoteId(n)} = VALUES(${quoteId(n)})`);
    await s.sql.query(
      `CREATE TEMPORARY TABLE ${quoteId(temp)} (PRIMARY KEY (${quoteList(keyCols.map((k) => k.name))})) ENGINE=InnoDB ` +
        `SELECT ${quoteList(names)} FROM ${quoteId(schema.name)} LIMIT 0`,
    );
    try {
      await inTransaction(s, async () => {
        await loadRows(s, temp, columns, batch.rows, context);
        const sameKey = keyCols.map((k) => `t.${quoteId(k.name)} = s.${quoteId(k.name)}`).join(' AND ');
        if (updated.length > 0) {
          await s.sql.query(
            `UPDATE ${quoteId(schema.name)} AS t JOIN ${quoteId(temp)} AS s ON ${sameKey} ` +
              `SET ${updated.map((n) => `t.${quoteId(n)} = s.${quoteId(n)}`).join(', ')}`,
          );
        }
        const missing = `FROM ${quoteId(temp)} AS s WHERE NOT EXISTS (SELECT 1 FROM ${quoteId(schema.name)} AS t WHERE ${sameKey})`;
        // The server refuses the INSERT for a missing NOT NULL column even when it would insert no row.
        const [[{ n }]] = await s.sql.query<(RowDataPacket & { n: string | number })[]>(`SELECT COUNT(*) AS n ${missing}`);
        if (Number(n) === 0) return;
        await s.sql.query(
          `INSERT INTO ${quoteId(schema.name)} (${quoteList(names)}) SELECT ${quoteList(names)} ${missing} ` +
            `ON DUPLICATE KEY UPDATE ${assignments.join(', ')}`,
        );
      });
    } finally {
      await s.sql.query(`DROP TEMPORARY TABLE IF EXISTS ${quoteId(temp)}`);
    }
  }

  /** One INSERT per row in one transaction, each key the AUTO_INCREMENT column generated read back (`insertId`). */
  async insertGenerated(table: string, batch: RowBatch): Promise<string[]> {
    if (batch.rows.length === 0) return [];
    const schema = await this.schemas.get(table);
    const columns = pickColumns(schema, batch.columns);
    const context = errorContext(schema.name, schema.columns);
    const sql = `INSERT INTO ${quoteId(schema.name)} (${quoteList(columns.map((c) => c.name))}) VALUES (${columns.map(() => '?').join(', ')})`;
    try {
      return await this.pool.withSession((s) =>
        inTransaction(s, async () => {
          const keys: string[] = [];
          for (const row of batch.rows) {
            const [result] = await s.sql.query<ResultSetHeader>(sql, keyParams(columns, [row]));
            keys.push(String(result.insertId));
          }
          return keys;
        }),
      );
    } catch (err) {
      throw translateMysqlError(err, context);
    }
  }

  async deleteByKeys(table: string, keyColumns: readonly string[], keys: readonly (readonly Value[])[]): Promise<number> {
    if (keys.length === 0) return 0;
    const schema = await this.schemas.get(table);
    const keyCols = pickColumns(schema, keyColumns);
    const sql = `DELETE FROM ${quoteId(schema.name)} WHERE ${keyInList(
      keyCols.map((c) => c.name),
      keys.length,
    )}`;
    try {
      return await this.pool.withSession(async (s) => {
        const [result] = await s.sql.query<ResultSetHeader>(sql, keyParams(keyCols, keys));
        return result.affectedRows;
      });
    } catch (err) {
      throw translateMysqlError(err, errorContext(schema.name, schema.columns));
    }
  }

  async close(): Promise<void> {
    // Nothing buffered: every write is committed before it returns.
  }
}
