import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConnector } from '../../src/connectors/registry.js';
import type { Value } from '../../src/core/types.js';
import { type RollbackResult, rollback } from '../../src/engine/rollback.js';
import { openStateStore } from '../../src/state/index.js';
import { writeSqliteSource } from '../helpers/sqlite-source.js';

/**
 * Fault injection (issue 14): the CLI is killed with SIGKILL at seeded points of migrate,
 * rollback, repair and sync — right after a journal intent committed, after a target write
 * before its checkpoint, after a checkpoint (`CRMBRIDGE_KILL_AT`, see src/core/kill-point.ts) —
 * then resumed or run again: the target must equal the one an uninterrupted run leaves, and
 * rolling every run back must give the exact prior target (tables the migration created dropped).
 * SQLite source and target files, so that each trial starts from a copy of a folder.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const ACCOUNTS = 120;
const CONTACTS = 360;
const TRIALS = 10;

const project = (dir: string, source: string) => `
source: { url: "sqlite:${source}" }
target: { url: "sqlite:${join(dir, 'target.db')}" }
options: { batchSize: 20, parallelism: 2 }
objects:
  companies:
    source: { table: accounts, key: id }
    target: { table: companies, key: id }
    fields:
      id: id
      name: { from: name, transform: [trim] }
      parent_id: { from: parent_id, ref: companies, type: text }
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id, generateKey: uuid }
    fields:
      company_id: { from: account_id, ref: companies, type: text }
      email: { from: email1, transform: [{ email: { on_invalid: "null" } }], type: text }
      full_name: { from: [first_name, last_name], transform: [{ concat: { separator: " " } }], type: text }
`;

/** Deterministic kill points: `count` distinct (point, n) pairs, n in 1..max. */
function killPoints(seed: number, names: readonly string[], max: number, count: number): string[] {
  let s = seed >>> 0;
  const next = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Set<string>();
  while (out.size < count) out.add(`${names[Math.floor(next() * names.length)]}:${1 + Math.floor(next() * max)}`);
  return [...out];
}

let bundle: string;

/** Runs the bundled CLI in `dir`; resolves with its exit code or the signal that killed it. */
function cli(dir: string, args: string[], killAt = ''): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const child = spawn(process.execPath, [bundle, ...args], {
    cwd: dir,
    env: { ...process.env, CRMBRIDGE_KILL_AT: killAt },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return new Promise((res) => child.on('exit', (code, signal) => res({ code, signal, output })));
}

/** Every table of the target file with its rows in key order: the whole target, exactly. */
function dump(dir: string): string {
  const db = new Database(join(dir, 'target.db'), { readonly: true });
  try {
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
      sql: string;
    }[];
    return JSON.stringify(tables.map((t) => [t.sql, db.prepare(`SELECT * FROM "${t.name}" ORDER BY 1`).raw().all()]));
  } finally {
    db.close();
  }
}

/** Rolls back the given runs (default: every run that wrote, newest first), in this process. */
async function rollbackRuns(dir: string, pick: (kind: string) => boolean = () => true): Promise<RollbackResult[]> {
  const target = await openConnector(`sqlite:${join(dir, 'target.db')}`);
  const state = await openStateStore(join(dir, '.crmbridge'));
  try {
    const runs = (await state.listRuns()).filter((r) => r.kind !== 'rollback' && !r.dryRun && pick(r.kind));
    const results: RollbackResult[] = [];
    for (const r of runs) results.push(await rollback({ runId: r.id, target, state }));
    return results;
  } finally {
    await state.close();
    await target.close();
  }
}

async function runIds(dir: string, kind: string): Promise<string[]> {
  const state = await openStateStore(join(dir, '.crmbridge'));
  try {
    return (await state.listRuns()).filter((r) => r.kind === kind).map((r) => r.id);
  } finally {
    await state.close();
  }
}

describe('kill -9 at seeded points of migrate, rollback, repair and sync; resume; roll everything back', () => {
  let work: string;
  /** The target before any run: companies with some rows (equal, different, unrelated), no people table. */
  let prior: string;
  let priorDump: string;
  /** After one uninterrupted migration. */
  let migrated: string;
  let migratedDump: string;
  let counter = 0;
  /** A project folder (project file, target file, state) whose project reads `source`. */
  const withSource = (dir: string, source: string) => {
    writeFileSync(join(dir, 'crmbridge.yaml'), project(dir, source));
    return dir;
  };
  /** A copy of a project folder, its project pointing at the copy's target. */
  const copy = (from: string, source = join(work, 'source.db')) => {
    const to = join(work, `t${counter++}`);
    cpSync(from, to, { recursive: true });
    return withSource(to, source);
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'crmbridge-faults-'));
    // The CLI as one bundled script (and the worker entry beside it) in a folder under the
    // repository, so its packages resolve: a spawn starts in about a second instead of ~5 s
    // through tsx. The code is the sources', as in the other tests.
    const out = mkdtempSync(join(ROOT, 'node_modules', '.cache-crmbridge-faults-'));
    await build({
      entryPoints: [join(ROOT, 'src/cli/main.ts'), join(ROOT, 'src/cli/migrate-worker.ts')],
      outdir: out,
      outbase: join(ROOT, 'src/cli'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      target: 'node20',
      logLevel: 'error',
    });
    bundle = join(out, 'main.js');

    const id = (p: string, i: number) => `${p}${String(i).padStart(6, '0')}`;
    const accounts: Value[][] = Array.from({ length: ACCOUNTS }, (_, i) => [
      id('a', i),
      ` Account ${i} `,
      i % 7 === 0 ? id('a', (i * 13 + 5) % ACCOUNTS) : null,
    ]);
    const contacts: Value[][] = Array.from({ length: CONTACTS }, (_, i) => [
      id('c', i),
      i % 50 === 0 ? id('a', ACCOUNTS + i) : id('a', i % ACCOUNTS),
      `First${i}`,
      `Last${i}`,
      i % 11 === 0 ? 'broken@' : `p${i}@example.com`,
    ]);
    await writeSqliteSource(join(work, 'source.db'), {
      accounts: { columns: ['id', 'name', 'parent_id'], rows: accounts },
      contacts: { columns: ['id', 'account_id', 'first_name', 'last_name', 'email1'], rows: contacts },
    });
    // A changed source for sync: renamed contacts and accounts, new ones.
    cpSync(join(work, 'source.db'), join(work, 'source2.db'));
    const changed = new Database(join(work, 'source2.db'));
    changed.exec(`UPDATE contacts SET first_name = first_name || 'x' WHERE rowid % 13 = 0;
      UPDATE accounts SET name = name || 'y' WHERE rowid % 17 = 0;
      INSERT INTO accounts (id, name, parent_id) VALUES ('b000001', 'New one', 'a000003'), ('b000002', 'New two', NULL);`);
    const insert = changed.prepare('INSERT INTO contacts (id, account_id, first_name, last_name, email1) VALUES (?, ?, ?, ?, ?)');
    for (let i = 0; i < 40; i++) insert.run(id('d', i), i % 2 ? 'b000001' : id('a', i), `New${i}`, `Person${i}`, `n${i}@example.com`);
    changed.close();

    prior = join(work, 'prior');
    mkdirSync(prior);
    withSource(prior, join(work, 'source.db'));
    const target = new Database(join(prior, 'target.db'));
    target.exec(`CREATE TABLE companies (id TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL, parent_id TEXT REFERENCES companies (id));
      INSERT INTO companies VALUES ('z000001', 'Unrelated', NULL);`);
    const company = target.prepare('INSERT INTO companies VALUES (?, ?, NULL)');
    // Some rows equal to what the run writes (unchanged), some not (updated, with prior images).
    for (let i = 0; i < 20; i++) company.run(id('a', i * 3), i % 2 ? `Account ${i * 3}` : `Old name ${i}`);
    target.close();
    priorDump = dump(prior);

    migrated = copy(prior);
    const done = await cli(migrated, ['migrate']);
    // 8 people point at accounts the source lacks (missing_parent): migrate ends completed_with_rejects, exit 3.
    expect(done.code, done.output).toBe(3);
    migratedDump = dump(migrated);
    expect(migratedDump).not.toEqual(priorDump);
  }, 120_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    if (bundle) rmSync(resolve(bundle, '..'), { recursive: true, force: true });
  });

  it('migrate: killed anywhere, resumed, equals an uninterrupted run; rolled back (resumed or not), equals the prior target', async () => {
    for (const point of killPoints(14, ['intent', 'written', 'committed'], 6, TRIALS)) {
      const dir = copy(prior);
      const killed = await cli(dir, ['migrate'], point);
      expect(killed.signal, `${point}: ${killed.output}`).toBe('SIGKILL');
      // Rolled back straight after the kill, without a resume.
      const direct = copy(dir);
      expect((await rollbackRuns(direct)).flatMap((r) => r.kept)).toEqual([]);
      expect(dump(direct), point).toEqual(priorDump);

      const resumed = await cli(dir, ['migrate', '--resume']);
      expect(resumed.code, `${point}: ${resumed.output}`).toBe(3);
      expect(dump(dir), point).toEqual(migratedDump);
      const undone = await rollbackRuns(dir);
      expect(undone.flatMap((r) => r.kept)).toEqual([]);
      expect(undone[0].droppedTables).toEqual(['people']);
      expect(dump(dir), point).toEqual(priorDump);
      // A second rollback does nothing and says so.
      expect((await rollbackRuns(dir)).map((r) => r.alreadyRolledBackAt !== undefined)).toEqual([true]);
      expect(dump(dir)).toEqual(priorDump);
    }
  }, 300_000);

  it('rollback: killed anywhere, run again, gives the exact prior target, and once done does nothing', async () => {
    const [runId] = await runIds(migrated, 'migrate');
    let dir = '';
    for (const point of killPoints(15, ['written', 'committed'], 12, TRIALS)) {
      dir = copy(migrated);
      const killed = await cli(dir, ['rollback', runId], point);
      expect(killed.signal, `${point}: ${killed.output}`).toBe('SIGKILL');
      const [again] = await rollbackRuns(dir);
      expect(again.kept).toEqual([]);
      expect(again.alreadyRolledBackAt).toBeUndefined();
      expect(dump(dir), point).toEqual(priorDump);
    }
    const third = await cli(dir, ['rollback', runId]);
    expect(third.output).toMatch(new RegExp(`^Nothing to do: run ${runId} was rolled back at `));
    expect(dump(dir)).toEqual(priorDump);
  }, 300_000);

  it('repair: killed anywhere, run again, equals an uninterrupted repair; rolling the repairs back gives the tampered target', async () => {
    const tampered = copy(migrated);
    const db = new Database(join(tampered, 'target.db'));
    db.exec(`DELETE FROM people WHERE rowid % 9 = 0;
      UPDATE people SET full_name = 'Edited' WHERE rowid % 10 = 1;
      UPDATE companies SET name = 'Tampered' WHERE rowid % 8 = 2;
      INSERT INTO companies VALUES ('x000001', 'Extra', NULL), ('x000002', 'Extra two', NULL);
      INSERT INTO people VALUES ('00000000-0000-5000-8000-000000000001', 'x000001', 'extra@example.com', 'Extra person');`);
    db.close();
    const tamperedDump = dump(tampered);
    const reference = copy(tampered);
    // The planted extras are in no id map: --scope all lets repair delete them (the default scope would leave them as foreign rows).
    const repaired = await cli(reference, ['repair', '--delete-extra', '--scope', 'all']);
    expect(repaired.code, repaired.output).toBe(0);
    const repairedDump = dump(reference);
    expect(repairedDump).not.toEqual(tamperedDump);

    // Writes: companies' updates, people's inserts and updates, then the extra rows' deletes
    // (people, companies): 5 intents and writes, 4 checkpoints.
    for (const point of killPoints(16, ['intent', 'written', 'committed'], 4, TRIALS)) {
      const dir = copy(tampered);
      const killed = await cli(dir, ['repair', '--delete-extra', '--scope', 'all'], point);
      expect(killed.signal, `${point}: ${killed.output}`).toBe('SIGKILL');
      const again = await cli(dir, ['repair', '--delete-extra', '--scope', 'all']);
      expect(again.code, `${point}: ${again.output}`).toBe(0);
      expect(dump(dir), point).toEqual(repairedDump);
      expect((await rollbackRuns(dir, (kind) => kind === 'repair')).flatMap((r) => r.kept)).toEqual([]);
      expect(dump(dir), point).toEqual(tamperedDump);
    }
  }, 300_000);

  it('sync --once: killed anywhere, run again, equals an uninterrupted sync; rolling everything back gives the prior target', async () => {
    const reference = copy(migrated, join(work, 'source2.db'));
    const synced = await cli(reference, ['sync', '--once', '--mode', 'snapshot']);
    expect(synced.code, synced.output).toBe(0);
    const syncedDump = dump(reference);
    expect(syncedDump).not.toEqual(migratedDump);

    for (const point of killPoints(17, ['intent', 'written', 'committed'], 8, TRIALS)) {
      const dir = copy(migrated, join(work, 'source2.db'));
      const killed = await cli(dir, ['sync', '--once', '--mode', 'snapshot'], point);
      expect(killed.signal, `${point}: ${killed.output}`).toBe('SIGKILL');
      const again = await cli(dir, ['sync', '--once', '--mode', 'snapshot']);
      expect(again.code, `${point}: ${again.output}`).toBe(0);
      expect(dump(dir), point).toEqual(syncedDump);
      expect((await rollbackRuns(dir)).flatMap((r) => r.kept)).toEqual([]);
      expect(dump(dir), point).toEqual(priorDump);
    }
  }, 300_000);
});
