import pg, { type PoolClient, type QueryResultRow } from 'pg';
import type { Row } from '../../core/types.js';
import type { PostgresConfig } from './postgres-config.js';
import { type ErrorContext, toCrmError } from './postgres-errors.js';
import { qualifiedName } from './postgres-identifiers.js';

/**
 * The pools and the few ways this connector uses them. Every driver call goes through here, so
 * every failure leaves as a CrmError naming the server and table, and clients are always released.
 *
 * Scans (cursors, checksum snapshots) hold their client while their consumer works, and the
 * consumer looks keys up meanwhile: they take clients from a pool of their own, with no limit
 * (their number is bounded by the engine's parallelism), so statements never wait behind open
 * scans — with as many scans as pooled clients they would wait forever.
 */
export class PostgresDatabase {
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly scans: pg.Pool;
  private readonly server: string;

  constructor(config: PostgresConfig) {
    this.schema = config.schema;
    this.server = `${config.host}:${config.port}`;
    this.pool = new pg.Pool(config.pool);
    this.scans = new pg.Pool({ ...config.pool, max: Number.POSITIVE_INFINITY });
    // An idle client losing its connection is removed by the pool; without a listener the
    // 'error' event would crash the process. The next query reports the failure if it persists.
    for (const pool of [this.pool, this.scans]) pool.on('error', () => {});
  }

  /** The schema-qualified, quoted name of a table. */
  table(name: string): string {
    return qualifiedName(this.schema, name);
  }

  errorContext(table?: string): ErrorContext {
    return { server: this.server, ...(table ? { table } : {}) };
  }

  /** Rows as objects (catalog queries). */
  query<R extends QueryResultRow>(sql: string, params: readonly unknown[], table?: string): Promise<R[]> {
    return this.translated(table, async () => (await this.pool.query<R>(sql, [...params])).rows);
  }

  /** Rows as positional arrays, in the canonical JS forms (the pool's type parsers). */
  queryRows(sql: string, params: readonly unknown[], table?: string): Promise<Row[]> {
    return this.translated(table, async () => (await this.pool.query<Row>({ text: sql, values: [...params], rowMode: 'array' })).rows);
  }

  /** Runs one statement; returns the number of rows it affected. */
  execute(sql: string, params: readonly unknown[], table?: string): Promise<number> {
    return this.translated(table, async () => (await this.pool.query(sql, [...params])).rowCount ?? 0);
  }

  /** A client for statements run one after another and released at once (a transaction). */
  connect(table?: string): Promise<PoolClient> {
    return this.translated(table, () => this.pool.connect());
  }

  /** A client for a scan or snapshot that stays open while its consumer does other work. */
  connectScan(table?: string): Promise<PoolClient> {
    return this.translated(table, () => this.scans.connect());
  }

  /**
   * Runs `work` in one transaction on one client: committed when it resolves, rolled back when it
   * throws. A client whose rollback fails is destroyed rather than returned to the pool.
   */
  async transaction<T>(table: string | undefined, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect(table);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
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
    await Promise.all([this.pool.end(), this.scans.end()]);
  }

  private async translated<T>(table: string | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw toCrmError(err, this.errorContext(table));
    }
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
