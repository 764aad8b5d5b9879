import Database from 'better-sqlite3';
import { CrmError, redact } from '../core/errors/index.js';
import { boundedRecord, boundedText } from './bounded-text.js';
import { dropLock, lockIsStale, takeLock } from './project-lock.js';
import { newRunId } from './run-id.js';
import { secretFreeJson } from './secret-free-json.js';
import { toStateError } from './state-error.js';
import { migrateStateSchema } from './state-schema.js';
import type {
  BatchCommit,
  Checkpoint,
  ConflictRecord,
  JournalRecord,
  JournalSpan,
  LedgerCounts,
  LedgerEntry,
  ProjectLock,
  RunRecord,
  RunStatus,
  StateStore,
  StoredConflict,
  StoredJournal,
  StoredReject,
} from './state-store.js';

export interface SqliteStateStoreOptions {
  /** How long a write waits for another process's write lock before failing with CRM_E6004. */
  readonly busyTimeoutMs?: number;
  /**
   * Called before an existing state database is brought to a newer schema (never for a new one):
   * some migrations rewrite large tables (schema 8 rewrites the id map), so a caller can say why
   * the command pauses.
   */
  readonly onUpgrade?: (from: number, to: number) => void;
}

/**
 * A migration's worker threads each commit through their own connection, so writers queue for
 * the lock; a commit holds it for milliseconds, but on a saturated machine the queue can take
 * seconds, and failing a table over a wait is worse than waiting.
 */
const DEFAULT_BUSY_TIMEOUT_MS = 30_000;

interface RunRow {
  id: string;
  kind: RunRecord['kind'];
  status: RunStatus;
  dry_run: number;
  plan_hash: string;
  started_at: string;
  finished_at: string | null;
  options: string;
  summary: string | null;
  parent_run_id: string | null;
}

interface CheckpointRow {
  object: string;
  pass: number;
  chunk: number;
  up_to: string | null;
  position: string;
  done: number;
  ledger: string;
}

interface RejectRow {
  seq: number;
  run_id: string;
  object: string;
  source_key: string;
  field: string | null;
  raw_value: string | null;
  reason: string;
  code: string;
  message: string;
  record: string | null;
  file: string | null;
  line: number | null;
  row_loaded: number;
}

interface JournalRow {
  seq: number;
  run_id: string;
  object: string;
  table_name: string;
  target_key: string;
  action: StoredJournal['action'];
  prior: string | null;
  after: string | null;
  entries: string | null;
}

/**
 * The state store on one SQLite file (better-sqlite3, synchronous under an async interface).
 *
 * Durability: WAL with `synchronous = FULL`, so a `commitBatch` that has returned survives a
 * process kill or power loss. Concurrency: one writer at a time across processes; a writer waits
 * up to the busy timeout for another, readers never wait (WAL).
 */
export class SqliteStateStore implements StateStore {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly commitTransaction: Database.Transaction<(runId: string, batch: BatchCommit) => void>;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly busyTimeoutMs: number,
  ) {
    this.commitTransaction = db.transaction((runId: string, batch: BatchCommit) => this.writeBatch(runId, batch));
  }

  /** Opens (creating if needed) the database file at `path` and brings its schema up to date. */
  static open(path: string, options: SqliteStateStoreOptions = {}): SqliteStateStore {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { timeout: busyTimeoutMs });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      // 16 MiB of page cache per connection (default 2 MiB). A migration opens one per worker
      // and one in the main thread; at 64 MiB they filled with the 1M-contact run's 1.3 GB state
      // (peak RSS 384 MiB against 292 at 16 MiB, same speed: misses are served by the OS cache).
      db.pragma('cache_size = -16384');
      migrateStateSchema(db, path, options.onUpgrade);
      return new SqliteStateStore(db, path, busyTimeoutMs);
    } catch (err) {
      db?.close();
      throw toStateError(err, path, 'opening the state database', busyTimeoutMs);
    }
  }

  createRun(run: Parameters<StateStore['createRun']>[0]): Promise<RunRecord> {
    return this.guard('creating a run', () => {
      const now = new Date();
      const id = run.id ?? newRunId(now);
      this.statement(
        `INSERT INTO runs (id, kind, status, dry_run, plan_hash, started_at, options, parent_run_id)
         VALUES (@id, @kind, @status, @dryRun, @planHash, @startedAt, @options, @parentRunId)`,
      ).run({
        id,
        kind: run.kind,
        status: run.status ?? 'running',
        dryRun: run.dryRun ? 1 : 0,
        planHash: run.planHash,
        startedAt: now.toISOString(),
        options: secretFreeJson(run.options),
        parentRunId: run.parentRunId ?? null,
      });
      return this.readRun(id)!;
    });
  }

  finishRun(id: string, status: RunStatus, summary?: Readonly<Record<string, unknown>>): Promise<void> {
    return this.guard('finishing a run', () => {
      const result = this.statement('UPDATE runs SET status = @status, finished_at = @finishedAt, summary = @summary WHERE id = @id').run({
        id,
        status,
        finishedAt: new Date().toISOString(),
        summary: summary === undefined ? null : secretFreeJson(summary),
      });
      if (result.changes === 0) throw new CrmError('CRM_E6003', `no run ${id} in the state database`, { location: { file: this.path } });
    });
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return this.guard('reading a run', () => this.readRun(id));
  }

  listRuns(limit?: number): Promise<RunRecord[]> {
    return this.guard('listing runs', () => {
      // Insertion order breaks ties between runs started in the same millisecond.
      const rows = this.statement('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?').all(limit ?? -1) as RunRow[];
      const interrupted = this.runningIsInterrupted();
      return rows.map((row) => toRunRecord(row, interrupted));
    });
  }

  /**
   * The commands that write runs hold the project lock while they run and release it at the end:
   * a lock still there whose holder died means the runs left `running` were interrupted. They are
   * shown so before the next command taking the lock records it.
   */
  private runningIsInterrupted(): boolean {
    return lockIsStale(this.db);
  }

  commitBatch(runId: string, batch: BatchCommit): Promise<void> {
    return this.guard('committing a batch', () => {
      checkCheckpoint(batch.checkpoint, batch.object, batch.pass);
      // IMMEDIATE takes the write lock up front, so a busy database waits (busy timeout) at BEGIN
      // instead of failing mid-transaction when a read lock cannot be upgraded.
      this.commitTransaction.immediate(runId, batch);
    });
  }

  journalIntent(runId: string, records: readonly JournalRecord[]): Promise<JournalSpan | undefined> {
    return this.guard('journalling an intent', () => {
      if (records.length === 0) return undefined;
      return this.db
        .transaction(() => {
          const seqs = this.insertJournal(runId, records);
          return { first: seqs[0], last: seqs[seqs.length - 1] };
        })
        .immediate();
    });
  }

  startChunks(runId: string, object: string, pass: number, chunks: readonly Checkpoint[]): Promise<void> {
    return this.guard('starting chunks', () => {
      const numbers = new Set<number>();
      for (const c of chunks) {
        checkCheckpoint(c, object, pass);
        if (c.chunk === undefined || !Number.isInteger(c.chunk) || c.chunk < 1 || numbers.has(c.chunk)) {
          throw new CrmError('CRM_X9001', `chunks of ${object} pass ${pass} need distinct chunk numbers from 1, got ${c.chunk ?? 0}`);
        }
        numbers.add(c.chunk);
      }
      this.db
        .transaction(() => {
          this.statement('DELETE FROM checkpoints WHERE run_id = ? AND object = ? AND pass = ? AND chunk > 0').run(runId, object, pass);
          for (const c of chunks) this.putCheckpoint(runId, c);
        })
        .immediate();
    });
  }

  getCheckpoints(runId: string): Promise<Checkpoint[]> {
    return this.guard('reading checkpoints', () => {
      const rows = this.statement(
        'SELECT object, pass, chunk, up_to, position, done, ledger FROM checkpoints WHERE run_id = ? ORDER BY object, pass, chunk',
      ).all(runId) as CheckpointRow[];
      return rows.map((row) => ({
        object: row.object,
        pass: row.pass,
        chunk: row.chunk,
        ...(row.up_to === null ? {} : { upTo: row.up_to }),
        position: row.position,
        done: row.done === 1,
        ledger: JSON.parse(row.ledger) as LedgerCounts,
      }));
    });
  }

  getLedger(runId: string): Promise<LedgerEntry[]> {
    return this.guard('reading the ledger', () => {
      const rows = this.statement(
        `SELECT run_id AS runId, object, read, created, updated, unchanged, rejected, filtered, duplicates
         FROM ledger WHERE run_id = ? ORDER BY object`,
      ).all(runId) as LedgerEntry[];
      // `duplicates` only where there were some, as in the checkpoints' ledgers.
      return rows.map(({ duplicates, ...entry }) => (duplicates ? { ...entry, duplicates } : entry));
    });
  }

  lookupIds(object: string, sourceKeys: readonly string[]): Promise<Map<string, string>> {
    return this.guard('looking up id mappings', () =>
      this.valuesByKeys(
        `SELECT coalesce(m.target_key, m.source_key) FROM json_each(@keys) AS k
         LEFT JOIN id_map AS m ON m.object = @object AND m.source_key = k.value ORDER BY k.key`,
        sourceKeys,
        { object },
      ),
    );
  }

  /**
   * Same as lookupIds the other way, probing the (object, target_key) index, and the primary
   * key for the mappings that keep the source key (stored as NULL). Of several source keys
   * mapped to one target key, the greatest (the two-argument max is NULL if either is: each
   * side is coalesced with the other).
   */
  lookupSourceKeys(object: string, targetKeys: readonly string[]): Promise<Map<string, string>> {
    return this.guard('looking up id mappings by target key', () =>
      this.valuesByKeys(
        `SELECT max(coalesce(remapped, kept), coalesce(kept, remapped)) FROM (
           SELECT k.key AS position,
             (SELECT max(m.source_key) FROM id_map AS m WHERE m.object = @object AND m.target_key = k.value) AS remapped,
             (SELECT m.source_key FROM id_map AS m WHERE m.object = @object AND m.source_key = k.value AND m.target_key IS NULL) AS kept
           FROM json_each(@keys) AS k)
         ORDER BY position`,
        targetKeys,
        { object },
      ),
    );
  }

  forgetIdMappings(object: string, sourceKeys: readonly string[]): Promise<void> {
    return this.guard('forgetting id mappings', () => {
      this.statement('DELETE FROM id_map WHERE object = @object AND source_key IN (SELECT value FROM json_each(@keys))').run({
        object,
        keys: JSON.stringify(sourceKeys),
      });
    });
  }

  idMappedKeys(object: string, options: { after?: string; limit?: number } = {}): Promise<string[]> {
    return this.guard('listing id mappings', () => {
      return this.statement('SELECT source_key FROM id_map WHERE object = ? AND source_key > ? ORDER BY source_key LIMIT ?')
        .pluck()
        .all(object, options.after ?? '', options.limit ?? -1) as string[];
    });
  }

  rejectedKeys(runId: string, object: string, sourceKeys: readonly string[]): Promise<Set<string>> {
    return this.guard('looking up rejected keys', () => {
      if (sourceKeys.length === 0) return new Set<string>();
      const rows = this.statement(
        `SELECT DISTINCT r.source_key FROM json_each(@keys) AS k
         CROSS JOIN rejects AS r ON r.run_id = @runId AND r.object = @object AND r.source_key = k.value AND r.row_loaded = 0`,
      )
        .pluck()
        // A batch names a parent once per child (every task's owner, every link's company):
        // each key is probed once.
        .all({ keys: JSON.stringify([...new Set(sourceKeys)]), runId, object }) as string[];
      return new Set(rows);
    });
  }

  listRejects(runId: string, options: { object?: string; reason?: string; limit?: number; offset?: number } = {}): Promise<StoredReject[]> {
    return this.guard('listing rejects', () => {
      // One SQL text per filter combination (each cached), so every variant uses its index.
      const filters = ['run_id = @runId'];
      if (options.object !== undefined) filters.push('object = @object');
      if (options.reason !== undefined) filters.push('reason = @reason');
      const rows = this.statement(`SELECT * FROM rejects WHERE ${filters.join(' AND ')} ORDER BY seq LIMIT @limit OFFSET @offset`).all({
        runId,
        ...(options.object === undefined ? {} : { object: options.object }),
        ...(options.reason === undefined ? {} : { reason: options.reason }),
        limit: options.limit ?? -1,
        offset: options.offset ?? 0,
      }) as RejectRow[];
      return rows.map(toStoredReject);
    });
  }

  countRejects(runId: string): Promise<{ object: string; reason: string; count: number }[]> {
    return this.guard('counting rejects', () => {
      return this.statement(
        'SELECT object, reason, count(*) AS count FROM rejects WHERE run_id = ? GROUP BY object, reason ORDER BY object, reason',
      ).all(runId) as { object: string; reason: string; count: number }[];
    });
  }

  journal(
    runId: string,
    options: { object?: string; reverse?: boolean; limit?: number; afterSeq?: number } = {},
  ): Promise<StoredJournal[]> {
    return this.guard('reading the journal', () => {
      const reverse = options.reverse ?? true;
      const filters = ['run_id = @runId'];
      if (options.object !== undefined) filters.push('object = @object');
      if (options.afterSeq !== undefined) filters.push(reverse ? 'seq < @afterSeq' : 'seq > @afterSeq');
      const rows = this.statement(
        `SELECT * FROM journal WHERE ${filters.join(' AND ')} ORDER BY seq ${reverse ? 'DESC' : 'ASC'} LIMIT @limit`,
      ).all({
        runId,
        ...(options.object === undefined ? {} : { object: options.object }),
        ...(options.afterSeq === undefined ? {} : { afterSeq: options.afterSeq }),
        limit: options.limit ?? -1,
      }) as JournalRow[];
      // A grouped row expands to its entries, newest first when reading in reverse.
      return rows.flatMap((row) => (reverse ? toStoredJournal(row).reverse() : toStoredJournal(row)));
    });
  }

  getSyncPosition(name: string): Promise<string | undefined> {
    return this.guard('reading a sync position', () => {
      return this.statement('SELECT position FROM sync_positions WHERE name = ?').pluck().get(name) as string | undefined;
    });
  }

  setSyncPosition(name: string, position: string, options: { ifAbsent?: boolean } = {}): Promise<void> {
    return this.guard('storing a sync position', () => {
      this.statement(
        options.ifAbsent
          ? 'INSERT INTO sync_positions (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING'
          : `INSERT INTO sync_positions (name, position, updated_at) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      ).run(name, position, new Date().toISOString());
    });
  }

  syncRowHashes(scope: string, object: string, keys: readonly string[]): Promise<Map<string, string>> {
    return this.guard('reading sync row hashes', () =>
      this.valuesByKeys(
        `SELECT r.hash FROM json_each(@keys) AS k
         LEFT JOIN sync_rows AS r ON r.scope = @scope AND r.object = @object AND r.key = k.value ORDER BY k.key`,
        keys,
        { scope, object },
      ),
    );
  }

  putSyncRowHashes(scope: string, object: string, rows: readonly { key: string; hash: string | null }[]): Promise<void> {
    return this.guard('storing sync row hashes', () => {
      const put = this.statement(
        `INSERT INTO sync_rows (scope, object, key, hash) VALUES (?, ?, ?, ?)
         ON CONFLICT (scope, object, key) DO UPDATE SET hash = excluded.hash`,
      );
      const forget = this.statement('DELETE FROM sync_rows WHERE scope = ? AND object = ? AND key = ?');
      this.db
        .transaction(() => {
          for (const r of rows) {
            if (r.hash === null) forget.run(scope, object, r.key);
            else put.run(scope, object, r.key, r.hash);
          }
        })
        .immediate();
    });
  }

  syncRowKeys(scope: string, object: string, options: { after?: string; limit?: number } = {}): Promise<string[]> {
    return this.guard('listing sync rows', () => {
      return this.statement('SELECT key FROM sync_rows WHERE scope = ? AND object = ? AND key > ? ORDER BY key LIMIT ?')
        .pluck()
        .all(scope, object, options.after ?? '', options.limit ?? -1) as string[];
    });
  }

  addConflicts(runId: string, conflicts: readonly ConflictRecord[]): Promise<void> {
    return this.guard('recording conflicts', () => {
      const insert = this.statement(
        `INSERT INTO conflicts (run_id, object, source_key, field, source_value, target_value, resolution, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const at = new Date().toISOString();
      this.db
        .transaction(() => {
          for (const c of conflicts) insert.run(runId, c.object, c.sourceKey, c.field, c.sourceValue, c.targetValue, c.resolution, at);
        })
        .immediate();
    });
  }

  listConflicts(options: { runId?: string; limit?: number } = {}): Promise<StoredConflict[]> {
    return this.guard('listing conflicts', () => {
      const rows = this.statement(
        `SELECT seq, run_id, object, source_key, field, source_value, target_value, resolution, at FROM conflicts
         WHERE @runId IS NULL OR run_id = @runId ORDER BY seq DESC LIMIT @limit`,
      ).all({ runId: options.runId ?? null, limit: options.limit ?? -1 }) as {
        seq: number;
        run_id: string;
        object: string;
        source_key: string;
        field: string;
        source_value: string | null;
        target_value: string | null;
        resolution: ConflictRecord['resolution'];
        at: string;
      }[];
      return rows.map((r) => ({
        seq: r.seq,
        runId: r.run_id,
        object: r.object,
        sourceKey: r.source_key,
        field: r.field,
        sourceValue: r.source_value,
        targetValue: r.target_value,
        resolution: r.resolution,
        at: r.at,
      }));
    });
  }

  acquireLock(command: string): Promise<ProjectLock> {
    return this.guard('taking the project lock', () => {
      const held = takeLock(this.db, command, this.path);
      return {
        holder: held.holder,
        release: (outcome = 'ok') => this.guard('releasing the project lock', () => dropLock(this.db, held, outcome)),
      };
    });
  }

  close(): Promise<void> {
    return this.guard('closing the state database', () => {
      this.statements.clear();
      this.db.close();
    });
  }

  /** The body of `commitBatch`'s transaction: any throw here rolls back the whole batch. */
  private writeBatch(runId: string, batch: BatchCommit): void {
    const { object, pass, checkpoint } = batch;
    this.putCheckpoint(runId, checkpoint);
    // The object's ledger row is the sum of the pass's checkpoints of the same kind: the one
    // whole-pass row (chunk 0), or every chunk's. Read and written under the write lock this
    // transaction holds (BEGIN IMMEDIATE), so other connections' chunks are summed as committed.
    this.statement(
      `INSERT INTO ledger (run_id, object, read, created, updated, unchanged, rejected, filtered, duplicates)
       SELECT run_id, object, sum(ledger ->> 'read'), sum(ledger ->> 'created'), sum(ledger ->> 'updated'),
         sum(ledger ->> 'unchanged'), sum(ledger ->> 'rejected'), sum(ledger ->> 'filtered'), coalesce(sum(ledger ->> 'duplicates'), 0)
       FROM checkpoints WHERE run_id = @runId AND object = @object AND pass = @pass AND (chunk > 0) = @chunked
       GROUP BY run_id, object
       ON CONFLICT (run_id, object) DO UPDATE SET read = excluded.read, created = excluded.created, updated = excluded.updated,
         unchanged = excluded.unchanged, rejected = excluded.rejected, filtered = excluded.filtered, duplicates = excluded.duplicates`,
    ).run({ runId, object, pass, chunked: checkpoint.chunk ? 1 : 0 });

    // A replayed batch re-maps a key to the same target: the row is left as is (keeping the run
    // that created it). A different target (the target row was re-created) replaces the mapping.
    // One statement for the batch (the pairs as one JSON text): about half the cost of a
    // statement per mapping, which matters at one mapping per written row. A target key equal
    // to the source key is stored as NULL (see the schema's migration 8).
    if (batch.idMappings && batch.idMappings.length > 0) {
      this.statement(
        `INSERT INTO id_map (object, source_key, target_key, run_id)
         SELECT @object, p.value ->> 0, nullif(p.value ->> 1, p.value ->> 0), @runId FROM json_each(@pairs) AS p WHERE true
         ON CONFLICT (object, source_key) DO UPDATE SET target_key = excluded.target_key, run_id = excluded.run_id
         WHERE target_key IS NOT excluded.target_key`,
      ).run({ object, runId, pairs: JSON.stringify(batch.idMappings.map((m) => [m.sourceKey, m.targetKey])) });
    }

    const reject = this.statement(
      `INSERT INTO rejects (run_id, object, source_key, field, raw_value, reason, code, message, record, file, line, row_loaded)
       VALUES (@runId, @object, @sourceKey, @field, @rawValue, @reason, @code, @message, @record, @file, @line, @rowLoaded)`,
    );
    for (const r of batch.rejects ?? []) {
      reject.run({
        runId,
        object: r.object,
        sourceKey: r.sourceKey,
        field: r.field ?? null,
        rawValue: r.rawValue === undefined ? null : redact(boundedText(r.rawValue)),
        reason: r.reason,
        code: r.code,
        message: redact(boundedText(r.message)),
        record: r.record === undefined ? null : boundedRecord(r.record),
        file: r.file ?? null,
        line: r.line ?? null,
        rowLoaded: r.rowLoaded ? 1 : 0,
      });
    }

    if (batch.replacesIntent) {
      this.statement('DELETE FROM journal WHERE run_id = ? AND seq BETWEEN ? AND ?').run(
        runId,
        batch.replacesIntent.first,
        batch.replacesIntent.last,
      );
    }
    this.insertJournal(runId, batch.journal ?? []);
  }

  /** Inserts journal records (runs of created rows grouped, see `journalGroups`); returns the seqs, in order. */
  private insertJournal(runId: string, records: readonly JournalRecord[]): number[] {
    const journal = this.statement(
      `INSERT INTO journal (run_id, object, table_name, target_key, action, prior, after, entries)
       VALUES (@runId, @object, @table, @targetKey, @action, @prior, @after, @entries)`,
    );
    return journalGroups(records).map((group) => {
      const j = group[0];
      const grouped = group.length > 1;
      return Number(
        journal.run({
          runId,
          object: j.object,
          table: j.table,
          targetKey: grouped ? '' : j.targetKey,
          action: j.action,
          prior: j.prior ?? null,
          after: grouped ? null : (j.after ?? null),
          entries: grouped ? JSON.stringify(group.map((e) => [e.targetKey, e.after ?? null])) : null,
        }).lastInsertRowid,
      );
    });
  }

  /**
   * Inserts or replaces the checkpoint's row. A chunk keeps the upper bound it was started with:
   * a checkpoint claiming another one is refused, as its rows would be counted twice or missed.
   */
  private putCheckpoint(runId: string, checkpoint: Checkpoint): void {
    const chunk = checkpoint.chunk ?? 0;
    const upTo = checkpoint.upTo ?? null;
    const { changes } = this.statement(
      `INSERT INTO checkpoints (run_id, object, pass, chunk, up_to, position, done, ledger) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, object, pass, chunk) DO UPDATE SET position = excluded.position, done = excluded.done, ledger = excluded.ledger
       WHERE up_to IS excluded.up_to`,
    ).run(
      runId,
      checkpoint.object,
      checkpoint.pass,
      chunk,
      upTo,
      checkpoint.position,
      checkpoint.done ? 1 : 0,
      JSON.stringify(countsOf(checkpoint.ledger)),
    );
    if (changes === 0) {
      throw new CrmError(
        'CRM_X9001',
        `checkpoint of ${checkpoint.object} pass ${checkpoint.pass} chunk ${chunk} has upper bound ${upTo ?? '(end)'}, not the one the chunk was started with`,
      );
    }
  }

  /**
   * Looks up a whole key list in one statement: `sql` selects exactly one value (NULL: not
   * found) per element of the JSON array `@keys`, in array order (`… FROM json_each(@keys) AS k
   * … ORDER BY k.key`; json_each drives and each key probes the table's index). Keys go in sorted
   * so that probes walk the b-tree in order and reuse cached pages. Measured
   * (bench-state-store.ts, 5,000 keys against 1M mappings): ~11 ms, against ~18 ms for filling a
   * temp table and joining it. One plucked column matched to the keys by position, instead of
   * [key, value] rows: no array per row and half the strings, about 20 % less CPU per lookup
   * (bench/state/state-store-bench.ts).
   */
  private valuesByKeys(sql: string, keys: readonly string[], params: Record<string, string>): Map<string, string> {
    const found = new Map<string, string>();
    if (keys.length === 0) return found;
    const sorted = [...keys].sort();
    const values = this.statement(sql)
      .pluck()
      .all({ ...params, keys: JSON.stringify(sorted) }) as (string | null)[];
    if (values.length !== sorted.length) {
      throw new CrmError('CRM_X9001', `a key lookup returned ${values.length} values for ${sorted.length} keys`);
    }
    for (let i = 0; i < sorted.length; i++) {
      const value = values[i];
      if (value !== null && value !== undefined) found.set(sorted[i], value);
    }
    return found;
  }

  private readRun(id: string): RunRecord | undefined {
    const row = this.statement('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row === undefined ? undefined : toRunRecord(row, this.runningIsInterrupted());
  }

  /** Prepared statements, compiled once per SQL text for the life of the connection. */
  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private guard<T>(operation: string, work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(toStateError(err, this.path, operation, this.busyTimeoutMs));
    }
  }
}

/** A checkpoint must belong to the object and pass it is stored for; only a chunk has an upper bound. */
function checkCheckpoint(checkpoint: Checkpoint, object: string, pass: number): void {
  if (checkpoint.object !== object || checkpoint.pass !== pass) {
    throw new CrmError('CRM_X9001', `checkpoint for ${checkpoint.object} pass ${checkpoint.pass} given for ${object} pass ${pass}`);
  }
  if (!checkpoint.chunk && checkpoint.upTo !== undefined) {
    throw new CrmError('CRM_X9001', `checkpoint for ${object} pass ${pass} has an upper bound but no chunk number`);
  }
}

/** Only the counts: a ledger object may carry more (a LedgerEntry's runId/object). */
function countsOf(c: LedgerCounts): LedgerCounts {
  return {
    read: c.read,
    created: c.created,
    updated: c.updated,
    unchanged: c.unchanged,
    rejected: c.rejected,
    filtered: c.filtered,
    ...(c.duplicates ? { duplicates: c.duplicates } : {}),
  };
}

function toRunRecord(row: RunRow, runningIsInterrupted: boolean): RunRecord {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status === 'running' && runningIsInterrupted ? 'interrupted' : row.status,
    dryRun: row.dry_run === 1,
    planHash: row.plan_hash,
    startedAt: row.started_at,
    options: JSON.parse(row.options) as Record<string, unknown>,
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
    ...(row.summary === null ? {} : { summary: JSON.parse(row.summary) as Record<string, unknown> }),
    ...(row.parent_run_id === null ? {} : { parentRunId: row.parent_run_id }),
  };
}

function toStoredReject(row: RejectRow): StoredReject {
  return {
    runId: row.run_id,
    seq: row.seq,
    object: row.object,
    sourceKey: row.source_key,
    reason: row.reason,
    code: row.code,
    message: row.message,
    ...(row.field === null ? {} : { field: row.field }),
    ...(row.raw_value === null ? {} : { rawValue: row.raw_value }),
    ...(row.record === null ? {} : { record: row.record }),
    ...(row.file === null ? {} : { file: row.file }),
    ...(row.line === null ? {} : { line: row.line }),
    ...(row.row_loaded === 1 ? { rowLoaded: true } : {}),
  };
}

/** A stored journal row as entries: one, or the created rows it groups (same seq), in writing order. */
function toStoredJournal(row: JournalRow): StoredJournal[] {
  const base = { runId: row.run_id, seq: row.seq, object: row.object, table: row.table_name, action: row.action };
  if (row.entries !== null) {
    return (JSON.parse(row.entries) as [string, string | null][]).map(([targetKey, after]) => ({
      ...base,
      targetKey,
      ...(after === null ? {} : { after }),
    }));
  }
  return [
    {
      ...base,
      targetKey: row.target_key,
      ...(row.prior === null ? {} : { prior: row.prior }),
      ...(row.after === null ? {} : { after: row.after }),
    },
  ];
}

/**
 * Splits a batch's journal into groups stored as one row each: runs of consecutive created rows
 * (no prior image) of the same object and table; every other record stands alone. Order is kept.
 */
function journalGroups(records: readonly JournalRecord[]): JournalRecord[][] {
  const groups: JournalRecord[][] = [];
  for (const r of records) {
    const last = groups[groups.length - 1];
    const head = last?.[0];
    const groupable = r.action === 'insert' && r.prior === undefined;
    if (head && groupable && head.action === 'insert' && head.prior === undefined && head.object === r.object && head.table === r.table) {
      last.push(r);
    } else {
      groups.push([r]);
    }
  }
  return groups;
}
