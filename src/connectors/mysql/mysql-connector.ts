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
import { MysqlChangeFeed } from './mysql-changes.js';
import { openMysqlChecksum } from './mysql-checksum.js';
import { translateMysqlError } from './mysql-errors.js';
import { evaluateMysql } from './mysql-evaluate.js';
import { introspectDatabase } from './mysql-introspector.js';
import type { MysqlPool, MysqlTarget } from './mysql-pool.js';
import { MysqlReader } from './mysql-reader.js';
import { SchemaCache } from './mysql-schema-cache.js';
import { MAX_IDENTIFIER_BYTES } from './mysql-sql.js';
import { lockMysqlTarget } from './mysql-target-lock.js';
import { MysqlWriter } from './mysql-writer.js';

const CAPABILITIES: Capabilities = {
  dialect: 'mysql',
  maxIdentifierLength: MAX_IDENTIFIER_BYTES,
  keyRanges: true,
  writable: true,
  atomicBatches: true,
};

/** MySQL / MariaDB through one mysql2 pool. */
export class MysqlConnector implements Connector {
  readonly name = 'mysql';
  readonly capabilities = CAPABILITIES;
  private readonly schemas: SchemaCache;
  private readonly reader: MysqlReader;

  readonly displayName: string;

  constructor(
    private readonly pool: MysqlPool,
    private readonly target: MysqlTarget,
  ) {
    this.displayName = target.displayName;
    this.schemas = new SchemaCache(pool, target.encodings);
    this.reader = new MysqlReader(pool, this.schemas, target.zeroDates);
  }

  async introspect(options: { tables?: readonly string[] } = {}): Promise<DatabaseSchema> {
    try {
      return await this.pool.withSession((s) => introspectDatabase(s, this.pool.flavour, this.target.encodings, options.tables));
    } catch (err) {
      throw translateMysqlError(err);
    }
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
    return openMysqlChecksum(this.pool, request, this.target.encodings);
  }

  evaluate(
    table: string,
    expressions: readonly string[],
    columns: readonly string[],
    rows: readonly (readonly Value[])[],
  ): Promise<(boolean | null)[][]> {
    return evaluateMysql(this.pool, this.schemas, table, expressions, columns, rows);
  }

  async writer(): Promise<Writer> {
    return new MysqlWriter(this.pool, this.schemas);
  }

  changes(options: ChangeFeedOptions): ChangeFeed {
    return new MysqlChangeFeed(this.pool, this.target, this.schemas, options);
  }

  lockTarget(command: string): Promise<TargetLock> {
    return lockMysqlTarget(this.pool, command);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
