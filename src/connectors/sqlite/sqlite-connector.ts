import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { CrmError } from '../../core/errors/index.js';
import type { DatabaseSchema, Row, RowBatch, Value } from '../../core/types.js';
import type { Capabilities, ChecksumRequest, ChecksumSession, Connector, ReadBatch, ReadOptions, Writer } from '../contract.js';
import { type KeySplitDialect, keySplitSql } from '../shared/key-split.js';
import { openSqliteChecksum } from './sqlite-checksum.js';
import { translateSqliteError, withSqliteErrors } from './sqlite-errors.js';
import { introspectTable, listTables } from './sqlite-introspector.js';
import { projection, readTable, textCheck } from './sqlite-reader.js';
import { identList, parenList, placeholders, quoteIdent } from './sqlite-sql.js';
import { type SqliteValue, toSqliteParam } from './sqlite-values.js';
import { SqliteWriter } from './sqlite-writer.js';

export const MEMORY = ':memory:';

/** SQLite's default limit on bound parameters is 32766; stay well below it. */
const MAX_PARAMS = 30000;
const BUSY_TIMEOUT_MS = 5000;

/** Integer / integer is integer division; `quoteIdent` is how `read` names its ORDER BY columns. */
const SPLIT_DIALECT: KeySplitDialect = { connector: 'sqlite', quote: quoteIdent, div: (a, b) => `${a} / ${b}` };

const CAPABILITIES: Capabilities = {
  dialect: 'sqlite',
  maxIdentifierLength: Number.POSITIVE_INFINITY,
  keyRanges: true,
  writable: true,
  atomicBatches: true,
};

/**
 * One SQLite file (or an in-memory database). A missing file is an error for reading (CRM_C1004)
 * but is created by `writer()`, so the same connector serves as a new target. The file is never
 * changed merely by reading: WAL mode and foreign-key enforcement are set only for writing.
 */
export class SqliteConnector implements Connector {
  readonly name = 'sqlite';
  readonly capabilities = CAPABILITIES;
  readonly displayName: string;
  private db: Database.Database | undefined;

  constructor(private readonly path: string) {
    this.displayName = `sqlite:${path}`;
    if (path === MEMORY || existsSync(path)) this.db = openHandle(path, { create: true });
  }

  async introspect(options: { tables?: readonly string[] } = {}): Promise<DatabaseSchema> {
    const db = this.handle();
    const names = options.tables ?? listTables(db).map((t) => t.name);
    return { tables: names.map((name) => withSqliteErrors({ table: name }, () => introspectTable(db, name))) };
  }

  /**
   * File databases stream through a read-only handle of their own, so that the open cursor never
   * blocks `count`, `readByKeys` or writes on this connector meanwhile (better-sqlite3 refuses
   * other statements on a connection that is iterating). An in-memory database has only one.
   */
  async *read(table: string, options: ReadOptions = {}): AsyncIterable<ReadBatch> {
    const main = this.handle();
    const own = this.path === MEMORY ? undefined : openHandle(this.path, { create: false, readonly: true });
    try {
      yield* readTable(own ?? main, table, options);
    } finally {
      own?.close();
    }
  }

  async checkWhere(table: string, where: string): Promise<void> {
    const db = this.handle();
    // Preparing compiles the statement (names, syntax) without running it.
    withSqliteErrors({ table }, () => db.prepare(`SELECT 1 FROM ${quoteIdent(table)} WHERE (${where}) LIMIT 0`));
  }

  async count(table: string, options: { where?: string } = {}): Promise<number> {
    const db = this.handle();
    const where = options.where ? ` WHERE (${options.where})` : '';
    const n = withSqliteErrors({ table }, () =>
      db
        .prepare(`SELECT count(*) FROM ${quoteIdent(table)}${where}`)
        .pluck()
        .safeIntegers(true)
        .get(),
    ) as bigint;
    return Number(n);
  }

  async readByKeys(
    table: string,
    keyColumns: readonly string[],
    keys: readonly (readonly Value[])[],
    columns?: readonly string[],
  ): Promise<RowBatch> {
    const db = this.handle();
    const proj = projection(db, table, columns);
    const { select, restore } = textCheck(db, table, proj.columns);
    const rows: Row[] = [];
    const perChunk = Math.max(1, Math.floor(MAX_PARAMS / keyColumns.length));
    const tuple = placeholders(keyColumns.length);
    for (let start = 0; start < keys.length; start += perChunk) {
      const chunk = keys.slice(start, start + perChunk);
      const list = keyColumns.length === 1 ? `IN (${chunk.map(() => '?').join(', ')})` : `IN (VALUES ${chunk.map(() => tuple).join(', ')})`;
      const sql = `SELECT ${select}${identList(proj.columns)} FROM ${quoteIdent(table)} WHERE ${parenList(keyColumns)} ${list}`;
      const params = chunk.flatMap((key) => key.map(toSqliteParam));
      const found = withSqliteErrors({ table }, () => db.prepare(sql).raw(true).safeIntegers(true).all(params)) as SqliteValue[][];
      for (const raw of found) {
        restore(raw);
        rows.push(proj.decode(raw));
      }
    }
    return { columns: proj.columns, rows };
  }

  /** See `Connector.splitKeyRange`: the cut rows' keys through the decoders `read` uses (the declared column types). */
  async splitKeyRange(table: string, key: readonly string[], parts: number, options: { readonly where?: string } = {}): Promise<Value[][]> {
    const sql = keySplitSql({ table, from: quoteIdent(table), key, parts, where: options.where }, SPLIT_DIALECT);
    if (!sql) return [];
    const db = this.handle();
    const proj = projection(db, table, key);
    const found = withSqliteErrors({ table }, () => db.prepare(sql).raw(true).safeIntegers(true).all()) as SqliteValue[][];
    return found.map((raw) => proj.decode(raw));
  }

  /** On its own read-only handle (file databases), like `read`: the session's transaction blocks nothing else here. */
  async openChecksum(request: ChecksumRequest): Promise<ChecksumSession | undefined> {
    const own = this.path === MEMORY ? undefined : openHandle(this.path, { create: false, readonly: true });
    return openSqliteChecksum(own ?? this.handle(), request, own);
  }

  async writer(): Promise<Writer> {
    if (!this.db) {
      if (!existsSync(dirname(this.path))) {
        throw new CrmError('CRM_C1004', `the folder for ${this.path} does not exist`, {
          location: { connector: 'sqlite', file: this.path },
        });
      }
      this.db = openHandle(this.path, { create: true });
    }
    const db = this.db;
    withSqliteErrors({}, () => {
      // WAL lets readers go on while a batch commits. synchronous=NORMAL in WAL mode never loses
      // a committed transaction when the process crashes; on power loss or an OS crash the last
      // transactions may roll back (the file stays consistent), and the engine's checkpoints,
      // written after the target commit, make a resume rewrite them.
      if (this.path !== MEMORY) db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
    });
    return new SqliteWriter(db);
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  private handle(): Database.Database {
    if (!this.db) {
      if (!existsSync(this.path)) {
        throw new CrmError('CRM_C1004', `no SQLite file at ${this.path}`, { location: { connector: 'sqlite', file: this.path } });
      }
      this.db = openHandle(this.path, { create: true });
    }
    return this.db;
  }
}

/**
 * Page cache of a handle, in KiB (better-sqlite3 builds SQLite with 16 MB). A migration opens
 * several handles in each of its threads (one per streaming read, one for lookups and writes);
 * at 16 MB each they held ~80 MiB of the 100k SQLite → SQLite run's peak RSS (357 → 276 MiB
 * with these, same speed: pages missing from the cache come from the OS's file cache). The
 * read-only handles only stream (reads, checksums), which needs next to no cache.
 */
const CACHE_KIB = 4096;
const STREAMING_CACHE_KIB = 2048;

function openHandle(path: string, options: { create: boolean; readonly?: boolean }): Database.Database {
  try {
    const db = new Database(path, { fileMustExist: !options.create, readonly: options.readonly ?? false, timeout: BUSY_TIMEOUT_MS });
    db.pragma(`cache_size = -${options.readonly ? STREAMING_CACHE_KIB : CACHE_KIB}`);
    // Fail now, not at the first query, when the file is not a database.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (err) {
    throw translateSqliteError(err, { file: path });
  }
}

/** `sqlite:path`, `sqlite:///abs/path`, `sqlite://rel/path`, `sqlite::memory:` → a file path or MEMORY. */
export function sqlitePath(resolved: string): string {
  const rest = resolved.replace(/^sqlite:/i, '');
  if (rest === MEMORY || rest === '') return MEMORY;
  return resolve(rest.startsWith('//') ? rest.slice(2) : rest);
}
