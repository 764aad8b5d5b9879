import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import pgCopy from 'pg-copy-streams';
import { CrmError } from '../../core/errors/index.js';
import type { RowBatch, TableSchema, Value } from '../../core/types.js';
import type { CreateTableOptions, WriteOptions, Writer } from '../contract.js';
import type { PostgresCatalog } from './postgres-catalog.js';
import { copyTextChunks } from './postgres-copy-encoder.js';
import type { PostgresDatabase } from './postgres-database.js';
import { createTablesDdl } from './postgres-ddl.js';
import { ident, identList } from './postgres-identifiers.js';
import { keySetCondition } from './postgres-key-set.js';

/** Session-local staging table of an upsert; dropped at commit, so concurrent writers never meet. */
const STAGING_TABLE = 'crmbridge_upsert_staging';

/**
 * Writes through COPY FROM STDIN, one transaction per call: a failing row rolls back the whole
 * batch, and the error names the row (`location.row`) when the server reports it.
 */
export class PostgresWriter implements Writer {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly catalog: PostgresCatalog,
  ) {}

  ddl(tables: readonly TableSchema[], options?: CreateTableOptions): string[] {
    return createTablesDdl(this.db.schema, tables, options);
  }

  /** All statements in one transaction (PostgreSQL DDL is transactional): all tables or none. */
  async createTables(tables: readonly TableSchema[], options?: CreateTableOptions): Promise<void> {
    const statements = this.ddl(tables, options);
    try {
      await this.db.transaction(undefined, async (client) => {
        for (const statement of statements) await client.query(statement);
      });
    } finally {
      this.catalog.forget();
    }
  }

  async write(table: string, batch: RowBatch, options: WriteOptions): Promise<number> {
    if (batch.rows.length === 0) return 0;
    if (options.mode === 'insert') {
      return this.db.transaction(table, (client) => copyRows(client, this.db.table(table), table, batch));
    }
    const key = options.key ?? [];
    const missing = key.length === 0 ? ['(none given)'] : key.filter((k) => !batch.columns.includes(k));
    if (missing.length > 0) {
      throw new CrmError('CRM_C1003', `an upsert needs its key columns in the batch; missing: ${missing.join(', ')}`, {
        location: { connector: 'postgres', table },
      });
    }
    return this.db.transaction(table, (client) => this.upsert(client, table, batch, key));
  }

  async deleteByKeys(table: string, keyColumns: readonly string[], keys: readonly (readonly Value[])[]): Promise<number> {
    if (keys.length === 0) return 0;
    const condition = await keySetCondition(this.catalog, table, keyColumns, keys);
    return this.db.execute(`DELETE FROM ${this.db.table(table)} WHERE ${condition.sql}`, condition.params, table);
  }

  /** The pool belongs to the connector; a writer holds nothing between calls. */
  async close(): Promise<void> {}

  /**
   * COPY into a staging table shaped like the target's batch columns, then one
   * INSERT … ON CONFLICT (key) DO UPDATE that sets only the batch's non-key columns, so columns
   * the batch does not carry keep their values. Identity values in the batch are kept as given.
   */
  private async upsert(client: PoolClient, table: string, batch: RowBatch, key: readonly string[]): Promise<number> {
    const target = this.db.table(table);
    const columns = identList(batch.columns);
    const staging = ident(STAGING_TABLE);
    await client.query(`CREATE TEMPORARY TABLE ${staging} ON COMMIT DROP AS SELECT ${columns} FROM ${target} WITH NO DATA`);
    await copyRows(client, staging, table, batch);
    const updates = batch.columns.filter((c) => !key.includes(c)).map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`);
    const onConflict = updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
    const result = await client.query(
      `INSERT INTO ${target} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${columns} FROM ${staging} ON CONFLICT (${identList(key)}) ${onConflict}`,
    );
    return result.rowCount ?? 0;
  }
}

async function copyRows(client: PoolClient, target: string, table: string, batch: RowBatch): Promise<number> {
  const copy = client.query(pgCopy.from(`COPY ${target} (${identList(batch.columns)}) FROM STDIN`));
  await pipeline(Readable.from(copyTextChunks(batch.rows, batch.columns, table)), copy);
  return copy.rowCount;
}
