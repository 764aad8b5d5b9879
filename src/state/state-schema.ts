import type Database from 'better-sqlite3';
import { CrmError } from '../core/errors/index.js';

/**
 * The state database's schema, as an ordered list of migrations. `PRAGMA user_version` holds the
 * number of migrations applied; opening a store applies the missing ones in one transaction.
 * Invariant: a migration, once released, is never edited — a change is a new entry at the end.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('migrate', 'repair', 'sync', 'rollback')),
    status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'incomplete', 'failed', 'stopped')),
    dry_run       INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    plan_hash     TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    options       TEXT NOT NULL,
    summary       TEXT,
    parent_run_id TEXT REFERENCES runs (id)
  );
  CREATE INDEX runs_started ON runs (started_at);

  -- The latest counts per object of a run (each commitBatch replaces them with its checkpoint's).
  CREATE TABLE ledger (
    run_id    TEXT NOT NULL REFERENCES runs (id),
    object    TEXT NOT NULL,
    read      INTEGER NOT NULL CHECK (read >= 0),
    created   INTEGER NOT NULL CHECK (created >= 0),
    updated   INTEGER NOT NULL CHECK (updated >= 0),
    unchanged INTEGER NOT NULL CHECK (unchanged >= 0),
    rejected  INTEGER NOT NULL CHECK (rejected >= 0),
    filtered  INTEGER NOT NULL CHECK (filtered >= 0),
    PRIMARY KEY (run_id, object)
  ) WITHOUT ROWID;

  CREATE TABLE checkpoints (
    run_id   TEXT NOT NULL REFERENCES runs (id),
    object   TEXT NOT NULL,
    pass     INTEGER NOT NULL CHECK (pass >= 1),
    position TEXT NOT NULL,
    done     INTEGER NOT NULL CHECK (done IN (0, 1)),
    ledger   TEXT NOT NULL,
    PRIMARY KEY (run_id, object, pass)
  ) WITHOUT ROWID;

  -- Millions of rows: WITHOUT ROWID stores each mapping once, in its primary-key b-tree.
  -- run_id (the run that created the mapping) has no foreign key on purpose: a mapping stays
  -- valid as long as the target row exists, whatever happens to the run's other records.
  CREATE TABLE id_map (
    object     TEXT NOT NULL,
    source_key TEXT NOT NULL,
    target_key TEXT NOT NULL,
    run_id     TEXT NOT NULL,
    PRIMARY KEY (object, source_key)
  ) WITHOUT ROWID;

  -- seq is the rowid: listing in seq order walks the indexes below without a sort.
  CREATE TABLE rejects (
    seq        INTEGER PRIMARY KEY,
    run_id     TEXT NOT NULL REFERENCES runs (id),
    object     TEXT NOT NULL CHECK (object <> ''),
    source_key TEXT NOT NULL,
    field      TEXT,
    raw_value  TEXT,
    reason     TEXT NOT NULL CHECK (reason <> ''),
    code       TEXT NOT NULL CHECK (code <> ''),
    message    TEXT NOT NULL,
    record     TEXT,
    file       TEXT,
    line       INTEGER CHECK (line IS NULL OR line >= 0)
  );
  CREATE INDEX rejects_object_reason ON rejects (run_id, object, reason);
  CREATE INDEX rejects_reason ON rejects (run_id, reason);
  CREATE INDEX rejects_key ON rejects (run_id, object, source_key);

  -- AUTOINCREMENT: a seq is never reused, so "reverse seq order" is always reverse write order.
  CREATE TABLE journal (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id     TEXT NOT NULL REFERENCES runs (id),
    object     TEXT NOT NULL,
    table_name TEXT NOT NULL,
    target_key TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    prior      TEXT,
    after      TEXT
  );
  CREATE INDEX journal_run ON journal (run_id);
  CREATE INDEX journal_run_object ON journal (run_id, object);
  `,
  `
  -- Sync: where each feed stands ('cdc:<feed>', 'poll:<object>', …). A position is written only
  -- after every target write it covers has committed.
  CREATE TABLE sync_positions (
    name       TEXT PRIMARY KEY,
    position   TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;

  -- Sync: a value per row key and scope — the hash of each source row in the previous snapshot
  -- ('snapshot'), the changed keys of an object stopped by schema drift ('pending').
  CREATE TABLE sync_rows (
    scope  TEXT NOT NULL,
    object TEXT NOT NULL,
    key    TEXT NOT NULL,
    hash   TEXT NOT NULL,
    PRIMARY KEY (scope, object, key)
  ) WITHOUT ROWID;
  `,
  `
  -- Two-way sync: a target row changed by others is found back to its source key.
  CREATE INDEX id_map_target ON id_map (object, target_key);
  `,
  `
  -- Two-way sync: a field changed on both sides since the last sync, with both values and how
  -- the object's sync.conflict policy resolved it. Values are canonical texts in source terms.
  CREATE TABLE conflicts (
    seq          INTEGER PRIMARY KEY,
    run_id       TEXT NOT NULL REFERENCES runs (id),
    object       TEXT NOT NULL,
    source_key   TEXT NOT NULL,
    field        TEXT NOT NULL,
    source_value TEXT,
    target_value TEXT,
    resolution   TEXT NOT NULL CHECK (resolution IN ('source_wins', 'target_wins')),
    at           TEXT NOT NULL
  );
  CREATE INDEX conflicts_run ON conflicts (run_id);
  `,
  `
  -- Migrate journals most rows as "created"; consecutive created rows of one batch and table are
  -- stored as one row whose entries column holds their [target key, after] pairs (JSON), instead
  -- of a row each (target_key is then ''). Readers expand them; they share the row's seq.
  ALTER TABLE journal ADD COLUMN entries TEXT;
  `,
  `
  -- A table loaded as key-range chunks in parallel has a checkpoint per chunk (1..n); chunk 0 is
  -- the pass as a whole. up_to: the chunk's inclusive upper key bound, NULL = to the end. A new
  -- primary key needs a new table (SQLite cannot alter one); this runs inside the migration's
  -- transaction, so a crash leaves the old table or the new one. Nothing references checkpoints.
  CREATE TABLE checkpoints_v6 (
    run_id   TEXT NOT NULL REFERENCES runs (id),
    object   TEXT NOT NULL,
    pass     INTEGER NOT NULL CHECK (pass >= 1),
    chunk    INTEGER NOT NULL DEFAULT 0 CHECK (chunk >= 0),
    up_to    TEXT,
    position TEXT NOT NULL,
    done     INTEGER NOT NULL CHECK (done IN (0, 1)),
    ledger   TEXT NOT NULL,
    PRIMARY KEY (run_id, object, pass, chunk)
  ) WITHOUT ROWID;
  INSERT INTO checkpoints_v6 (run_id, object, pass, position, done, ledger)
    SELECT run_id, object, pass, position, done, ledger FROM checkpoints;
  DROP TABLE checkpoints;
  ALTER TABLE checkpoints_v6 RENAME TO checkpoints;
  `,
  // 7: a reject record can note a reference pass 2 left empty on a row that did load.
  `
  ALTER TABLE rejects ADD COLUMN row_loaded INTEGER NOT NULL DEFAULT 0 CHECK (row_loaded IN (0, 1));
  `,
  // 8: most objects keep their keys (generateKey: none), so their mapping's target key is the
  // source key's text. Such a mapping stores NULL ("the same as source_key") and stays out of
  // the target-key index: a third of the bytes and one random index insert less per loaded row.
  `
  CREATE TABLE id_map_v8 (
    object     TEXT NOT NULL,
    source_key TEXT NOT NULL,
    target_key TEXT,
    run_id     TEXT NOT NULL,
    PRIMARY KEY (object, source_key)
  ) WITHOUT ROWID;
  INSERT INTO id_map_v8 (object, source_key, target_key, run_id)
    SELECT object, source_key, NULLIF(target_key, source_key), run_id FROM id_map;
  DROP TABLE id_map;
  ALTER TABLE id_map_v8 RENAME TO id_map;
  CREATE INDEX id_map_target ON id_map (object, target_key) WHERE target_key IS NOT NULL;
  `,
  // 9: two run statuses: `completed_with_rejects` (every row accounted for, some rejected beyond
  // the declared maxErrorRatio) and `interrupted` (left running by a process that died). SQLite
  // cannot alter a CHECK, so runs is rebuilt (foreign keys are off during an upgrade, see
  // migrateStateSchema). project_lock: the one row of the command that holds the project.
  `
  CREATE TABLE runs_v9 (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('migrate', 'repair', 'sync', 'rollback')),
    status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'completed_with_rejects', 'incomplete', 'failed', 'stopped', 'interrupted')),
    dry_run       INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    plan_hash     TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    options       TEXT NOT NULL,
    summary       TEXT,
    parent_run_id TEXT REFERENCES runs (id)
  );
  INSERT INTO runs_v9 (id, kind, status, dry_run, plan_hash, started_at, finished_at, options, summary, parent_run_id)
    SELECT id, kind, status, dry_run, plan_hash, started_at, finished_at, options, summary, parent_run_id FROM runs;
  DROP TABLE runs;
  ALTER TABLE runs_v9 RENAME TO runs;
  CREATE INDEX runs_started ON runs (started_at);

  CREATE TABLE project_lock (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    command     TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    host        TEXT NOT NULL,
    start_ticks TEXT,
    started_at  TEXT NOT NULL
  );
  `,
  // 10: collapsed duplicates (rows sharing a source key), a part of `filtered`, counted on their own.
  `
  ALTER TABLE ledger ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0 CHECK (duplicates >= 0);
  `,
];

export const STATE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the database to `STATE_SCHEMA_VERSION`; refuses a database written by a newer crmbridge.
 * `onUpgrade` hears of an upgrade of an existing database (schema ≥ 1), before it runs.
 */
export function migrateStateSchema(db: Database.Database, path: string, onUpgrade?: (from: number, to: number) => void): void {
  const apply = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > 0 && current < STATE_SCHEMA_VERSION) onUpgrade?.(current, STATE_SCHEMA_VERSION);
    if (current > STATE_SCHEMA_VERSION) {
      throw new CrmError(
        'CRM_E6004',
        `state database schema version ${current} is newer than this crmbridge supports (${STATE_SCHEMA_VERSION}); upgrade crmbridge`,
        { location: { file: path } },
      );
    }
    for (const ddl of MIGRATIONS.slice(current)) db.exec(ddl);
    if (current < STATE_SCHEMA_VERSION && (db.pragma('foreign_key_check') as unknown[]).length > 0) {
      throw new CrmError('CRM_E6004', 'the state database upgrade left dangling references; nothing was changed', {
        location: { file: path },
      });
    }
    db.pragma(`user_version = ${STATE_SCHEMA_VERSION}`);
  });
  if ((db.pragma('user_version', { simple: true }) as number) >= STATE_SCHEMA_VERSION) {
    apply.immediate();
    return;
  }
  // A migration may rebuild a table others reference (SQLite's documented way to change a
  // constraint); foreign keys cannot be switched inside a transaction, so they are off for the
  // upgrade and checked as a whole before it commits.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    // IMMEDIATE: two processes opening a fresh store at once must not both run the DDL.
    apply.immediate();
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}
