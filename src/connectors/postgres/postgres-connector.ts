import type { DatabaseSchema, RowBatch, Value } from '../../core/types.js';
import type {
  Capabilities,
  ChangeFeed,
  ChangeFeedOptions,
  ChecksumRequest,
  ChecksumSession,
  Connector,
  ReadBatch,
  ReadOptions,
  TargetLock,
  Writer,
} from '../contract.js';
import { PostgresCatalog } from './postgres-catalog.js';
import { PostgresChangeFeed } from './postgres-changes.js';
import { openPostgresChecksum } from './postgres-checksum.js';
import type { PostgresConfig } from './postgres-config.js';
import { PostgresDatabase } from './postgres-database.js';
import { PostgresEvaluator } from './postgres-evaluate.js';
import { PG_MAX_IDENTIFIER_BYTES } from './postgres-identifiers.js';
import { introspect } from './postgres-introspector.js';
import { PostgresReader } from './postgres-reader.js';
import { lockPostgresTarget } from './postgres-target-lock.js';
import { PostgresWriter } from './postgres-writer.js';

const CAPABILITIES: Capabilities = {
  dialect: 'postgres',
  maxIdentifierLength: PG_MAX_IDENTIFIER_BYTES,
  keyRanges: true,
  writable: true,
  atomicBatches: true,
};

/** One PostgreSQL schema as a Connector: a pool shared by its reader, writer and introspector. */
export class PostgresConnector implements Connector {
  readonly name = 'postgres';
  readonly capabilities = CAPABILITIES;
  readonly displayName: string;
  private readonly db: PostgresDatabase;
  private readonly catalog: PostgresCatalog;
  private readonly reader: PostgresReader;
  private readonly evaluator: PostgresEvaluator;

  constructor(private readonly config: PostgresConfig) {
    this.displayName = config.displayName;
    this.db = new PostgresDatabase(config);
    this.catalog = new PostgresCatalog(this.db);
    this.reader = new PostgresReader(this.db, this.catalog);
    this.evaluator = new PostgresEvaluator(this.db);
  }

  /** Checks that the server answers and the database exists, so a bad URL fails at open. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1', []);
  }

  introspect(options?: { tables?: readonly string[] }): Promise<DatabaseSchema> {
    return introspect(this.db, options?.tables);
  }

  read(table: string, options?: ReadOptions): AsyncIterable<ReadBatch> {
    return this.reader.read(table, options);
  }

  count(table: string, options?: { where?: string }): Promise<number> {
    return this.reader.count(table, options);
  }

  checkWhere(table: string, where: string): Promise<void> {
    return this.reader.checkWhere(table, where);
  }

  readByKeys(
    table: string,
    keyColumns: readonly string[],
    keys: readonly (readonly Value[])[],
    columns?: readonly string[],
  ): Promise<RowBatch> {
    return this.reader.readByKeys(table, keyColumns, keys, columns);
  }

  splitKeyRange(table: string, key: readonly string[], parts: number, options?: { readonly where?: string }): Promise<Value[][]> {
    return this.reader.splitKeyRange(table, key, parts, options);
  }

  openChecksum(request: ChecksumRequest): Promise<ChecksumSession | undefined> {
    return openPostgresChecksum(this.db, request);
  }

  evaluate(
    table: string,
    expressions: readonly string[],
    columns: readonly string[],
    rows: readonly (readonly Value[])[],
  ): Promise<(boolean | null)[][]> {
    return this.evaluator.evaluate(table, expressions, columns, rows);
  }

  async writer(): Promise<Writer> {
    return new PostgresWriter(this.db, this.catalog);
  }

  changes(options: ChangeFeedOptions): ChangeFeed {
    return new PostgresChangeFeed(this.db, this.config, options);
  }

  lockTarget(command: string): Promise<TargetLock> {
    return lockPostgresTarget(this.db, command);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
