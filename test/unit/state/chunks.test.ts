import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStateStore, STATE_SCHEMA_VERSION } from '../../../src/state/index.js';
import type { Checkpoint, StateStore } from '../../../src/state/state-store.js';
import { RUN, tempFolder, tempStore, ZERO_LEDGER } from './temp-folder.js';

const WRITER = resolve('test/unit/state/chunk-writer.ts');

/** A checkpoint of contacts pass 1 (chunk 0 = the whole pass) with `read` rows read and created. */
function checkpoint(chunk: number, upTo: string | undefined, position: string, read = 0, extra: Partial<Checkpoint> = {}): Checkpoint {
  return {
    object: 'contacts',
    pass: 1,
    chunk,
    ...(upTo === undefined ? {} : { upTo }),
    position,
    done: false,
    ledger: { ...ZERO_LEDGER, read, created: read },
    ...extra,
  };
}

function commit(store: StateStore, runId: string, cp: Checkpoint): Promise<void> {
  return store.commitBatch(runId, { object: cp.object, pass: cp.pass, checkpoint: cp });
}

const STARTED = [checkpoint(1, '["100"]', ''), checkpoint(2, '["200"]', '["100"]'), checkpoint(3, undefined, '["200"]')];

describe('chunked checkpoints', () => {
  it('startChunks stores the chunks of a pass, replacing only earlier chunks of that run, object and pass', async () => {
    const { store } = await tempStore();
    const run = await store.createRun(RUN);
    const other = await store.createRun(RUN);
    await commit(store, run.id, checkpoint(1, '["5"]', '', 0, { pass: 2 }));
    await commit(store, run.id, checkpoint(0, undefined, '["7"]', 7));
    await commit(store, run.id, checkpoint(1, '["5"]', '', 0, { object: 'accounts' }));
    await commit(store, other.id, checkpoint(1, '["5"]', ''));

    await store.startChunks(run.id, 'contacts', 1, STARTED);
    const untouched = [{ ...checkpoint(1, '["5"]', ''), object: 'accounts' }, checkpoint(0, undefined, '["7"]', 7)];
    expect(await store.getCheckpoints(run.id)).toEqual([...untouched, ...STARTED, { ...checkpoint(1, '["5"]', ''), pass: 2 }]);

    const fewer = [checkpoint(1, '["150"]', ''), checkpoint(2, undefined, '["150"]')];
    await store.startChunks(run.id, 'contacts', 1, fewer);
    expect(await store.getCheckpoints(run.id)).toEqual([...untouched, ...fewer, { ...checkpoint(1, '["5"]', ''), pass: 2 }]);
    expect(await store.getCheckpoints(other.id)).toEqual([checkpoint(1, '["5"]', '')]);
    // The ledger stays the last committed one until a chunk commits.
    expect((await store.getLedger(run.id)).find((l) => l.object === 'contacts')?.read).toBe(7);
  });

  it('startChunks stores all chunks or none', async () => {
    const { store } = await tempStore();
    const run = await store.createRun(RUN);
    await store.startChunks(run.id, 'contacts', 1, STARTED);

    // The second chunk fails inside the transaction (NOT NULL), after the old rows were deleted and the first one written.
    const failing = [checkpoint(1, '["50"]', ''), checkpoint(2, undefined, null as unknown as string)];
    await expect(store.startChunks(run.id, 'contacts', 1, failing)).rejects.toMatchObject({ code: 'CRM_E6004' });
    expect(await store.getCheckpoints(run.id)).toEqual(STARTED);

    for (const bad of [
      [checkpoint(1, '["50"]', ''), checkpoint(1, undefined, '["50"]')], // duplicate number
      [checkpoint(0, undefined, '')], // not a chunk
      [{ ...checkpoint(1, undefined, ''), object: 'accounts' }], // another object
      [{ ...checkpoint(1, undefined, ''), pass: 2 }], // another pass
    ]) {
      await expect(store.startChunks(run.id, 'contacts', 1, bad)).rejects.toMatchObject({ code: 'CRM_X9001' });
    }
    await expect(store.startChunks('no-such-run', 'contacts', 1, STARTED)).rejects.toMatchObject({ code: 'CRM_E6004' });
    expect(await store.getCheckpoints(run.id)).toEqual(STARTED);
  });

  it("commitBatch of a chunk updates its row and sets the object's ledger to the sum of the pass's chunks", async () => {
    const { store } = await tempStore();
    const run = await store.createRun(RUN);
    await store.startChunks(run.id, 'contacts', 1, STARTED);
    await commit(store, run.id, checkpoint(1, '["100"]', '["10"]', 10));
    await commit(store, run.id, checkpoint(3, undefined, '["205"]', 5));
    await commit(store, run.id, checkpoint(1, '["100"]', '["30"]', 30));
    expect(await store.getLedger(run.id)).toEqual([{ runId: run.id, object: 'contacts', ...ZERO_LEDGER, read: 35, created: 35 }]);

    // A checkpoint with another upper bound than its chunk's, or a bound without a chunk, is refused and changes nothing.
    await expect(commit(store, run.id, checkpoint(2, '["999"]', '["150"]', 50))).rejects.toMatchObject({ code: 'CRM_X9001' });
    await expect(commit(store, run.id, checkpoint(2, undefined, '["150"]', 50))).rejects.toMatchObject({ code: 'CRM_X9001' });
    await expect(commit(store, run.id, checkpoint(0, '["999"]', '["150"]', 50))).rejects.toMatchObject({ code: 'CRM_X9001' });
    expect((await store.getLedger(run.id))[0]?.read).toBe(35);

    // Pass 2's chunks add up on their own; the final whole-pass checkpoint sets the ledger as given.
    await commit(store, run.id, checkpoint(1, '["100"]', '["100"]', 8, { pass: 2 }));
    expect((await store.getLedger(run.id))[0]?.read).toBe(8);
    await commit(store, run.id, checkpoint(0, undefined, '["300"]', 35, { done: true }));
    expect((await store.getLedger(run.id))[0]?.read).toBe(35);

    expect(await store.getCheckpoints(run.id)).toEqual([
      checkpoint(0, undefined, '["300"]', 35, { done: true }),
      checkpoint(1, '["100"]', '["30"]', 30),
      STARTED[1],
      checkpoint(3, undefined, '["205"]', 5),
      checkpoint(1, '["100"]', '["100"]', 8, { pass: 2 }),
    ]);
  });

  it('keeps the ledger the exact sum when two connections on one file commit chunks interleaved', async () => {
    const { store: a, folder } = await tempStore();
    const { store: b } = await tempStore(folder);
    const run = await a.createRun(RUN);
    await a.startChunks(run.id, 'contacts', 1, [checkpoint(1, '["m"]', ''), checkpoint(2, undefined, '["m"]')]);

    const commits: Promise<void>[] = [];
    for (let n = 1; n <= 100; n++) {
      commits.push(commit(a, run.id, checkpoint(1, '["m"]', `["a${n}"]`, n)));
      commits.push(commit(b, run.id, checkpoint(2, undefined, `["z${n}"]`, 2 * n)));
    }
    await Promise.all(commits);

    expect(await b.getLedger(run.id)).toEqual([{ runId: run.id, object: 'contacts', ...ZERO_LEDGER, read: 300, created: 300 }]);
    expect(await a.getCheckpoints(run.id)).toEqual([checkpoint(1, '["m"]', '["a100"]', 100), checkpoint(2, undefined, '["z100"]', 200)]);
  });

  it('serialises chunk commits of several processes on one file: no busy error, the ledger always the exact sum', async () => {
    const folder = join(tempFolder(), '.crmbridge');
    const { store } = await tempStore(folder);
    const run = await store.createRun(RUN);
    const chunks = [1, 2, 3, 4];
    await store.startChunks(
      run.id,
      'contacts',
      1,
      chunks.map((c) => checkpoint(c, `["${c}~"]`, '')),
    );

    // Meanwhile, read the ledger and the chunks' sum in one snapshot, over and over.
    const reader = new Database(join(folder, 'state.db'), { readonly: true });
    const ledgerRead = reader.prepare("SELECT read FROM ledger WHERE run_id = ? AND object = 'contacts'").pluck();
    const chunkSum = reader
      .prepare("SELECT sum(ledger ->> 'read') FROM checkpoints WHERE run_id = ? AND object = 'contacts' AND chunk > 0")
      .pluck();
    const snapshot = reader.transaction((): [number, number] => [
      (ledgerRead.get(run.id) as number | undefined) ?? 0,
      chunkSum.get(run.id) as number,
    ]);
    const seen: [number, number][] = [];
    const poll = setInterval(() => seen.push(snapshot()), 2);
    try {
      const exits = await Promise.all(chunks.map((c) => runWriter(folder, run.id, c, 100)));
      expect(exits).toEqual([0, 0, 0, 0]);
    } finally {
      clearInterval(poll);
      reader.close();
    }

    expect(seen.filter(([ledger, sum]) => ledger !== sum)).toEqual([]);
    expect(seen.some(([ledger]) => ledger > 0 && ledger < 4_000)).toBe(true);
    expect(await store.getLedger(run.id)).toEqual([{ runId: run.id, object: 'contacts', ...ZERO_LEDGER, read: 4_000, created: 4_000 }]);
    expect(await store.getCheckpoints(run.id)).toEqual(chunks.map((c) => checkpoint(c, `["${c}~"]`, `["${c}-100-9"]`, 1_000)));
    expect((await store.lookupIds('contacts', ['["1-1-0"]', '["4-100-9"]'])).size).toBe(2);
  }, 30_000);
});

describe('state schema migration', () => {
  it('moves the checkpoints of a state database created before chunks to the new primary key, and its id mappings to the kept-key form', async () => {
    const folder = join(tempFolder(), '.crmbridge');
    mkdirSync(folder, { recursive: true });
    const raw = new Database(join(folder, 'state.db'));
    // The tables involved as schema version 5 created them.
    raw.exec(`
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
      INSERT INTO runs (id, kind, status, dry_run, plan_hash, started_at, options)
        VALUES ('old-run', 'migrate', 'stopped', 0, 'plan-1', '2026-11-01T00:00:00.000Z', '{}');
      INSERT INTO checkpoints VALUES
        ('old-run', 'contacts', 1, '["42"]', 1, '{"read":42,"created":42,"updated":0,"unchanged":0,"rejected":0,"filtered":0}'),
        ('old-run', 'contacts', 2, '["9"]', 0, '{"read":42,"created":42,"updated":9,"unchanged":0,"rejected":0,"filtered":0}');
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
      CREATE TABLE id_map (
        object     TEXT NOT NULL,
        source_key TEXT NOT NULL,
        target_key TEXT NOT NULL,
        run_id     TEXT NOT NULL,
        PRIMARY KEY (object, source_key)
      ) WITHOUT ROWID;
      CREATE INDEX id_map_target ON id_map (object, target_key);
      INSERT INTO id_map VALUES ('contacts', '["7"]', '["7"]', 'old-run'), ('contacts', '["8"]', '["800"]', 'old-run');
      PRAGMA user_version = 5;
    `);
    raw.close();

    const upgrades: [number, number][] = [];
    const store = await openStateStore(folder, { onUpgrade: (from, to) => upgrades.push([from, to]) });
    expect(upgrades).toEqual([[5, STATE_SCHEMA_VERSION]]);
    expect(await store.getCheckpoints('old-run')).toEqual([
      checkpoint(0, undefined, '["42"]', 42, { done: true }),
      { ...checkpoint(0, undefined, '["9"]', 42, { pass: 2 }), ledger: { ...ZERO_LEDGER, read: 42, created: 42, updated: 9 } },
    ]);
    expect(await store.lookupIds('contacts', ['["7"]', '["8"]'])).toEqual(
      new Map([
        ['["7"]', '["7"]'],
        ['["8"]', '["800"]'],
      ]),
    );
    // The new key takes chunks next to the whole-pass row.
    await store.startChunks('old-run', 'contacts', 2, [checkpoint(1, '["5"]', '', 0, { pass: 2 })]);
    expect((await store.getCheckpoints('old-run')).map((c) => [c.pass, c.chunk])).toEqual([
      [1, 0],
      [2, 0],
      [2, 1],
    ]);
    await store.close();

    const check = new Database(join(folder, 'state.db'), { readonly: true });
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(STATE_SCHEMA_VERSION);
      const key = (check.pragma('table_info(checkpoints)') as { name: string; pk: number }[]).filter((c) => c.pk > 0);
      expect(key.sort((x, y) => x.pk - y.pk).map((c) => c.name)).toEqual(['run_id', 'object', 'pass', 'chunk']);
      expect(check.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'checkpoints_v6'").pluck().get()).toBe(0);
      // Migration 8: a mapping that keeps its source key is stored as NULL, the others as they were.
      expect(check.prepare('SELECT source_key, target_key FROM id_map ORDER BY source_key').raw().all()).toEqual([
        ['["7"]', null],
        ['["8"]', '["800"]'],
      ]);
    } finally {
      check.close();
    }
  });

  it('opens a migrated state database again without migrating twice (and a new one is no upgrade)', async () => {
    const upgrades: [number, number][] = [];
    const onUpgrade = (from: number, to: number) => upgrades.push([from, to]);
    const folder = join(tempFolder(), '.crmbridge');
    const store = await openStateStore(folder, { onUpgrade });
    const run = await store.createRun(RUN);
    await store.startChunks(run.id, 'contacts', 1, STARTED);
    await store.close();
    const reopened = await openStateStore(folder, { onUpgrade });
    expect(upgrades).toEqual([]);
    try {
      expect(await reopened.getCheckpoints(run.id)).toEqual(STARTED);
    } finally {
      await reopened.close();
    }
  });
});

/** Runs chunk-writer.ts under tsx's loader in a node child and resolves with its exit code. */
function runWriter(folder: string, runId: string, chunk: number, batches: number): Promise<number | null> {
  return new Promise((done, fail) => {
    const child = fork(WRITER, [folder, runId, String(chunk), String(batches)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code) => done(code));
  });
}
