import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { registerDiff } from '../../src/cli/commands/diff-command.js';
import type { DatabaseDiffResult } from '../../src/engine/verify/database-diff.js';
import { type FreshDatabase, freshPostgres } from '../helpers/databases.js';

/**
 * `crmbridge diff` on whole databases: tables on one side only, added / removed / renamed
 * columns and type changes are reported before the rows, and a missing table is a difference
 * (exit 1), not a failure (exit 2).
 */
const dir = mkdtempSync(join(tmpdir(), 'crmbridge-diff-db-'));
const dbs: FreshDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

function sqlite(name: string, sql: string): string {
  const db = new Database(join(dir, name));
  db.exec(sql);
  db.close();
  return `sqlite:${join(dir, name)}`;
}

async function diff(...args: string[]): Promise<{ code: number | undefined; out: string }> {
  const program = new Command().exitOverride();
  registerDiff(program);
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = (chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  };
  try {
    await program.parseAsync(['node', 'crmbridge', 'diff', ...args]);
  } finally {
    process.stdout.write = write;
  }
  const code = process.exitCode as number | undefined;
  process.exitCode = 0;
  return { code, out };
}

const BEFORE = `
  CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT, fax TEXT, score INTEGER);
  INSERT INTO accounts VALUES (1, 'Acme', 'f1', 1), (2, 'Globex', 'f2', 2), (3, 'Initech', NULL, 3);
  CREATE TABLE legacy_notes (id INTEGER PRIMARY KEY, body TEXT);
  CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT);
  INSERT INTO users VALUES (1, 'ana');`;
const AFTER = `
  CREATE TABLE Accounts (id INTEGER PRIMARY KEY, name TEXT, telefax TEXT, score TEXT, phone TEXT);
  INSERT INTO Accounts VALUES (1, 'Acme', 'f1', '1', NULL), (2, 'GLOBEX', 'f2', '2', NULL), (4, 'Umbrella', NULL, '4', NULL);
  CREATE TABLE deals (id INTEGER PRIMARY KEY);
  CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT);
  INSERT INTO users VALUES (1, 'ana');`;

describe('crmbridge diff of whole databases', () => {
  it('reports added and removed tables, added, removed and renamed columns, type changes, then rows (exit 1)', async () => {
    const a = sqlite('before.db', BEFORE);
    const b = sqlite('after.db', AFTER);
    const { code, out } = await diff(a, b, '--json');
    expect(code).toBe(1);
    const r = JSON.parse(out) as DatabaseDiffResult;
    expect(r.tablesOnlyInA).toEqual(['legacy_notes']);
    expect(r.tablesOnlyInB).toEqual(['deals']);
    expect(r.tables.map((t) => t.table)).toEqual([
      { a: 'accounts', b: 'Accounts' },
      { a: 'users', b: 'users' },
    ]);
    const accounts = r.tables[0];
    expect(accounts.schema.columnsOnlyInA.map((c) => c.name)).toEqual(['fax']);
    expect(accounts.schema.columnsOnlyInB.map((c) => c.name)).toEqual(['telefax', 'phone']);
    expect(accounts.schema.renamed).toEqual([{ a: 'fax', b: 'telefax', reason: 'a guess: same position and type' }]);
    expect(accounts.schema.typeChanged).toEqual([
      expect.objectContaining({ column: { a: 'score', b: 'score' }, a: expect.objectContaining({ nativeType: 'INTEGER' }) }),
    ]);
    // Rows over the columns both have: "1" and 1 are the same score, the changed name is not.
    expect(accounts.rows?.columns).toEqual([
      { a: 'name', b: 'name' },
      { a: 'score', b: 'score' },
    ]);
    expect(accounts.rows?.onlyInA.map((x) => x.key)).toEqual([['3']]);
    expect(accounts.rows?.onlyInB.map((x) => x.key)).toEqual([['4']]);
    expect(accounts.rows?.changed).toEqual([{ key: ['2'], fields: [{ column: { a: 'name', b: 'name' }, a: 'Globex', b: 'GLOBEX' }] }]);
    expect(r.tables[1].schema.equal && r.tables[1].rows?.equal).toBe(true);

    const human = await diff(a, b);
    expect(human.out).toContain('- table only in a: legacy_notes');
    expect(human.out).toContain('+ table only in b: deals');
    expect(human.out).toContain('  + column only in b: phone text (TEXT)');
    expect(human.out).toContain('  ~ type of score: bigint (INTEGER) → text (TEXT)');
    expect(human.out).toContain('  ? renamed fax → telefax (a guess: same position and type)');
  });

  it('keeps the --table form: a table missing on one side is a difference (exit 1), on both sides an error (exit 2)', async () => {
    const a = sqlite('one.db', BEFORE);
    const b = sqlite('two.db', AFTER);
    const onlyA = await diff(a, b, '--table', 'legacy_notes', '--json');
    expect(onlyA.code).toBe(1);
    expect(JSON.parse(onlyA.out)).toMatchObject({ tablesOnlyInA: ['legacy_notes'], tablesOnlyInB: [], tables: [] });
    expect((await diff(a, b, '--table', 'users', '--key', 'id')).code).toBe(0);
    expect((await diff(a, b, '--table', 'no_such_table')).code).toBe(2);
    expect((await diff(a, a)).code).toBe(0);
  });

  it('a table without a key it can compare by makes an otherwise equal diff incomplete (exit 2)', async () => {
    const a = sqlite('nokey.db', 'CREATE TABLE tags (label TEXT)');
    const { code, out } = await diff(a, a, '--json');
    expect(code).toBe(2);
    expect(JSON.parse(out).tables[0].rowsNotCompared).toMatch(/no primary key|neither side has a primary key/);
  });

  it('SQLite against PostgreSQL: the same data under each dialect’s own types is identical (exit 0)', async (ctx) => {
    const target = await freshPostgres();
    if (!target) return ctx.skip();
    dbs.push(target);
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    await client.query(`CREATE TABLE users (id bigint PRIMARY KEY, login text); INSERT INTO users VALUES (1, 'ana')`);
    await client.end();
    const a = sqlite('users.db', "CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT); INSERT INTO users VALUES (1, 'ana')");
    const { code, out } = await diff(a, target.url);
    expect(out).toContain('identical');
    expect(code).toBe(0);
  });
});
