import type { CanonicalType, DatabaseSchema, RowBatch, TableSchema, Value } from '../core/types.js';

/**
 * The one contract every connector implements (postgres, mysql, sqlite, csv, json), and that the
 * conformance suite in `test/conformance/` checks for each. The engine is written against these
 * interfaces only; it never imports a connector folder.
 */

/** What a connector can do, as data: the engine asks these instead of testing connector names. */
export interface Capabilities {
  readonly dialect: 'postgres' | 'mysql' | 'sqlite' | 'csv' | 'json';
  /** Longest identifier in bytes (PostgreSQL 63, MySQL 64); longer names are shortened by `shortenIdentifier`. */
  readonly maxIdentifierLength: number;
  /** Can read rows in key order and restrict reads to a key range (SQL databases). */
  readonly keyRanges: boolean;
  /** Can write (create tables, insert, upsert, delete). */
  readonly writable: boolean;
  /** Each `write` call is atomic: it commits whole or not at all. */
  readonly atomicBatches: boolean;
}

/** Key bounds for a chunked read, on the key columns in order (tuple comparison). */
export interface KeyRange {
  /** Rows with key > after (exclusive). Undefined: from the start. */
  readonly after?: readonly Value[];
  /** Rows with key <= upTo (inclusive). Undefined: to the end. */
  readonly upTo?: readonly Value[];
}

export interface ReadOptions {
  /** Columns to read, in this order; all columns when omitted. */
  readonly columns?: readonly string[];
  /** Read in the order of these columns (required with `keyRange`). */
  readonly orderBy?: readonly string[];
  readonly keyRange?: KeyRange;
  /** A filter in the source's own SQL (`deleted = 0`); SQL connectors only. */
  readonly where?: string;
  /** Rows per yielded batch, at most. */
  readonly batchSize?: number;
  /**
   * Estimated bytes in memory per yielded batch, at most (default 16 MiB): a batch ends early
   * when its rows are large, and always holds at least one row.
   */
  readonly maxBatchBytes?: number;
  /** Skip this many records first (file connectors resume by record number). */
  readonly skip?: number;
  /**
   * Decode values as these canonical types. File connectors hold only text; with `types` they
   * yield typed values (cells that do not parse become read rejects). SQL connectors use their
   * catalog types and accept this as a hint for columns whose native type is lossy.
   */
  readonly types?: Readonly<Record<string, CanonicalType>>;
  readonly signal?: AbortSignal;
}

/** A record that could not be read (a malformed CSV line, bad bytes); reading goes on after it. */
export interface ReadReject {
  readonly code: 'CRM_R4001' | 'CRM_R4002' | 'CRM_R4003' | 'CRM_R4004' | 'CRM_R4017';
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  /** The raw text of the record, as far as it could be decoded. */
  readonly raw: string;
  readonly column?: string;
}

/** A batch from a reader: rows plus the records of the same stretch that could not be read. */
export interface ReadBatch extends RowBatch {
  /** Source line (files) of each row, parallel to `rows`; absent for databases. */
  readonly lines?: readonly number[];
  readonly rejects?: readonly ReadReject[];
}

export type WriteMode = 'insert' | 'upsert';

export interface WriteOptions {
  readonly mode: WriteMode;
  /** The key columns; required for upsert. */
  readonly key?: readonly string[];
}

export interface CreateTableOptions {
  /** Keep existing tables (CREATE TABLE IF NOT EXISTS); default true. */
  readonly ifNotExists?: boolean;
  /** Drop and recreate existing tables; never the default. */
  readonly dropExisting?: boolean;
  /** Create foreign keys as well (off when loading in an order the keys would block). */
  readonly foreignKeys?: boolean;
  /** Create the non-unique indexes as well (off when a bulk load builds them afterwards). Default true. */
  readonly secondaryIndexes?: boolean;
}

export interface Writer {
  /** The DDL that `createTables` would run, per dialect, without running it. */
  ddl(tables: readonly TableSchema[], options?: CreateTableOptions): string[];
  createTables(tables: readonly TableSchema[], options?: CreateTableOptions): Promise<void>;
  /**
   * Writes one batch through the fastest native path (COPY, LOAD DATA LOCAL INFILE, prepared
   * statements in one transaction). Atomic when `capabilities.atomicBatches`: on error nothing
   * of the batch is committed and a CrmError is thrown (the engine splits the batch to isolate
   * the bad rows). Returns the number of rows written.
   */
  write(table: string, batch: RowBatch, options: WriteOptions): Promise<number>;
  /**
   * Optional (SQL databases): inserts rows into a table whose single key column the database
   * generates (auto-increment, identity), the key left out of `batch`, in one transaction, and
   * returns each row's generated key as canonical text, in row order. Two-way sync uses it for
   * rows created in the target whose source key only the source can produce.
   */
  insertGenerated?(table: string, batch: RowBatch, keyColumn: string): Promise<string[]>;
  /**
   * Optional (databases with sequences): after rows were written with explicit values into
   * columns the database generates (serial, identity), moves those columns' sequences past the
   * highest value in the table, never backwards, so the application's next insert does not
   * collide with a migrated row. Databases whose counters follow explicit inserts by themselves
   * (MySQL/MariaDB AUTO_INCREMENT, SQLite rowid) do not need it.
   */
  advanceSequences?(table: string): Promise<void>;
  /**
   * Optional (databases whose planner needs statistics): gathers the tables' statistics after a
   * bulk load into them. Without them PostgreSQL planned pass 2's key lookups into a freshly
   * loaded table as a scan of the whole table per batch (about 1 s a batch at 100k rows).
   */
  refreshStatistics?(tables: readonly string[]): Promise<void>;
  /**
   * Optional: adds the tables' non-unique indexes and foreign keys that are not there yet
   * (idempotent), checking the rows already in the tables. A migration creates its new tables
   * without them (`secondaryIndexes: false, foreignKeys: false`) and completes them once loaded:
   * one index build and one check per table instead of work per written row.
   */
  completeTables?(tables: readonly TableSchema[]): Promise<void>;
  /**
   * Optional (databases): drops these tables, in the order given (children before their parents),
   * as one change where the database allows. Never cascades: a table that another table's
   * foreign key still references is refused.
   */
  dropTables?(tables: readonly string[]): Promise<void>;
  /** Deletes rows by key; returns how many were deleted. */
  deleteByKeys(table: string, keyColumns: readonly string[], keys: readonly (readonly Value[])[]): Promise<number>;
  /** Finishes pending work (file writers flush and close). */
  close(): Promise<void>;
}

/**
 * Verify and diff push row hashing into the database where they can (`Connector.openChecksum`).
 * Every dialect, and the in-process hasher (`src/engine/verify/row-hash.ts`), computes exactly:
 *
 * - field text: the canonical text (see `toCanonicalText`) with `\` written `\\` and `|`
 *   written `\|`, then `|`; NULL is `\N|` (an escaped text never holds `\N`, so NULL ≠ '');
 * - row string: the field texts of the key columns, then of the compared columns, concatenated;
 * - row hash: the first 16 hex digits of md5(row string) as an unsigned 64-bit integer;
 * - segment checksum: the row count and the sum of the row hashes modulo 2^64 (order-free).
 *
 * Key bounds are canonical key texts; rows are ordered by the key in canonical order (integers
 * numerically, other kinds by the code points of their canonical text), whatever the collation.
 */
export interface ChecksumColumn {
  readonly name: string;
  /** The canonical type whose canonical text is hashed (may refine the catalog type, e.g. text → uuid). */
  readonly type: CanonicalType;
}

export interface ChecksumRequest {
  readonly table: string;
  readonly key: readonly ChecksumColumn[];
  readonly columns: readonly ChecksumColumn[];
  /** A filter in the source's own SQL. */
  readonly where?: string;
}

/** Key bounds as canonical key texts: key > after (exclusive) and key <= upTo (inclusive). */
export interface TextKeyRange {
  readonly after?: readonly string[];
  readonly upTo?: readonly string[];
}

export interface SegmentChecksum {
  readonly count: number;
  /** Sum of the row hashes modulo 2^64. */
  readonly sum: bigint;
}

/** A row as canonical texts: the key (never NULL) and the compared columns. */
export interface CanonicalRow {
  readonly key: readonly string[];
  readonly values: readonly (string | null)[];
}

/** Checksums of one table in one consistent snapshot, held until `close`. */
export interface ChecksumSession {
  checksum(range: TextKeyRange): Promise<SegmentChecksum>;
  /**
   * The checksums of the parts of `range` cut at `cuts` (ascending keys inside the range): part 0
   * is (after, cuts[0]], part i is (cuts[i-1], cuts[i]], the last is (cuts[n-1], upTo]; n + 1
   * checksums in that order, computed in one scan of the range (bisection's children in one query).
   */
  checksums(range: TextKeyRange, cuts: readonly (readonly string[])[]): Promise<SegmentChecksum[]>;
  /** Keys that cut the rows of `range` into about `parts` parts of equal size, ascending. */
  splitPoints(range: TextKeyRange, parts: number): Promise<string[][]>;
  /** The rows of `range` in key order. */
  rows(range: TextKeyRange): Promise<CanonicalRow[]>;
  close(): Promise<void>;
}

export interface Connector {
  /** Connector name for messages: 'postgres', 'mysql', 'sqlite', 'csv', 'json'. */
  readonly name: string;
  readonly capabilities: Capabilities;
  /** The location with any secret masked, for logs and reports. */
  readonly displayName: string;
  /** All tables (or files), or the named ones. A native type with no canonical form is `opaque` (see core/types.ts). */
  introspect(options?: { tables?: readonly string[] }): Promise<DatabaseSchema>;
  /** Streams a table in batches with bounded memory; the consumer pulls (backpressure). */
  read(table: string, options?: ReadOptions): AsyncIterable<ReadBatch>;
  /** Exact row count, optionally with a source-SQL filter. */
  count(table: string, options?: { where?: string }): Promise<number>;
  /**
   * Optional: checks that a source-SQL filter is valid on `table` without reading rows (the
   * database compiles `SELECT 1 FROM table WHERE (filter) LIMIT 0`); throws the database's own
   * message as a CrmError when it is not. Pre-flight runs it, so a bad filter fails before a run.
   */
  checkWhere?(table: string, where: string): Promise<void>;
  /** Rows whose key is one of `keys` (any order); used for upsert diffs, journals and verify. */
  readByKeys(
    table: string,
    keyColumns: readonly string[],
    keys: readonly (readonly Value[])[],
    columns?: readonly string[],
  ): Promise<RowBatch>;
  /**
   * Keyed sources only (`capabilities.keyRanges`): up to `parts - 1` cut points that split the
   * rows of `table` (those matching `where`, when given) into `parts` ranges of about equal row
   * count, in ascending key order. Each cut point is the inclusive upper bound of its range (the
   * `upTo` of one `KeyRange` and the `after` of the next), with values typed as `read` returns
   * them, so they round-trip exactly into `keyRange`. Fewer cut points (none at all) for tables
   * with fewer rows than parts; never a duplicate cut point. One ordered scan of the key, no
   * rows held in memory beyond the cut points.
   */
  splitKeyRange?(table: string, key: readonly string[], parts: number, options?: { readonly where?: string }): Promise<Value[][]>;
  /**
   * Optional: checksums computed by the database itself (see `ChecksumRequest`). Resolves to
   * undefined when a column's canonical text or the key order cannot be had in this dialect's
   * SQL; the caller then hashes rows it reads in-process.
   */
  openChecksum?(request: ChecksumRequest): Promise<ChecksumSession | undefined>;
  /**
   * Optional: evaluates `expressions` (conditions in this dialect's SQL over the columns of
   * `table`, as its catalog prints a CHECK constraint or a partial index's condition) on each
   * of `rows` (values of `columns`; the table's other columns take their constant default, else
   * NULL), in the database, without reading or writing the table: per row, per expression,
   * true, false or null (SQL unknown). Lets a dry run, which writes nothing, refuse what the
   * target would refuse.
   */
  evaluate?(
    table: string,
    expressions: readonly string[],
    columns: readonly string[],
    rows: readonly (readonly Value[])[],
  ): Promise<(boolean | null)[][]>;
  /** A writer for this location (throws CRM_N2006 when not writable). */
  writer(): Promise<Writer>;
  /** Optional: the database's change log (PostgreSQL logical replication, MySQL binlog), see `ChangeFeed`. */
  changes?(options: ChangeFeedOptions): ChangeFeed;
  /**
   * Optional: an exclusive lock on this target for crmbridge commands that write (`command` names
   * the holder where the database can show it), held on a session of its own until released or
   * until the process dies (the server then drops it). Fails with CRM_E6019, naming the holder,
   * while another session holds it: two projects writing one target is refused.
   */
  lockTarget?(command: string): Promise<TargetLock>;
  close(): Promise<void>;
}

/** A held target lock (see `Connector.lockTarget`). */
export interface TargetLock {
  release(): Promise<void>;
}

/** A parsed connection string, with `${env:NAME}` references already resolved. */
export interface ConnectionSpec {
  /** The string as the user wrote it (may hold `${env:…}` references, never a resolved secret). */
  readonly raw: string;
  /** The resolved string (may hold secrets: never log it). */
  readonly resolved: string;
  readonly kind: Capabilities['dialect'];
  /** File connectors: extra options (delimiter, encoding, …) from the project file. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * One change read from a source's log, in one envelope whatever the database. `key` holds the
 * values of the table's primary key; `before`/`after` the row images the log carries (an
 * update's `before` and a delete's non-key columns need full row images: REPLICA IDENTITY FULL,
 * binlog_row_image=FULL). Values are the driver's forms: only keys are relied on, as
 * `encodeKey` text, because sync re-reads the row by key before applying it.
 */
export interface ChangeEvent {
  readonly op: 'insert' | 'update' | 'delete';
  readonly table: string;
  readonly key: readonly Value[];
  readonly before?: Readonly<Record<string, unknown>>;
  readonly after?: Readonly<Record<string, unknown>>;
  /** The position of the transaction's commit (the same for every change of a transaction). */
  readonly position: string;
  /** ISO-8601 UTC commit time, when the log has it. */
  readonly commitTime?: string;
  readonly txId?: string;
}

/** The changes of one source transaction, delivered whole: it is applied as one batch and checkpointed at `position`. */
export interface ChangeTransaction {
  readonly changes: readonly ChangeEvent[];
  /** Resuming from this position delivers only transactions that committed after this one. */
  readonly position: string;
  readonly commitTime?: string;
  readonly txId?: string;
}

export interface ChangeFeedOptions {
  /** Stable name of the feed (replication slot and publication, binlog client id), unique per project and direction. */
  readonly name: string;
  /** Tables whose changes are wanted. */
  readonly tables: readonly string[];
  /** Tables whose deletes and updates must carry the whole old row (lookup tables matched on a non-key column). */
  readonly fullImageTables?: readonly string[];
}

export interface ChangeFeedStatus {
  /** Bytes of log the source retains for this feed (PostgreSQL: WAL held by the slot). */
  readonly retainedBytes?: number;
  /** The source's current log position (what a `--once` run catches up to). */
  readonly head: string;
}

/**
 * A source's change log. Invariants the sync engine relies on: transactions arrive whole and in
 * commit order; `acknowledge(p)` is called only after every change up to `p` is durably applied
 * and checkpointed, and the source may then discard its log up to `p` — never before.
 */
export interface ChangeFeed {
  /**
   * Creates what the feed needs on the source when missing (publication, durable slot) and
   * returns the position from which changes are retained: taken BEFORE a snapshot is read, it
   * is the no-gap handoff point from migrate to sync. `created`: the log retention (the slot)
   * began just now, so nothing before `position` can be read from it.
   */
  prepare(): Promise<{ readonly position: string; readonly created: boolean }>;
  /**
   * Transactions committed after `from`, in commit order. With `until`, ends once every
   * transaction committed before that position was delivered; without, runs until `signal` aborts.
   */
  transactions(from: string, options?: { until?: string; signal?: AbortSignal }): AsyncIterable<ChangeTransaction>;
  /**
   * Resolves once every change of these transactions is visible to new reads of the database
   * by other sessions. A log can deliver a commit before the database shows it: PostgreSQL sends
   * the commit record once it is flushed, before the transaction leaves the process array;
   * MySQL/MariaDB write the binlog before the storage engine commits. Sync applies a change by
   * re-reading its row, so it calls this before reading (a read that misses the commit would
   * find the old row, and the position would then move past the change).
   */
  visible(transactions: readonly ChangeTransaction[], signal?: AbortSignal): Promise<void>;
  /** The source may forget the log up to `position` (durably applied by the caller). */
  acknowledge(position: string): Promise<void>;
  /** `a` before `b`: negative; equal: 0; after: positive. */
  compare(a: string, b: string): number;
  status(): Promise<ChangeFeedStatus>;
  /** Removes what `prepare` created (slot, publication). */
  drop(): Promise<void>;
  close(): Promise<void>;
}
