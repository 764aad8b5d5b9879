import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExitCode } from '../../src/cli/commands/verify-command.js';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import type { Value } from '../../src/core/types.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { repair } from '../../src/engine/repair/repair.js';
import { verify } from '../../src/engine/verify/verify.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import type { Plan } from '../../src/mapping/plan/plan-types.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/state-store.js';
import { type FreshDatabase, freshPostgres } from '../helpers/databases.js';
import { table, textColumn } from '../helpers/schema-builders.js';

/**
 * A target that held rows before the migration: 200 companies of its own, their keys between
 * the migrated ones (odd numbers among even), so every key range and checksum segment of verify
 * mixes both. Verify compares the migration's rows and counts the others; repair leaves them.
 */
const key = (i: number) => `k${String(i).padStart(4, '0')}`;
const SOURCE: Value[][] = Array.from({ length: 300 }, (_, i) => [key(2 * i), `Company ${i}`]);
const FOREIGN: Value[][] = Array.from({ length: 200 }, (_, i) => [key(2 * i + 1), `Theirs ${i}`]);

describe('verify and repair on a target that already held rows (SQLite → PostgreSQL)', () => {
  let dir: string;
  let db: FreshDatabase | undefined;
  let source: Connector;
  let target: Connector;
  let state: StateStore;
  let plan: Plan;

  beforeAll(async () => {
    db = await freshPostgres();
    if (!db) return;
    dir = mkdtempSync(join(tmpdir(), 'crmbridge-scope-'));
    source = await openConnector(`sqlite:${join(dir, 'source.db')}`);
    target = await openConnector(db.url);
    state = await openStateStore(join(dir, '.crmbridge'));
    const sw = await source.writer();
    await sw.createTables([table('accounts', [textColumn('id', false), textColumn('name')])]);
    await sw.write('accounts', { columns: ['id', 'name'], rows: SOURCE }, { mode: 'insert' });
    await sw.close();
    const tw = await target.writer();
    await tw.createTables([table('companies', [textColumn('id', false), textColumn('name')])]);
    await tw.write('companies', { columns: ['id', 'name'], rows: FOREIGN }, { mode: 'insert' });
    await tw.close();
    plan = compilePlan(
      parseProject(
        `
source: { url: "sqlite:source.db" }
target: { url: "${db.url}" }
options: { batchSize: 50, parallelism: 1 }
objects:
  companies:
    source: { table: accounts, key: id }
    target: { table: companies, key: id }
    fields: { id: id, name: name }
`,
        'crmbridge.yaml',
      ),
    );
    const result = await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
    expect(result.status).toBe('completed');
  });
  afterAll(async () => {
    if (!db) return;
    await source.close();
    await target.close();
    await state.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const targetCount = async () => {
    const client = new pg.Client({ connectionString: db!.url });
    await client.connect();
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM companies');
    await client.end();
    return Number(rows[0].n);
  };

  it('verify (key ranges of 60 rows) is equal and counts the 200 rows not from the migration; --scope all reports them extra', async (ctx) => {
    if (!db) return ctx.skip();
    const checked = await verify({ plan, source, target, state, partitionRows: 60 });
    const companies = checked.objects[0];
    expect(companies).toMatchObject({ status: 'equal', foreign: 200, extra: [], missing: [], changed: [], pushdown: true });
    expect(companies.counts).toMatchObject({ expected: 300, target: 500 });
    expect(verifyExitCode(checked)).toBe(0);

    const all = await verify({ plan, source, target, state, partitionRows: 60, scope: 'all' });
    expect(all.objects[0]).toMatchObject({ status: 'different', foreign: 0 });
    expect(all.objects[0].extra.map((e) => e.key[0]).sort()).toEqual(FOREIGN.map((r) => r[0]));
    expect(verifyExitCode(all)).toBe(1);
  });

  it('repair --delete-extra deletes a migrated row whose source row is gone, and leaves the rows not from the migration', async (ctx) => {
    if (!db) return ctx.skip();
    const sw = await source.writer();
    await sw.deleteByKeys('accounts', ['id'], [[key(10)]]);
    await sw.close();
    const checked = await verify({ plan, source, target, state, partitionRows: 60 });
    expect(checked.objects[0]).toMatchObject({ status: 'different', foreign: 200, missing: [] });
    expect(checked.objects[0].extra.map((e) => e.key)).toEqual([[key(10)]]);

    const repaired = await repair({ plan, source, target, state, deleteExtra: true, partitionRows: 60 });
    expect(repaired.objects[0]).toMatchObject({ deleted: 1, inserted: 0, updated: 0 });
    expect(repaired.after.equal).toBe(true);
    expect(repaired.after.objects[0].foreign).toBe(200);
    expect(await targetCount()).toBe(299 + 200);
  });

  it('a row inserted by repair is the migration’s: once its source row is gone, it is extra, not foreign', async (ctx) => {
    if (!db) return ctx.skip();
    // A source row added after the migration: verify finds it missing, repair inserts it.
    const sw = await source.writer();
    await sw.write('accounts', { columns: ['id', 'name'], rows: [[key(2000), 'Late Ltd']] }, { mode: 'insert' });
    await sw.close();
    const repaired = await repair({ plan, source, target, state, partitionRows: 60 });
    expect(repaired.objects[0]).toMatchObject({ inserted: 1 });
    const gone = await source.writer();
    await gone.deleteByKeys('accounts', ['id'], [[key(2000)]]);
    await gone.close();
    const checked = await verify({ plan, source, target, state, partitionRows: 60 });
    expect(checked.objects[0].extra.map((e) => e.key)).toEqual([[key(2000)]]);
    expect(checked.objects[0].foreign).toBe(200);
  });
});
