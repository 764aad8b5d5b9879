import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../../src/state/index.js';
import { tempFolder } from './temp-folder.js';

const HOLDER = resolve('test/unit/state/lock-holder.ts');

/** Starts a holder process; resolves once it holds the lock, with its run id. */
function startHolder(folder: string, then?: 'release' | 'fail'): Promise<{ child: ChildProcess; runId: string }> {
  return new Promise((done, fail) => {
    const child = fork(HOLDER, [folder, ...(then ? [then] : [])], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.on('error', fail);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /held (\S+)\n/.exec(out);
      if (m) done({ child, runId: m[1] });
    });
    child.on('exit', (code) => {
      if (!/held/.test(out)) fail(new Error(`holder exited with ${code} before holding the lock`));
    });
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((done) => (child.exitCode !== null || child.signalCode !== null ? done() : child.on('exit', () => done())));

describe('project lock (two real processes)', () => {
  it('refuses a second command while another process holds it, naming that command', async () => {
    const folder = join(tempFolder(), '.crmbridge');
    const { child, runId } = await startHolder(folder);
    const store = await openStateStore(folder);
    try {
      await expect(store.acquireLock('rollback')).rejects.toMatchObject({
        code: 'CRM_E6018',
        message: expect.stringContaining('crmbridge migrate'),
      });
      await expect(store.acquireLock('rollback')).rejects.toThrow(`pid ${child.pid}`);
      expect((await store.getRun(runId))?.status).toBe('running');
    } finally {
      child.kill('SIGKILL');
      await exited(child);
      await store.close();
    }
  });

  it('takes over the lock of a killed process; its run shows interrupted, before and after', async () => {
    const folder = join(tempFolder(), '.crmbridge');
    const { child, runId } = await startHolder(folder);
    child.kill('SIGKILL');
    await exited(child);
    const store = await openStateStore(folder);
    try {
      expect((await store.getRun(runId))?.status).toBe('interrupted');
      expect((await store.listRuns()).map((r) => r.status)).toEqual(['interrupted']);
      const lock = await store.acquireLock('migrate');
      expect(lock.holder.pid).toBe(process.pid);
      expect((await store.getRun(runId))?.status).toBe('interrupted');
      await lock.release();
      // Released: free for the next command.
      await (await store.acquireLock('sync')).release();
    } finally {
      await store.close();
    }
  });

  it('a command that failed leaves its run failed, not running', async () => {
    const folder = join(tempFolder(), '.crmbridge');
    const { child, runId } = await startHolder(folder, 'fail');
    await exited(child);
    const store = await openStateStore(folder);
    try {
      expect((await store.getRun(runId))?.status).toBe('failed');
      await (await store.acquireLock('migrate')).release();
    } finally {
      await store.close();
    }
  });

  it('stores the new statuses; upgrading a schema-8 database keeps its runs and the references to them', async () => {
    const folder = join(tempFolder(), '.crmbridge');
    mkdirSync(folder, { recursive: true });
    const old = new Database(join(folder, 'state.db'));
    old.exec(`
      CREATE TABLE runs (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('migrate', 'repair', 'sync', 'rollback')),
        status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'incomplete', 'failed', 'stopped')),
        dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1)), plan_hash TEXT NOT NULL, started_at TEXT NOT NULL,
        finished_at TEXT, options TEXT NOT NULL, summary TEXT, parent_run_id TEXT REFERENCES runs (id));
      CREATE TABLE ledger (run_id TEXT NOT NULL REFERENCES runs (id), object TEXT NOT NULL, read INTEGER NOT NULL,
        created INTEGER NOT NULL, updated INTEGER NOT NULL, unchanged INTEGER NOT NULL, rejected INTEGER NOT NULL,
        filtered INTEGER NOT NULL, PRIMARY KEY (run_id, object)) WITHOUT ROWID;
      INSERT INTO runs VALUES ('old-1', 'migrate', 'completed', 0, 'p', '2026-01-01T00:00:00.000Z', NULL, '{}', NULL, NULL);
      INSERT INTO runs VALUES ('old-2', 'migrate', 'running', 0, 'p', '2026-01-02T00:00:00.000Z', NULL, '{}', NULL, 'old-1');
      INSERT INTO ledger VALUES ('old-1', 'people', 3, 3, 0, 0, 0, 0);
      PRAGMA user_version = 8;`);
    old.close();
    const store = await openStateStore(folder);
    try {
      expect((await store.listRuns()).map((r) => [r.id, r.status, r.parentRunId])).toEqual([
        ['old-2', 'running', 'old-1'],
        ['old-1', 'completed', undefined],
      ]);
      expect(await store.getLedger('old-1')).toHaveLength(1);
      await store.finishRun('old-2', 'completed_with_rejects');
      expect((await store.getRun('old-2'))?.status).toBe('completed_with_rejects');
      await store.finishRun('old-2', 'interrupted');
    } finally {
      await store.close();
    }
    const check = new Database(join(folder, 'state.db'));
    check.pragma('foreign_keys = ON');
    expect(() =>
      check
        .prepare(
          "INSERT INTO ledger (run_id, object, read, created, updated, unchanged, rejected, filtered) VALUES ('nope', 'x', 0, 0, 0, 0, 0, 0)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    check.close();
  });
});
