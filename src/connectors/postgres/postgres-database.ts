import pg, { type PoolClient, type QueryResultRow } from 'pg';
import type { Row } from '../../core/types.js';
import type { PostgresConfig } from './postgres-config.js';
import { type ErrorContext, toCrmError } from './postgres-errors.js';
import { qualifiedName } from './postgres-identifiers.js';

/**
 * The pool and the few ways this connector uses it. Every driver call goes through here, so
 * every failure leaves as a CrmError naming the server and table, and clients are always released.
 */
export class PostgresDatabase {
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly server: string;

  constructor(config: PostgresConfig) {
    this.schema = config.schema;
    this.server = `${config.host}:${config.port}`;
    this.pool = new pg.Pool(config.pool);
    // An idle client losing its connection is removed by the pool; without a listener the
    // 'error' event would crash the process. The next query reports the failure if it persists.
    this.pool.on('error', () => {});
  }

  /** The schema-qualified, quoted name of a table. */
  table(name: string): string {
    return qualifiedName(this.schema, name);
  }

  errorContext(table?: string, column?: string): ErrorContext {
    return { server: this.server, ...(table ? { table } : {}), ...(column ? { column } : {}) };
  }

  async query<R extends QueryResultRow>(sql: string, params: readonly unknown[], table?: string): Promise<R[]> {
    try {
      const result = await this.pool.query<R>(sql, params as unknown[]);
      return result.rows;
    } catch (err) {
      throw toCrmError(err, this.errorContext(table));
    }
  }

  /** Rows as positional arrays, in the canonical JS forms (the pool's type parsers). */
  async queryRows(sql: string, params: readonly unknown[], table?: string): Promise<Row[]> {
    try {
      const result = await this.pool.query<Row>({ text: sql, values: params as unknown[], rowMode: 'array' });
      return result.rows;
    } catch (err) {
      throw toCrmError(err, this.errorContext(table));
    }
  }

  /** Runs one statement; returns the number of rows it affected. */
  async execute(sql: string, params: readonly unknown[], table?: string): Promise<number> {
    try {
      const result = await this.pool.query(sql, params as unknown[]);
      return result.rowCount ?? 0;
    } catch (err) {
      throw toCrmError(err, this.errorContext(table));
    }
  }

  async connect(table?: string): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw toCrmError(err, this.errorContext(table));
    }
  }

  /**
   * Runs `work` in one transaction on one client: committed when it resolves, rolled back when it
   * throws. A client whose rollback fails is destroyed rather than returned to the pool.
   */
  async transaction<T>(table: string | undefined, work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const client = await this.connect(table);
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      broken = await rollback(client);
      throw toCrmError(err, this.errorContext(table));
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Rolls back; returns the error when the connection is unusable (so the caller discards it). */
export async function rollback(client: PoolClient): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
