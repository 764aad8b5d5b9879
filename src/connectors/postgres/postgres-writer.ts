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
import { completeTablesDdl, createTablesDdl } from './postgres-ddl.js';
import { ident, identList } from './postgres-identifiers.js';
import { keySetCondition } from './postgres-key-set.js';
import { duplicateKeyRow, withFailingRow } from './postgres-row-locator.js';

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

  async createTables(tables: readonly TableSchema[], options?: CreateTableOptions): Promise<void> {
    await this.runDdl(this.ddl(tables, options));
  }

  async refreshStatistics(tables: readonly string[]): Promise<void> {
    if (tables.length > 0) await this.db.execute(`ANALYZE ${tables.map((t) => this.db.table(t)).join(', ')}`, [], undefined);
  }

  /**
   * The tables on both sides of each foreign key are analysed first: freshly loaded tables have
   * no statistics, and without them the check's join can be planned as a loop over one table per
   * row of the other (minutes instead of a second for 100k rows).
   */
  async completeTables(tables: readonly TableSchema[]): Promise<void> {
    const involved = new Set(
      tables.flatMap((t) => (t.foreignKeys.length > 0 ? [t.name, ...t.foreignKeys.map((fk) => fk.referencedTable)] : [])),
    );
    await this.refreshStatistics([...involved]);
    await this.runDdl(completeTablesDdl(this.db.schema, tables));
  }

  /** One statement: foreign keys among the tables do not block it (no CASCADE: others' keys do). */
  async dropTables(tables: readonly string[]): Promise<void> {
    if (tables.length > 0) await this.runDdl([`DROP TABLE ${tables.map((t) => this.db.table(t)).join(', ')}`]);
  }

  /** All statements in one transaction (PostgreSQL DDL is transactional): all of them or none. */
  private async runDdl(statements: readonly string[]): Promise<void> {
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
    try {
      if (options.mode === 'insert') {
        return await this.db.transaction(table, (client) => copyRows(client, this.db.table(table), table, batch));
      }
      const key = checkedUpsertKey(table, batch, options.key);
      return await this.db.transaction(table, (client) => this.upsert(client, table, batch, key));
    } catch (err) {
      throw err instanceof CrmError ? withFailingRow(err, batch) : err;
    }
  }

  /**
   * The keys are taken from the column's sequence (serial or identity) first, then the rows are
   * written with them through the upsert path (OVERRIDING SYSTEM VALUE), all in one transaction:
   * a rolled-back call only leaves a gap in the sequence.
   */
  async insertGenerated(table: string, batch: RowBatch, keyColumn: string): Promise<string[]> {
    if (batch.rows.length === 0) return [];
    return this.db.transaction(table, async (client) => {
      const reserved = await client.query<{ key: string | null }>(
        'SELECT nextval(pg_get_serial_sequence($1, $2))::text AS key FROM generate_series(1, $3)',
        [this.db.table(table), keyColumn, batch.rows.length],
      );
      const keys = reserved.rows.map((r) => r.key);
      if (keys.some((k) => k === null)) {
        throw new CrmError('CRM_N2006', `column ${keyColumn} of ${table} has no sequence: its values cannot be generated`, {
          location: { connector: 'postgres', table, column: keyColumn },
        });
      }
      const rows = batch.rows.map((row, i) => [keys[i], ...row]);
      await this.upsert(client, table, { columns: [keyColumn, ...batch.columns], rows }, [keyColumn]);
      return keys as string[];
    });
  }

  async advanceSequences(table: string): Promise<void> {
    const qualified = this.db.table(table);
    await this.db.transaction(table, async (client) => {
      const owned = await client.query<{ column: string; sequence: string }>(
        `SELECT a.attname AS column, pg_get_serial_sequence($1, a.attname) AS sequence
           FROM pg_attribute a
          WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
            AND pg_get_serial_sequence($1, a.attname) IS NOT NULL`,
        [qualified],
      );
      for (const { column, sequence } of owned.rows) {
        // setval(seq, m) makes the next value m + 1; only when the sequence is not already past m.
        await client.query(
          `SELECT setval($1, t.m) FROM (SELECT max(${ident(column)}) AS m FROM ${qualified}) AS t
            WHERE t.m IS NOT NULL AND t.m > COALESCE(pg_sequence_last_value($1::regclass), 0)`,
          [sequence],
        );
      }
    });
  }

  async deleteByKeys(table: string, keyColumns: readonly string[], keys: readonly (readonly Value[])[]): Promise<number> {
    if (keys.length === 0) return 0;
    const condition = await keySetCondition(this.catalog, table, keyColumns, keys);
    return this.db.execute(`DELETE FROM ${this.db.table(table)} WHERE ${condition.sql}`, condition.params, table);
  }

  /** The pool belongs to the connector; a writer holds nothing between calls. */
  async close(): Promise<void> {}

  /**
   * COPY into a staging table shaped like the batch's columns of the target, then UPDATE the rows
   * that exist (only the batch's non-key columns: the others keep their values) and INSERT the
   * rest. Not a single INSERT … ON CONFLICT: PostgreSQL checks NOT NULL on the proposed row
   * before it detects the conflict, so a batch without some NOT NULL column could not update.
   * The INSERT keeps ON CONFLICT for a row another session inserts meanwhile, and OVERRIDING
   * SYSTEM VALUE so identity values are kept as given.
   */
  private async upsert(client: PoolClient, table: string, batch: RowBatch, key: readonly string[]): Promise<number> {
    const target = this.db.table(table);
    const columns = identList(batch.columns);
    const staging = ident(STAGING_TABLE);
    await client.query(`CREATE TEMPORARY TABLE ${staging} ON COMMIT DROP AS SELECT ${columns} FROM ${target} WITH NO DATA`);
    await copyRows(client, staging, table, batch);
    // A temporary table has no statistics until analysed: without them the planner may join
    // it by scanning it once per target row (seconds per batch once the target is analysed).
    await client.query(`ANALYZE ${staging}`);
    const sameKey = key.map((k) => `t.${ident(k)} = s.${ident(k)}`).join(' AND ');
    const nonKey = batch.columns.filter((c) => !key.includes(c));
    const assignFrom = (source: string) => nonKey.map((c) => `${ident(c)} = ${source}.${ident(c)}`).join(', ');
    let updated = 0;
    if (nonKey.length > 0) {
      const result = await client.query(`UPDATE ${target} AS t SET ${assignFrom('s')} FROM ${staging} AS s WHERE ${sameKey}`);
      updated = result.rowCount ?? 0;
    }
    const onConflict = nonKey.length > 0 ? `DO UPDATE SET ${assignFrom('EXCLUDED')}` : 'DO NOTHING';
    const inserted = await client.query(
      `INSERT INTO ${target} AS t (${columns}) OVERRIDING SYSTEM VALUE
       SELECT ${columns} FROM ${staging} AS s WHERE NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE ${sameKey})
       ON CONFLICT (${identList(key)}) ${onConflict}`,
    );
    return updated + (inserted.rowCount ?? 0);
  }
}

/** The upsert key, checked: present in the batch, and each key value once (CRM_R4008 names the repeat). */
function checkedUpsertKey(table: string, batch: RowBatch, key: readonly string[] | undefined): readonly string[] {
  const missing = !key || key.length === 0 ? ['(none given)'] : key.filter((k) => !batch.columns.includes(k));
  if (!key || missing.length > 0) {
    throw new CrmError('CRM_C1003', `an upsert needs its key columns in the batch; missing: ${missing.join(', ')}`, {
      location: { connector: 'postgres', table },
    });
  }
  const repeat = duplicateKeyRow(batch, key);
  if (repeat >= 0) {
    throw new CrmError('CRM_R4008', `key (${key.join(', ')}) appears twice in the batch`, {
      location: { connector: 'postgres', table, row: repeat },
    });
  }
  return key;
}

async function copyRows(client: PoolClient, target: string, table: string, batch: RowBatch): Promise<number> {
  const copy = client.query(pgCopy.from(`COPY ${target} (${identList(batch.columns)}) FROM STDIN`));
  await pipeline(Readable.from(copyTextChunks(batch.rows, batch.columns, table)), copy);
  return copy.rowCount;
}
