import type Database from 'better-sqlite3';
import { CrmError } from '../core/errors/index.js';
import { currentProcess, isProcessAlive, type ProcessIdentity } from '../core/process-liveness.js';
import type { LockHolder } from './state-store.js';

/**
 * The project lock: one row in the state database (`project_lock`, id 1), held by the one command
 * that writes at a time. Taking it is one IMMEDIATE transaction, so two processes racing for it
 * are serialised by SQLite's write lock: one finds the row absent (or its holder dead) and writes
 * its own, the other then finds that row and fails.
 */

interface LockRow {
  command: string;
  pid: number;
  host: string;
  start_ticks: string | null;
  started_at: string;
}

export interface HeldLock {
  readonly holder: LockHolder;
  readonly identity: ProcessIdentity;
}

function identityOf(row: LockRow): ProcessIdentity {
  return { pid: row.pid, host: row.host, ...(row.start_ticks === null ? {} : { startTicks: row.start_ticks }) };
}

function lockRow(db: Database.Database): LockRow | undefined {
  return db.prepare('SELECT command, pid, host, start_ticks, started_at FROM project_lock WHERE id = 1').get() as LockRow | undefined;
}

/** Whether the lock was left behind by a process that died (it never released it). */
export function lockIsStale(db: Database.Database): boolean {
  const row = lockRow(db);
  return row !== undefined && !isProcessAlive(identityOf(row));
}

/** Takes the lock for `command` (see `StateStore.acquireLock`). */
export function takeLock(db: Database.Database, command: string, path: string): HeldLock {
  const identity = currentProcess();
  const holder: LockHolder = { command, pid: identity.pid, host: identity.host, startedAt: new Date().toISOString() };
  db.transaction(() => {
    const row = lockRow(db);
    if (row && isProcessAlive(identityOf(row))) {
      const same = row.pid === identity.pid && row.host === identity.host;
      throw new CrmError(
        'CRM_E6018',
        `\`crmbridge ${row.command}\` (pid ${row.pid} on ${row.host}, since ${row.started_at})${same ? ' in this process' : ''} is running on this project; \`crmbridge ${command}\` was not started`,
        { location: { file: path } },
      );
    }
    // No live command holds the project: a run still marked running was left by a dead one.
    db.prepare(`UPDATE runs SET status = 'interrupted', finished_at = @now WHERE status = 'running'`).run({ now: holder.startedAt });
    db.prepare(
      `INSERT OR REPLACE INTO project_lock (id, command, pid, host, start_ticks, started_at)
       VALUES (1, @command, @pid, @host, @startTicks, @startedAt)`,
    ).run({ ...holder, startTicks: identity.startTicks ?? null });
  }).immediate();
  return { holder, identity };
}

/** Releases a lock this process holds (a lock taken over by another since is left alone). */
export function dropLock(db: Database.Database, held: HeldLock, outcome: 'ok' | 'failed'): void {
  db.transaction(() => {
    const row = lockRow(db);
    if (!row || row.pid !== held.identity.pid || row.host !== held.identity.host || row.started_at !== held.holder.startedAt) return;
    if (outcome === 'failed') {
      db.prepare(`UPDATE runs SET status = 'failed', finished_at = @now WHERE status = 'running'`).run({ now: new Date().toISOString() });
    }
    db.prepare('DELETE FROM project_lock WHERE id = 1').run();
  }).immediate();
}
