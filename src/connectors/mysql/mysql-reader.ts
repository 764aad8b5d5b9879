import type { Readable } from 'node:stream';
import type { RowDataPacket } from 'mysql2';
import { CrmError } from '../../core/errors/index.js';
import type { CanonicalKind, CanonicalType, ColumnSchema, Row, RowBatch, TableSchema, Value } from '../../core/types.js';
import type { ReadBatch, ReadOptions, ReadReject } from '../contract.js';
import { BatchBudget } from '../shared/batch-budget.js';
import { type KeySplitDialect, keySplitSql } from '../shared/key-split.js';
import { readCancelled } from '../shared/read-cancelled.js';
import { translateMysqlError } from './mysql-errors.js';
import type { MysqlPool } from './mysql-pool.js';
import { type DecodeResult, rowDecoder } from './mysql-row-decoder.js';
import { pickColumns, type SchemaCache } from './mysql-schema-cache.js';
import { keyInList, quoteId, quoteList, tuple } from './mysql-sql.js';
import { codecFor } from './mysql-value-codecs.js';
import type { ZeroDatePolicy } from './mysql-zero-dates.js';

const DEFAULT_BATCH = 1000;
/**
 * Keys per `IN (…)` lookup, and lookups run at once on separate sessions. InnoDB reads pages
 * missing from its buffer pool one at a time per statement (with O_DIRECT, from the disk): 2,000
 * keys into a table larger than the pool took 154 ms as one statement and 31 ms as eight run
 * at once (MariaDB 10.11, 1M-contact sample). Small statements also stay far below max_allowed_packet.
 */
const KEYS_PER_LOOKUP = 250;
const LOOKUPS_AT_ONCE = 6;
// LIMIT is required for OFFSET in MySQL; this is its documented "no limit".
const NO_LIMIT = '18446744073709551615';

/**
 * `quoteId` is how `read` names its ORDER BY columns: their collations order the cuts as they
 * order (and compare) the ranges. `/` would be a decimal division.
 */
const SPLIT_DIALECT: KeySplitDialect = { connector: 'mysql', quote: quoteId, div: (a, b) => `${a} DIV ${b}` };

const interrupted = (table: string) => readCancelled({ connector: 'mysql', table });

/** Reads rows: streamed scans with key ranges, key lookups and counts. */
export class MysqlReader {
  constructor(
    private readonly pool: MysqlPool,
    private readonly schemas: SchemaCache,
    private readonly zeroDates: ZeroDatePolicy,
  ) {}

  /**
   * Streams the table with bounded memory: the driver pauses the socket when the stream's buffer
   * (one batch) is full, and the consumer pulls. The scan runs in a consistent read-only snapshot.
   */
  async *read(table: string, options: ReadOptions = {}): AsyncIterable<ReadBatch> {
    const { signal } = options;
    if (signal?.aborted) throw interrupted(table);
    const schema = await this.schemas.get(table);
    const columns = pickColumns(schema, options.columns);
    const { sql, params } = scanSql(schema, columns, options);
    // Batches and type hints use the names asked for: a column over 64 bytes is stored shortened.
    const names = options.columns ? [...options.columns] : columns.map((c) => c.name);
    const decode = rowDecoder(
      schema.name,
      columns.map((c, i) => withHint(c, options.types?.[names[i]])),
      this.zeroDates,
    );
    const budget = new BatchBudget(options, DEFAULT_BATCH);

    const session = await this.pool.acquireScan();
    let stream: Readable | undefined;
    let finished = false;
    const onAbort = () => stream?.destroy(interrupted(table));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await session.sql.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      stream = session.raw.query({ sql, values: params, rowsAsArray: true }).stream({ highWaterMark: budget.rows });
      let rows: Row[] = [];
      let rejects: ReadReject[] = [];
      for await (const raw of stream) {
        const result = decode(raw as unknown[]);
        let full: boolean;
        if ('row' in result) {
          rows.push(result.row);
          full = budget.add(result.row);
        } else {
          rejects.push(result.reject);
          full = budget.add(result.reject.raw ?? '');
        }
        if (full) {
          yield rejects.length > 0 ? { columns: names, rows, rejects } : { columns: names, rows };
          rows = [];
          rejects = [];
        }
      }
      if (rows.length > 0 || rejects.length > 0) yield rejects.length > 0 ? { columns: names, rows, rejects } : { columns: names, rows };
      await session.sql.query('COMMIT');
      finished = true;
    } catch (err) {
      throw translateMysqlError(err, { table });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // A scan left half-read would keep rows coming on this connection: drop it instead of reusing it.
      if (finished) session.raw.release();
      else {
        stream?.destroy();
        session.raw.destroy();
      }
    }
  }

  async checkWhere(table: string, where: string): Promise<void> {
    const schema = await this.schemas.get(table);
    try {
      await this.pool.withSession((s) => s.sql.query(`SELECT 1 FROM ${quoteId(schema.name)} WHERE (${where}) LIMIT 0`));
    } catch (err) {
      throw translateMysqlError(err, { table });
    }
  }

  async count(table: string, options: { where?: string } = {}): Promise<number> {
    const schema = await this.schemas.get(table);
    const where = options.where ? ` WHERE ${options.where}` : '';
    try {
      return await this.pool.withSession(async (s) => {
        const [rows] = await s.sql.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${quoteId(schema.name)}${where}`);
        return Number(rows[0].n);
      });
    } catch (err) {
      throw translateMysqlError(err, { table });
    }
  }

  async readByKeys(
    table: string,
    keyColumns: readonly string[],
    keys: readonly (readonly Value[])[],
    columnNames?: readonly string[],
  ): Promise<RowBatch> {
    const schema = await this.schemas.get(table);
    const columns = pickColumns(schema, columnNames);
    const keyCols = pickColumns(schema, keyColumns);
    const decode = rowDecoder(schema.name, columns, this.zeroDates);
    const lookup = (chunk: readonly (readonly Value[])[]) =>
      this.pool.withSession(async (s) => {
        const sql = `SELECT ${selectList(columns)} FROM ${quoteId(schema.name)} WHERE ${keyInList(
          keyCols.map((c) => c.name),
          chunk.length,
        )}`;
        const [rows] = await s.sql.query({ sql, values: keyParams(keyCols, chunk), rowsAsArray: true });
        return (rows as unknown as unknown[][]).map((raw) => decodedRow(decode(raw), table));
      });
    const out: Row[] = [];
    try {
      for (let i = 0; i < keys.length; i += KEYS_PER_LOOKUP * LOOKUPS_AT_ONCE) {
        const wave: Promise<Row[]>[] = [];
        for (let j = i; j < Math.min(keys.length, i + KEYS_PER_LOOKUP * LOOKUPS_AT_ONCE); j += KEYS_PER_LOOKUP) {
          wave.push(lookup(keys.slice(j, j + KEYS_PER_LOOKUP)));
        }
        for (const rows of await Promise.all(wave)) for (const r of rows) out.push(r);
      }
    } catch (err) {
      throw translateMysqlError(err, { table });
    }
    return { columns: columnNames ? [...columnNames] : columns.map((c) => c.name), rows: out };
  }

  /** See `Connector.splitKeyRange`: the cut rows' keys decoded by the codecs `read` uses. */
  async splitKeyRange(table: string, key: readonly string[], parts: number, options: { where?: string } = {}): Promise<Value[][]> {
    const schema = await this.schemas.get(table);
    const keyCols = pickColumns(schema, key);
    const sql = keySplitSql(
      { table, from: quoteId(schema.name), key: keyCols.map((c) => c.name), parts, where: options.where },
      SPLIT_DIALECT,
    );
    if (!sql) return [];
    // The cuts are compared by the server, in the column's charset: its own conversion is what they need.
    const decode = rowDecoder(
      schema.name,
      keyCols.map(({ charset: _, ...c }) => c),
      this.zeroDates,
    );
    try {
      const [rows] = await this.pool.withSession((s) => s.sql.query({ sql, rowsAsArray: true }));
      return (rows as unknown as unknown[][]).map((raw) => decodedRow(decode(raw), table));
    } catch (err) {
      throw translateMysqlError(err, { table });
    }
  }
}

/** The decoded row; a value that cannot be decoded fails the whole call (CRM_R4003, or CRM_R4002 for bytes). */
function decodedRow(result: DecodeResult, table: string): Row {
  if ('row' in result) return result.row;
  throw new CrmError(result.reject.code, result.reject.message, {
    location: { connector: 'mysql', table, column: result.reject.column },
    value: result.reject.raw,
  });
}

/**
 * Where the catalog type says less than the data holds, the caller's declared type is used:
 * legacy schemas keep UUIDs in CHAR(36), JSON in TEXT, flags in TINYINT(4), UTC in DATETIME.
 * Only these widenings are honoured; any other hint would reinterpret the value, not refine it.
 */
const REFINEMENTS: Readonly<Partial<Record<CanonicalKind, readonly CanonicalKind[]>>> = {
  text: ['uuid', 'json', 'enum'],
  integer: ['boolean'],
  timestamp: ['timestamptz'],
};

function withHint(column: ColumnSchema, hint: CanonicalType | undefined): ColumnSchema {
  return hint && REFINEMENTS[column.type.kind]?.includes(hint.kind) ? { ...column, type: hint } : column;
}

/**
 * The select list: columns decoded here (`charset`) and opaque ones (GEOMETRY, which mysql2
 * would parse into objects) as their raw bytes, the others as the server converts them.
 */
function selectList(columns: readonly ColumnSchema[]): string {
  return columns.map((c) => (c.charset || c.type.kind === 'opaque' ? `CAST(${quoteId(c.name)} AS BINARY)` : quoteId(c.name))).join(', ');
}

/** Placeholder values for keys, each through its column's codec (exact comparisons). */
export function keyParams(keyCols: readonly ColumnSchema[], keys: readonly (readonly Value[])[]): unknown[] {
  const params = keyCols.map((c) => codecFor(c).param);
  const out: unknown[] = [];
  for (const key of keys) for (let i = 0; i < keyCols.length; i++) out.push(key[i] === null ? null : params[i](key[i]));
  return out;
}

function scanSql(schema: TableSchema, columns: readonly ColumnSchema[], options: ReadOptions): { sql: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (options.where) conditions.push(`(${options.where})`);
  const { keyRange } = options;
  const orderNames = options.orderBy ?? (keyRange ? schema.primaryKey : undefined);
  if (keyRange && !orderNames?.length) {
    throw new CrmError('CRM_S3004', `a key range on ${schema.name} needs orderBy columns (the table has no primary key)`, {
      location: { connector: 'mysql', table: schema.name },
    });
  }
  const order = orderNames ? pickColumns(schema, orderNames) : [];
  const orderTuple = tuple(order.map((c) => quoteId(c.name)));
  const bound = (op: string, values: readonly Value[]) => {
    conditions.push(`${orderTuple} ${op} ${tuple(order.map(() => '?'))}`);
    params.push(...keyParams(order, [values]));
  };
  if (keyRange?.after) bound('>', keyRange.after);
  if (keyRange?.upTo) bound('<=', keyRange.upTo);
  let sql = `SELECT ${selectList(columns)} FROM ${quoteId(schema.name)}`;
  if (conditions.length > 0) sql += ` WHERE ${conditions.join(' AND ')}`;
  if (order.length > 0) sql += ` ORDER BY ${quoteList(order.map((c) => c.name))}`;
  if (options.skip) sql += ` LIMIT ${NO_LIMIT} OFFSET ${Math.trunc(options.skip)}`;
  return { sql, params };
}
