/**
 * The state of a project's runs, kept in `.crmbridge/` (SQLite by default, see
 * `sqlite-state-store.ts`). Async so that a PostgreSQL store for several workers can implement
 * the same interface later.
 *
 * Invariant: `commitBatch` is called only AFTER the target write it describes has committed, and
 * it stores the checkpoint, ledger, id mappings, rejects and journal of that batch in ONE
 * transaction. A crash between the target commit and `commitBatch` therefore replays at most one
 * batch per object, which the engine's upsert-by-key makes harmless.
 *
 * The journal of a real write is committed BEFORE it (`journalIntent`): the target and this store
 * are two databases, so no transaction spans both, and a row written but not journalled could
 * never be rolled back (a replayed batch finds it unchanged and would not journal it). An intent
 * whose write never happened is harmless: rollback finds the row absent, or equal to its prior
 * image, and has nothing to undo.
 *
 * Keys are stored as text: `encodeKey(values)` (the canonical text of each key column, as a JSON
 * array), so a composite or bigint key has one exact, comparable form.
 */

export type RunKind = 'migrate' | 'repair' | 'sync' | 'rollback';
/**
 * `completed`: every row accounted for, none rejected beyond a declared `maxErrorRatio`;
 * `completed_with_rejects`: every row accounted for, some rejected; `interrupted`: left
 * `running` by a process that died (shown so when no live command holds the project lock).
 */
export type RunStatus = 'running' | 'completed' | 'completed_with_rejects' | 'incomplete' | 'failed' | 'stopped' | 'interrupted';

/** Statuses of a run that ended with every row accounted for: nothing to resume. */
export const FINISHED_STATUSES: ReadonlySet<RunStatus> = new Set(['completed', 'completed_with_rejects']);

/** The command holding a project's lock (see `StateStore.acquireLock`). */
export interface LockHolder {
  readonly command: string;
  readonly pid: number;
  readonly host: string;
  /** ISO-8601 UTC. */
  readonly startedAt: string;
}

/** A held project lock. */
export interface ProjectLock {
  readonly holder: LockHolder;
  /**
   * Releases the lock. With `failed`, the runs this command left `running` are marked `failed`
   * (a command that failed at start is not shown running, nor interrupted).
   */
  release(outcome?: 'ok' | 'failed'): Promise<void>;
}

export interface RunRecord {
  readonly id: string;
  readonly kind: RunKind;
  readonly status: RunStatus;
  readonly dryRun: boolean;
  /** Hash of the compiled plan: a resume must use the same plan. */
  readonly planHash: string;
  /** ISO-8601 UTC. */
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** Options and summary as JSON-serialisable data (no secrets). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly summary?: Readonly<Record<string, unknown>>;
  /** Id of the run this one resumed or retried, if any. */
  readonly parentRunId?: string;
}

/** Per-object accounting. Invariant at the end of a run: read = created + updated + unchanged + rejected + filtered. */
export interface LedgerCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Rows not loaded by declaration: excluded by the source filter, or collapsed duplicates. */
  filtered: number;
  /** Of `filtered`: rows collapsed into another row with the same source key (identical, or merged). Absent = 0. */
  duplicates?: number;
}

export interface LedgerEntry extends LedgerCounts {
  readonly runId: string;
  readonly object: string;
}

export interface RejectRecord {
  readonly object: string;
  /** The source key as `encodeKey` text ('' when the row had no readable key, e.g. a malformed CSV line). */
  readonly sourceKey: string;
  readonly field?: string;
  /** The offending value as text (redacted of secrets), or undefined. */
  readonly rawValue?: string;
  /** snake_case reason: invalid_email, missing_parent, parent_rejected, duplicate_key, value_too_long, … */
  readonly reason: string;
  /** Catalog code (CRM_R4xxx). */
  readonly code: string;
  readonly message: string;
  /** The original source record as JSON text (canonical text values), for export and retry. */
  readonly record?: string;
  /** File and line for file sources. */
  readonly file?: string;
  readonly line?: number;
  /**
   * The row itself loaded; this records a reference pass 2 left empty. Such a row is not
   * rejected: its children still load (`rejectedKeys` does not return it).
   */
  readonly rowLoaded?: boolean;
}

export interface StoredReject extends RejectRecord {
  readonly runId: string;
  readonly seq: number;
}

export interface JournalRecord {
  readonly object: string;
  readonly table: string;
  /** Target key as `encodeKey` text. */
  readonly targetKey: string;
  readonly action: 'insert' | 'update' | 'delete';
  /** insert: undefined. update/delete: the prior target row as JSON (column → canonical text or null). */
  readonly prior?: string;
  /** The row as this run left it (column → canonical text or null), to detect later changes by others. */
  readonly after?: string;
}

export interface StoredJournal extends JournalRecord {
  readonly runId: string;
  readonly seq: number;
}

export interface IdMapping {
  readonly sourceKey: string;
  readonly targetKey: string;
}

/** A checkpoint: the position after which an object's pass resumes, plus the ledger so far. */
export interface Checkpoint {
  readonly object: string;
  /** 1 = load pass, 2 = deferred-reference update pass. */
  readonly pass: number;
  /**
   * 0 (or absent): the object's pass as a whole — an unchunked load, and the object's final
   * `done` checkpoint. 1..n: one key-range chunk of a pass loaded in parallel.
   */
  readonly chunk?: number;
  /** Chunks only: `encodeKey` text of the chunk's inclusive upper key bound; absent: to the end of the table. */
  readonly upTo?: string;
  /** Last source key written (`encodeKey` text) for keyed sources, or the record number for files. A chunk starts at its exclusive lower bound ('' = from the start). */
  readonly position: string;
  readonly done: boolean;
  readonly ledger: LedgerCounts;
}

export interface BatchCommit {
  readonly object: string;
  readonly pass: number;
  readonly checkpoint: Checkpoint;
  readonly idMappings?: readonly IdMapping[];
  readonly rejects?: readonly RejectRecord[];
  readonly journal?: readonly JournalRecord[];
  /** An intent (see `journalIntent`) this batch's `journal` replaces: deleted in the same transaction. */
  readonly replacesIntent?: JournalSpan;
}

/** The seqs of the records one `journalIntent` stored (consecutive: they are inserted under one write lock). */
export interface JournalSpan {
  readonly first: number;
  readonly last: number;
}

/** A field changed on both sides of a two-way sync since the last sync, and the side that won. */
export interface ConflictRecord {
  readonly object: string;
  /** The source key as `encodeKey` text. */
  readonly sourceKey: string;
  /** The target field. */
  readonly field: string;
  /** Both values as canonical text in source terms (the target's mapped back), or null. */
  readonly sourceValue: string | null;
  readonly targetValue: string | null;
  readonly resolution: 'source_wins' | 'target_wins';
}

export interface StoredConflict extends ConflictRecord {
  readonly runId: string;
  readonly seq: number;
  /** ISO-8601 UTC. */
  readonly at: string;
}

export interface StateStore {
  /** Without an `id`, the store gives one (see `run-id.ts`); `status` defaults to 'running'. */
  createRun(run: Omit<RunRecord, 'id' | 'startedAt' | 'status'> & { id?: string; status?: RunStatus }): Promise<RunRecord>;
  finishRun(id: string, status: RunStatus, summary?: Readonly<Record<string, unknown>>): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(limit?: number): Promise<RunRecord[]>;

  /**
   * Atomically stores one committed batch's checkpoint, ledger, id mappings, rejects and journal.
   * The object's ledger becomes the checkpoint's; for a chunk's checkpoint (chunk > 0), the sum of
   * the ledgers of all chunks of that run, object and pass (so chunks committed concurrently, by
   * other connections too, always add up). A chunk's `upTo` must be the one it was started with.
   */
  commitBatch(runId: string, batch: BatchCommit): Promise<void>;
  /**
   * Commits journal records BEFORE the target write they describe (the write-ahead half of the
   * journal protocol above). When the write then lands whole, the intent is the journal; when
   * some rows were refused, the batch's `commitBatch` replaces it (`replacesIntent`).
   */
  journalIntent(runId: string, records: readonly JournalRecord[]): Promise<JournalSpan | undefined>;
  /**
   * Stores the chunks of an object's pass before any of them is loaded, in ONE transaction (a
   * crash leaves all of them or none, so a resume never misses a key range). Replaces any earlier
   * chunk rows (chunk > 0) of that run, object and pass. The object's ledger is left as is.
   */
  startChunks(runId: string, object: string, pass: number, chunks: readonly Checkpoint[]): Promise<void>;
  getCheckpoints(runId: string): Promise<Checkpoint[]>;
  getLedger(runId: string): Promise<LedgerEntry[]>;

  /** Source key → target key for the given source keys of an object (missing ones absent). Any run. */
  lookupIds(object: string, sourceKeys: readonly string[]): Promise<Map<string, string>>;
  /** Target key → source key for the given target keys of an object (missing ones absent). Any run. */
  lookupSourceKeys(object: string, targetKeys: readonly string[]): Promise<Map<string, string>>;
  /** Forgets the id mappings of these source keys (their target rows were deleted by sync). */
  forgetIdMappings(object: string, sourceKeys: readonly string[]): Promise<void>;
  /** Source keys of an object's id mappings (the rows it has in the target), in key order, paged by `after`. */
  idMappedKeys(object: string, options?: { after?: string; limit?: number }): Promise<string[]>;
  /** Which of these source keys were rejected in the given run (for parent_rejected). */
  rejectedKeys(runId: string, object: string, sourceKeys: readonly string[]): Promise<Set<string>>;

  listRejects(runId: string, options?: { object?: string; reason?: string; limit?: number; offset?: number }): Promise<StoredReject[]>;
  countRejects(runId: string): Promise<{ object: string; reason: string; count: number }[]>;
  /**
   * The run's journal in reverse order of writing (for rollback), in pages. `reverse` defaults to
   * true; `afterSeq` continues after that record in the listing order (seq below it when reverse,
   * above it otherwise), so the last seq of a page fetches the next one. Entries stored together
   * (created rows of one batch) share a seq and always come in the same page, so a page may hold
   * more than `limit` entries.
   */
  journal(runId: string, options?: { object?: string; reverse?: boolean; limit?: number; afterSeq?: number }): Promise<StoredJournal[]>;

  /** A sync feed's stored position, or undefined. */
  getSyncPosition(name: string): Promise<string | undefined>;
  /**
   * Stores a sync position: call only after the target writes it covers committed. With
   * `ifAbsent`, an existing position is kept (an earlier handoff point is never moved forward).
   */
  setSyncPosition(name: string, position: string, options?: { ifAbsent?: boolean }): Promise<void>;
  /** Last known row hashes per scope (the previous snapshot, keys pending after drift) for these keys. */
  syncRowHashes(scope: string, object: string, keys: readonly string[]): Promise<Map<string, string>>;
  /** Stores row hashes; a null hash forgets the key (the row was deleted). */
  putSyncRowHashes(scope: string, object: string, rows: readonly { key: string; hash: string | null }[]): Promise<void>;
  /** Keys of a scope in key order, in pages (`after`: the last key of the previous page). */
  syncRowKeys(scope: string, object: string, options?: { after?: string; limit?: number }): Promise<string[]>;

  /** Records resolved two-way conflicts of a run. */
  addConflicts(runId: string, conflicts: readonly ConflictRecord[]): Promise<void>;
  /** Conflicts, newest first; of one run when `runId` is given. */
  listConflicts(options?: { runId?: string; limit?: number }): Promise<StoredConflict[]>;

  /**
   * Takes the project lock for a command that writes (migrate, repair, rollback, sync), for as long
   * as it runs. Fails with CRM_E6018, naming the holder, while another live process holds it; a
   * lock left by a dead process on this host is taken over. Taking it marks runs left `running`
   * `interrupted` (no live command holds the project, so none of them can be running).
   */
  acquireLock(command: string): Promise<ProjectLock>;

  close(): Promise<void>;
}
