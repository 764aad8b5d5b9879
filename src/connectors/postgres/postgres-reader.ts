import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { CrmError } from '../../core/errors/index.js';
import type { Row, RowBatch, Value } from '../../core/types.js';
import type { ReadBatch, ReadOptions } from '../contract.js';
import { BatchBudget } from '../shared/batch-budget.js';
import { type KeySplitDialect, keySplitSql } from '../shared/key-split.js';
import { readCancelled } from '../shared/read-cancelled.js';
import type { PostgresCatalog } from './postgres-catalog.js';
import type { PostgresDatabase } from './postgres-database.js';
import { rollback } from './postgres-database.js';
import { toCrmError } from './postgres-errors.js';
import { ident, identList } from './postgres-identifiers.js';
import { keySetCondition } from './postgres-key-set.js';

const DEFAULT_BATCH_SIZE = 2000;

/** bigint / bigint is integer division; `ident` is how `read` quotes its ORDER BY. */
const SPLIT_DIALECT: KeySplitDialect = { connector: 'postgres', quote: ident, div: (a, b) => `${a} / ${b}` };

/** Reads: streamed tables, counts, and rows by key. */
export class PostgresReader {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly catalog: PostgresCatalog,
  ) {}

  /**
   * Streams through a server-side cursor, `batchSize` rows per fetch, inside one REPEATABLE READ
   * READ ONLY transaction (one consistent snapshot for the whole table). The cursor fetches the
   * next rows only when the consumer pulls, so memory holds about two batches at most.
   * `options.types` is not needed: the catalog types decide each value's JS form.
   */
  async *read(table: string, options: ReadOptions = {}): AsyncGenerator<ReadBatch> {
    const { signal } = options;
    throwIfAborted(signal, table);
    const budget = new BatchBudget(options, DEFAULT_BATCH_SIZE);
    const columns = options.columns ?? (await this.catalog.columns(table)).map((c) => c.name);
    const { sql, params } = this.selectStatement(table, columns, options);
    const client = await this.db.connectScan(table);
    let stream: QueryStream | undefined;
    let completed = false;
    const onAbort = () => stream?.destroy(readCancelled({ connector: 'postgres', table }));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      stream = client.query(new QueryStream(sql, params as unknown[], { batchSize: budget.rows, rowMode: 'array' }));
      let rows: Row[] = [];
      for await (const row of stream) {
        rows.push(row as Row);
        if (budget.add(row as Row)) {
          yield { columns, rows };
          rows = [];
          throwIfAborted(signal, table);
        }
      }
      if (rows.length > 0) yield { columns, rows };
      await client.query('COMMIT');
      completed = true;
    } catch (err) {
      throw toCrmError(err, this.db.errorContext(table));
    } finally {
      signal?.removeEventListener('abort', onAbort);
      client.release(completed ? undefined : await abandon(client, stream));
    }
  }

  async count(table: string, options: { where?: string } = {}): Promise<number> {
    const where = options.where ? ` WHERE (${options.where})` : '';
    const rows = await this.db.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${this.db.table(table)}${where}`, [], table);
    return Number(rows[0].n);
  }

  async checkWhere(table: string, where: string): Promise<void> {
    await this.db.query(`SELECT 1 FROM ${this.db.table(table)} WHERE (${where}) LIMIT 0`, [], table);
  }

  async readByKeys(
    table: string,
    keyColumns: readonly string[],
    keys: readonly (readonly Value[])[],
    columns?: readonly string[],
  ): Promise<RowBatch> {
    const selected = columns ?? (await this.catalog.columns(table)).map((c) => c.name);
    if (keys.length === 0) return { columns: selected, rows: [] };
    const condition = await keySetCondition(this.catalog, table, keyColumns, keys);
    const rows = await this.db.queryRows(
      `SELECT ${identList(selected)} FROM ${this.db.table(table)} WHERE ${condition.sql}`,
      condition.params,
      table,
    );
    return { columns: selected, rows };
  }

  /** See `Connector.splitKeyRange`: the cut rows' keys through the pool's type parsers, as `read` hands them out. */
  async splitKeyRange(table: string, key: readonly string[], parts: number, options: { where?: string } = {}): Promise<Value[][]> {
    const sql = keySplitSql({ table, from: this.db.table(table), key, parts, where: options.where }, SPLIT_DIALECT);
    return sql ? this.db.queryRows(sql, [], table) : [];
  }

  /** `SELECT … WHERE (<where>) AND (k…) > ($…) AND (k…) <= ($…) ORDER BY k…`: keyset paging on the key index. */
  private selectStatement(table: string, columns: readonly string[], options: ReadOptions): { sql: string; params: Value[] } {
    const conditions: string[] = [];
    const params: Value[] = [];
    if (options.where) conditions.push(`(${options.where})`);
    const range = options.keyRange;
    const keys = options.orderBy ?? [];
    const bound = (operator: string, values: readonly Value[] | undefined) => {
      if (!values) return;
      if (values.length !== keys.length) {
        throw new CrmError('CRM_C1003', `a key range bound needs one value per orderBy column (${keys.join(', ')})`, {
          location: { connector: 'postgres', table },
        });
      }
      const placeholders = values.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      conditions.push(`(${identList(keys)}) ${operator} (${placeholders.join(', ')})`);
    };
    bound('>', range?.after);
    bound('<=', range?.upTo);
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    const order = keys.length > 0 ? ` ORDER BY ${identList(keys)}` : '';
    let offset = '';
    if (options.skip) {
      params.push(options.skip);
      offset = ` OFFSET $${params.length}`;
    }
    return { sql: `SELECT ${identList(columns)} FROM ${this.db.table(table)}${where}${order}${offset}`, params };
  }
}

function throwIfAborted(signal: AbortSignal | undefined, table: string): void {
  if (signal?.aborted) throw readCancelled({ connector: 'postgres', table });
}

/**
 * Leaves a read that stopped early (consumer break, abort, error): closes the cursor, then rolls
 * back. Returns an error when the connection is in doubt, so the pool discards it.
 */
async function abandon(client: PoolClient, stream: QueryStream | undefined): Promise<Error | undefined> {
  if (stream && !stream.closed) {
    const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
    stream.destroy();
    await closed;
  }
  return rollback(client);
}
