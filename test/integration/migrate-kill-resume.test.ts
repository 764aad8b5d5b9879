import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Value } from '../../src/core/types.js';
import { type FreshDatabase, freshPostgres } from '../helpers/databases.js';
import { postgresRows } from '../helpers/postgres-rows.js';
import { writeSqliteSource } from '../helpers/sqlite-source.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ACCOUNTS = 3000;
const CONTACTS = 12000;

const project = (targetUrl: string) => `
source: { url: "sqlite:source.db" }
target: { url: "${targetUrl}" }
options: { batchSize: 250, parallelism: 2 }
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

/** Runs the CLI as a user would; resolves with its exit code (null when killed). */
function cli(cwd: string, args: string[]): { child: ChildProcess; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const done = new Promise<number | null>((res) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(err);
      res(code);
    }),
  );
  return { child, done };
}

const dump = (url: string) => postgresRows(url, ['companies', 'people']);

/** Rows in the target's two tables so far (0 before they exist). */
async function count(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT (SELECT count(*) FROM companies) + (SELECT count(*) FROM people) AS n');
    return Number(rows[0].n);
  } catch {
    return 0;
  } finally {
    await client.end();
  }
}

describe('kill -9 and resume (SQLite → PostgreSQL, through the CLI)', () => {
  let dir: string;
  const dbs: FreshDatabase[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crmbridge-kill-'));
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
    await writeSqliteSource(join(dir, 'source.db'), {
      accounts: { columns: ['id', 'name', 'parent_id'], rows: accounts },
      contacts: { columns: ['id', 'account_id', 'first_name', 'last_name', 'email1'], rows: contacts },
    });
  }, 120_000);

  afterAll(async () => {
    for (const db of dbs) await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends with the same target as one uninterrupted run, after kills at random moments', async (ctx) => {
    const reference = await freshPostgres();
    if (!reference) return ctx.skip();
    dbs.push(reference);
    const refDir = mkdtempSync(join(dir, 'ref-'));
    writeFileSync(join(refDir, 'crmbridge.yaml'), project(reference.url).replace('sqlite:source.db', `sqlite:${join(dir, 'source.db')}`));
    expect(await cli(refDir, ['migrate']).done).toBe(3);
    const expected = await dump(reference.url);
    expect(expected.length).toBe(ACCOUNTS + CONTACTS - CONTACTS / 50);

    // Rows in the target right after each kill: the kills must really land mid-run. Each trial
    // kills once the target holds a given number of rows (plus a random delay), not after a
    // fixed time: start-up time varies with the machine's load, the progress of the load does not.
    const partial: number[] = [];
    const thresholds = [1, ACCOUNTS, ACCOUNTS + CONTACTS / 2];
    for (const [trial, threshold] of thresholds.entries()) {
      const db = (await freshPostgres())!;
      dbs.push(db);
      const runDir = mkdtempSync(join(dir, `trial${trial}-`));
      writeFileSync(join(runDir, 'crmbridge.yaml'), project(db.url).replace('sqlite:source.db', `sqlite:${join(dir, 'source.db')}`));
      const run = cli(runDir, ['migrate']);
      let exited = false;
      void run.done.then(() => {
        exited = true;
      });
      while (!exited && (await count(db.url)) < threshold) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, Math.random() * 100));
      run.child.kill('SIGKILL');
      await run.done;
      partial.push((await dump(db.url).catch(() => [])).length);
      const resumed = await cli(runDir, ['migrate', '--resume']).done;
      expect(resumed, `trial ${trial}`).toBe(3);
      expect(await dump(db.url), `trial ${trial}`).toEqual(expected);
      // And a plain re-run afterwards changes nothing.
      expect(await cli(runDir, ['migrate']).done).toBe(3);
      expect(await dump(db.url)).toEqual(expected);
    }
    expect(
      partial.some((n) => n > 0 && n < expected.length),
      `rows after the kills: ${partial.join(', ')}`,
    ).toBe(true);
  }, 300_000);
});
