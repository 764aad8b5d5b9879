import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateWorkers } from '../../src/cli/migrate-workers.js';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import type { Value } from '../../src/core/types.js';
import { type MigrateResult, migrate } from '../../src/engine/migrate/migrate.js';
import { repair } from '../../src/engine/repair/repair.js';
import { verify } from '../../src/engine/verify/verify.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/state-store.js';
import { type FreshDatabase, freshPostgres } from '../helpers/databases.js';
import { postgresRows } from '../helpers/postgres-rows.js';
import { column, table } from '../helpers/schema-builders.js';

/**
 * A flattened report: one row per contact, the contact's account repeated on every row. The
 * companies object is mapped from the same rows, keyed by the account id, so its source keys
 * repeat: A1 three times identical, A2 twice with different names, A3 twice where one row lacks
 * the industry the other has (mergeable), A4 once. The rows of one account are spread over
 * batches of two, so no rule may depend on where a batch ends.
 */
const COLUMNS = ['contact_id', 'account_id', 'account_name', 'industry', 'first_name'];
const REPORT: Value[][] = [
  ['c1', 'A1', 'Alpha', 'Tech', 'Ann'],
  ['c2', 'A2', 'Beta', 'Retail', 'Bob'],
  ['c3', 'A1', 'Alpha', 'Tech', 'Cid'],
  ['c4', 'A3', 'Gamma', null, 'Dan'],
  ['c5', 'A2', 'Beta Corp', 'Retail', 'Eve'],
  ['c6', 'A1', 'Alpha', 'Tech', 'Fay'],
  ['c7', 'A3', 'Gamma', 'Retail', 'Gus'],
  ['c8', 'A4', 'Delta', 'Tech', 'Hal'],
];

const TARGET_TABLES = [
  table('companies', [
    column('id', { kind: 'text', length: 10 }, false),
    column('name', { kind: 'text' }, false),
    column('industry', { kind: 'text' }),
  ]),
  table('people', [
    column('id', { kind: 'text', length: 10 }, false),
    column('company_id', { kind: 'text', length: 10 }),
    column('first_name', { kind: 'text' }),
  ]),
];

function project(sourceUrl: string, duplicates?: string): string {
  return `
source: { url: "${sourceUrl}" }
target: { url: "sqlite:target.db" }
options: { batchSize: 2, parallelism: 1 }
objects:
  companies:
    source: { table: report, key: account_id${duplicates ? `, duplicates: ${duplicates}` : ''} }
    target: { table: companies, key: id }
    fields:
      id: account_id
      name: account_name
      industry: industry
  people:
    source: { table: report, key: contact_id }
    target: { table: people, key: id }
    fields:
      id: contact_id
      company_id: { from: account_id, ref: companies }
      first_name: first_name
`;
}

/** The report as a SQLite table (`source.db`) and as a CSV file (`csv/report.csv`, NULL as an empty field). */
async function writeReportSources(dir: string, rows: Value[][]): Promise<void> {
  const source = await openConnector(`sqlite:${join(dir, 'source.db')}`);
  const sw = await source.writer();
  const columns = COLUMNS.map((c, i) => column(c, { kind: 'text' }, i !== 0));
  await sw.createTables([table('report', columns, { primaryKey: ['contact_id'] })]);
  await sw.write('report', { columns: COLUMNS, rows }, { mode: 'insert' });
  await sw.close();
  await source.close();
  mkdirSync(join(dir, 'csv'));
  const csv = [COLUMNS.join(','), ...rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join(','))];
  writeFileSync(join(dir, 'csv', 'report.csv'), `${csv.join('\n')}\n`);
}

for (const kind of ['sqlite', 'csv'] as const) {
  describe(`repeated source keys in a flattened report (${kind} source → SQLite)`, () => {
    let dir: string;
    let source: Connector;
    let target: Connector;
    let state: StateStore;
    let sourceUrl: string;

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'crmbridge-dupkeys-'));
      await writeReportSources(dir, REPORT);
      sourceUrl = kind === 'sqlite' ? `sqlite:${join(dir, 'source.db')}` : join(dir, 'csv');
      source = await openConnector(sourceUrl);
      target = await openConnector(`sqlite:${join(dir, 'target.db')}`);
      state = await openStateStore(join(dir, '.crmbridge'));
      const tw = await target.writer();
      await tw.createTables(TARGET_TABLES);
      await tw.close();
    });
    afterEach(async () => {
      await source.close();
      await target.close();
      await state.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const planOf = (duplicates?: string) => compilePlan(parseProject(project(sourceUrl, duplicates), 'crmbridge.yaml'));
    const dump = async (t: string) => {
      const rows: Value[][] = [];
      for await (const b of target.read(t, { orderBy: ['id'] })) rows.push(...b.rows);
      return rows;
    };
    const load = async (duplicates?: string) => {
      const plan = planOf(duplicates);
      const result = await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
      return { plan, result };
    };

    it('default (reject): identical repeats collapse and are counted; conflicting ones are all rejected; children follow', async () => {
      const { plan, result } = await load();
      const companies = result.objects.find((o) => o.object === 'companies')!;
      expect(companies.balanced).toBe(true);
      // A1: 3 rows → 1 created + 2 duplicates; A2, A3: conflicting → 4 rejected; A4 created.
      expect(companies.ledger).toMatchObject({ read: 8, created: 2, rejected: 4, filtered: 2, duplicates: 2 });
      expect(await dump('companies')).toEqual([
        ['A1', 'Alpha', 'Tech'],
        ['A4', 'Delta', 'Tech'],
      ]);
      const rejects = await state.listRejects(result.runId, { object: 'companies' });
      expect(rejects.map((r) => [r.sourceKey, r.reason]).sort()).toEqual([
        ['["A2"]', 'duplicate_conflict'],
        ['["A2"]', 'duplicate_conflict'],
        ['["A3"]', 'duplicate_conflict'],
        ['["A3"]', 'duplicate_conflict'],
      ]);
      expect(rejects[0].message).toMatch(/CRM_R4015|occurs 2 times/);
      // The children of the loaded A1 load (never parent_rejected); those of A2/A3 are rejected.
      const people = result.objects.find((o) => o.object === 'people')!;
      expect(people.ledger).toMatchObject({ read: 8, created: 4, rejected: 4 });
      const peopleRejects = await state.listRejects(result.runId, { object: 'people' });
      expect(peopleRejects.every((r) => r.reason === 'parent_rejected')).toBe(true);
      expect(peopleRejects.map((r) => r.sourceKey).sort()).toEqual(['["c2"]', '["c4"]', '["c5"]', '["c7"]']);
      expect(result.status).toBe('completed_with_rejects');

      const checked = await verify({ plan, source, target, state });
      expect(checked.objects.map((o) => [o.object, o.status, o.extra.length, o.missing.length])).toEqual([
        ['companies', 'equal', 0, 0],
        ['people', 'equal', 0, 0],
      ]);
      const repaired = await repair({ plan, source, target, state, deleteExtra: true });
      expect(repaired.objects.every((o) => o.deleted === 0 && o.inserted === 0)).toBe(true);
      expect(await dump('companies')).toHaveLength(2);
    });

    it('first: the first row of a key loads, the conflicting others are rejected as superseded, and every child loads', async () => {
      const { plan, result } = await load('first');
      const companies = result.objects.find((o) => o.object === 'companies')!;
      // A2: Beta (the first line; in a database, the first row in canonical order) wins over
      // Beta Corp; A3's second row differs from the first → superseded.
      expect(companies.ledger).toMatchObject({ read: 8, created: 4, rejected: 2, filtered: 2, duplicates: 2 });
      expect(await dump('companies')).toEqual([
        ['A1', 'Alpha', 'Tech'],
        ['A2', 'Beta', 'Retail'],
        ['A3', 'Gamma', null],
        ['A4', 'Delta', 'Tech'],
      ]);
      const rejects = await state.listRejects(result.runId, { object: 'companies' });
      expect(rejects.map((r) => [r.sourceKey, r.reason, r.rowLoaded ?? false]).sort()).toEqual([
        ['["A2"]', 'duplicate_superseded', true],
        ['["A3"]', 'duplicate_superseded', true],
      ]);
      const people = result.objects.find((o) => o.object === 'people')!;
      expect(people.ledger).toMatchObject({ read: 8, created: 8, rejected: 0 });
      expect((await dump('people')).map((r) => r[1])).toEqual(['A1', 'A2', 'A1', 'A3', 'A2', 'A1', 'A3', 'A4']);

      const checked = await verify({ plan, source, target, state });
      expect(checked.equal).toBe(true);
      const repaired = await repair({ plan, source, target, state, deleteExtra: true });
      expect(repaired.objects.every((o) => o.deleted === 0 && o.inserted === 0 && o.updated === 0)).toBe(true);
      expect(await dump('companies')).toHaveLength(4);
      expect(await dump('people')).toHaveLength(8);
    });

    it('merge: fields are filled from the rows of the key; rows whose values contradict are all rejected', async () => {
      const { plan, result } = await load('merge');
      const companies = result.objects.find((o) => o.object === 'companies')!;
      // A1 collapses (2 duplicates), A3 merges (1 duplicate), A2 contradicts (2 rejected).
      expect(companies.ledger).toMatchObject({ read: 8, created: 3, rejected: 2, filtered: 3, duplicates: 3 });
      expect(await dump('companies')).toEqual([
        ['A1', 'Alpha', 'Tech'],
        ['A3', 'Gamma', 'Retail'],
        ['A4', 'Delta', 'Tech'],
      ]);
      const people = result.objects.find((o) => o.object === 'people')!;
      expect(people.ledger).toMatchObject({ read: 8, created: 6, rejected: 2 });
      const checked = await verify({ plan, source, target, state });
      expect(checked.equal).toBe(true);
    });

    it('a re-run and verify agree: nothing changes, nothing is extra', async () => {
      const { plan } = await load('first');
      const again = await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
      expect(again.objects.find((o) => o.object === 'companies')!.ledger).toMatchObject({
        unchanged: 4,
        created: 0,
        updated: 0,
        duplicates: 2,
      });
      expect(again.objects.find((o) => o.object === 'people')!.ledger).toMatchObject({ unchanged: 8, rejected: 0 });
      expect((await verify({ plan, source, target, state })).equal).toBe(true);
    });
  });
}

/**
 * 600 report rows over 40 accounts, every account on 15 rows spread over the whole table: the
 * rows of a key fall into different batches (of 7) of a file, and into one key-range chunk of a
 * table only because chunks and batches never split a key. Accounts 3, 13, 23, 33 have one row
 * with another name (superseded under `first`); accounts 5, 15, … lack the industry on some rows.
 */
const BIG: Value[][] = Array.from({ length: 600 }, (_, i) => {
  const a = i % 40;
  const name = a % 10 === 3 && i >= 560 ? `Account ${a} Ltd` : `Account ${a}`;
  const industry = a % 10 === 5 && i % 3 === 0 ? null : `Industry ${a % 4}`;
  return [`c${String(i).padStart(4, '0')}`, `A${String(a).padStart(2, '0')}`, name, industry, `First ${i}`];
});

describe('repeated source keys: one outcome whatever the batches, chunks, workers and resumes', () => {
  let dir: string;
  const dbs: FreshDatabase[] = [];
  const opened: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crmbridge-dupkeys-big-'));
    await writeReportSources(dir, BIG);
  });
  afterEach(async () => {
    for (const c of opened.splice(0)) await c.close();
    for (const db of dbs.splice(0)) await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const setup = async (name: string, sourceUrl: string, batchSize: number) => {
    const db = await freshPostgres();
    if (!db) return undefined;
    dbs.push(db);
    const stateFolder = join(dir, name);
    const [source, target, state] = await Promise.all([openConnector(sourceUrl), openConnector(db.url), openStateStore(stateFolder)]);
    opened.push(source, target, state);
    const tw = await target.writer();
    await tw.createTables(TARGET_TABLES);
    await tw.close();
    const yaml = project(sourceUrl, 'first')
      .replace('target: { url: "sqlite:target.db" }', `target: { url: "${db.url}" }`)
      .replace('options: { batchSize: 2, parallelism: 1 }', `options: { batchSize: ${batchSize}, parallelism: 3 }`);
    const plan = compilePlan(parseProject(yaml, 'crmbridge.yaml'));
    const workers = migrateWorkers({ source: { url: sourceUrl }, target: { url: db.url }, stateFolder });
    const run = async (options: { workers?: boolean; resume?: boolean; maxErrors?: number } = {}) =>
      migrate({
        plan,
        source,
        target,
        state,
        targetSchema: await target.introspect(),
        ...(options.workers ? { workers } : {}),
        ...(options.resume ? { resume: true } : {}),
        ...(options.maxErrors !== undefined ? { maxErrors: options.maxErrors } : {}),
      });
    return { db, run, verifyAll: () => verify({ plan, source, target, state }) };
  };
  const counts = (r: MigrateResult) => r.ledger.map(({ runId: _, ...l }) => l);

  it('a table: in one batch, and in batches of 7 on three workers in key-range chunks: same target, same ledger', async (ctx) => {
    const whole = await setup('whole', `sqlite:${join(dir, 'source.db')}`, 1000);
    if (!whole) return ctx.skip();
    const reference = await whole.run();
    expect(reference.status).toBe('completed_with_rejects');
    // 40 accounts loaded. In canonical order a NULL comes first: accounts 5, 15, 25, 35 load
    // their row without industry (4 more such rows collapse each, the 10 with one are
    // superseded); accounts 3, 13, 23, 33 supersede their "Ltd" row.
    expect(reference.ledger.find((l) => l.object === 'companies')).toMatchObject({
      read: 600,
      created: 40,
      rejected: 44,
      filtered: 516,
      duplicates: 516,
    });
    expect(reference.ledger.find((l) => l.object === 'people')).toMatchObject({ read: 600, created: 600, rejected: 0 });
    const chunked = await setup('chunked', `sqlite:${join(dir, 'source.db')}`, 7);
    const onWorkers = await chunked!.run({ workers: true });
    expect(counts(onWorkers)).toEqual(counts(reference));
    expect(await postgresRows(chunked!.db.url, ['companies', 'people'])).toEqual(await postgresRows(whole.db.url, ['companies', 'people']));
    expect((await chunked!.verifyAll()).equal).toBe(true);
  });

  it('a CSV file: read whole, and in batches of 7 stopped at its first reject and resumed: same target, same ledger', async (ctx) => {
    const whole = await setup('whole', join(dir, 'csv'), 1000);
    if (!whole) return ctx.skip();
    const reference = await whole.run();
    // File order: the first line of accounts 5, 25, 35 has an industry (their 5 rows without
    // it are superseded), account 15's has none (its 10 rows with one are superseded); accounts
    // 3, 13, 23, 33 supersede their "Ltd" row: 15 + 10 + 4.
    expect(reference.ledger.find((l) => l.object === 'companies')).toMatchObject({ read: 600, created: 40, rejected: 29, duplicates: 531 });
    const file = await setup('file', join(dir, 'csv'), 7);
    const stopped = await file!.run({ maxErrors: 0 });
    expect(stopped.status).not.toBe('completed');
    const resumed = await file!.run({ resume: true });
    expect(resumed.status).toBe('completed_with_rejects');
    expect(counts(resumed)).toEqual(counts(reference));
    expect(await postgresRows(file!.db.url, ['companies', 'people'])).toEqual(await postgresRows(whole.db.url, ['companies', 'people']));
    expect((await file!.verifyAll()).equal).toBe(true);
  });
});
