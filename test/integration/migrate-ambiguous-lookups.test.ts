import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import type { Value } from '../../src/core/types.js';
import { surveyLookups } from '../../src/engine/lookup-survey.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { verify } from '../../src/engine/verify/verify.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import { type FreshDatabase, freshMysql, freshPostgres } from '../helpers/databases.js';
import { table, textColumn } from '../helpers/schema-builders.js';
import { type TextTable, writeSqliteSource, writeTextTables } from '../helpers/sqlite-source.js';

/**
 * The trap of CRM exports: contacts link to their account BY NAME, and account names repeat (two
 * "Southern Realty"). Picking "the first" of them linked contacts to a chance account, and
 * `verify`, repeating the same pick, agreed. Here a link is made only when the data decides it;
 * otherwise the row is rejected as ambiguous_reference (or NULL, as declared), and verify says
 * which links it could not check.
 */
const ACCOUNTS: TextTable = {
  columns: ['Id', 'Name', 'City', 'ParentName'],
  rows: [
    ['A1', 'Southern Realty', 'Austin', null],
    ['A2', 'Northwind', 'Boston', null],
    ['A3', 'Southern Realty', 'Austin', null],
    ['A4', 'Acme', 'Denver', null],
    // A self-reference by name (loaded in pass 2): ambiguous, and unique.
    ['A5', 'Southern Realty Branch', 'Austin', 'Southern Realty'],
    ['A6', 'Acme Labs', 'Denver', 'Acme'],
  ],
};
const CONTACTS: TextTable = {
  columns: ['Id', 'LastName', 'AccountName'],
  rows: [
    ['C1', 'Smith', 'Southern Realty'],
    ['C2', 'Jones', 'Northwind'],
    ['C3', 'Brown', 'Acme'],
    ['C4', 'Lee', 'Southern Realty'],
    ['C5', 'Kim', 'Nowhere Inc'],
    ['C6', 'Park', 'Acme Labs'],
  ],
};

const project = (lookupExtra: string) => `
source: { url: "source" }
target: { url: "sqlite:target.db" }
objects:
  companies:
    source: { table: accounts, key: Id }
    target: { table: firms, key: id }
    fields:
      id: Id
      name: Name
      parent_id:
        from: ParentName
        lookup: { table: accounts, match: Name, value: Id, pick: first${lookupExtra} }
        ref: { object: companies, onMissing: "null" }
  people:
    source: { table: contacts, key: Id }
    target: { table: persons, key: id }
    fields:
      id: Id
      last_name: LastName
      company_id:
        from: AccountName
        lookup: { table: accounts, match: Name, value: Id, pick: first${lookupExtra} }
        ref: { object: companies, onMissing: "null" }
`;

const TARGET_TABLES = [
  table('firms', [textColumn('id', false), textColumn('name'), textColumn('parent_id')]),
  table('persons', [textColumn('id', false), textColumn('last_name'), textColumn('company_id')]),
];

const csvText = (t: TextTable) => `${[t.columns, ...t.rows].map((r) => r.map((v) => v ?? '').join(',')).join('\n')}\n`;

/** The sources under test: each holds ACCOUNTS and CONTACTS. */
const SOURCES: { name: string; make: (dir: string) => Promise<string | undefined> }[] = [
  {
    name: 'SQLite',
    make: async (dir) => {
      await writeSqliteSource(join(dir, 'source.db'), { accounts: ACCOUNTS, contacts: CONTACTS });
      return `sqlite:${join(dir, 'source.db')}`;
    },
  },
  {
    name: 'PostgreSQL',
    make: async () => {
      const db = await freshPostgres();
      if (!db) return undefined;
      databases.push(db);
      await writeTextTables(db.url, { accounts: ACCOUNTS, contacts: CONTACTS });
      return db.url;
    },
  },
  {
    name: 'MariaDB',
    make: async () => {
      const db = await freshMysql();
      if (!db) return undefined;
      databases.push(db);
      await writeTextTables(db.url, { accounts: ACCOUNTS, contacts: CONTACTS });
      return db.url;
    },
  },
  {
    name: 'CSV export',
    make: async (dir) => {
      const folder = join(dir, 'export');
      mkdirSync(folder);
      writeFileSync(join(folder, 'accounts.csv'), csvText(ACCOUNTS));
      writeFileSync(join(folder, 'contacts.csv'), csvText(CONTACTS));
      return folder;
    },
  },
];

const databases: FreshDatabase[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Migrates the fixture with the given lookup options into a fresh SQLite target, then verifies. */
async function run(sourceUrl: string, lookupExtra: string, tamper?: (target: Connector) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'crmbridge-ambiguous-'));
  dirs.push(dir);
  const [source, target, state] = await Promise.all([
    openConnector(sourceUrl),
    openConnector(`sqlite:${join(dir, 'target.db')}`),
    openStateStore(join(dir, '.crmbridge')),
  ]);
  try {
    const writer = await target.writer();
    await writer.createTables(TARGET_TABLES);
    await writer.close();
    const plan = compilePlan(parseProject(project(lookupExtra), 'crmbridge.yaml'));
    const result = await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
    const rejects = await state.listRejects(result.runId);
    const rows = async (name: string) => {
      const all: Value[][] = [];
      for await (const batch of target.read(name, { orderBy: ['id'] })) all.push(...batch.rows);
      return all;
    };
    const loaded = { firms: await rows('firms'), persons: await rows('persons') };
    await tamper?.(target);
    // Rows planted by `tamper` are in no id map: compared only in scope `all` (else counted as foreign).
    const verified = await verify({ plan, source, target, state, ...(tamper ? { scope: 'all' as const } : {}) });
    return { result, rejects, loaded, verified };
  } finally {
    await Promise.all([source.close(), target.close(), state.close()]);
  }
}

/** Writes into the target what `pick: first` used to load: the first candidate the database returned. */
const asTheOldPickFirstLoaded = async (target: Connector) => {
  const writer = await target.writer();
  await writer.write(
    'persons',
    {
      columns: ['id', 'last_name', 'company_id'],
      rows: [
        ['C1', 'Smith', 'A1'],
        ['C4', 'Lee', 'A1'],
      ],
    },
    { mode: 'upsert', key: ['id'] },
  );
  await writer.write('firms', { columns: ['id', 'parent_id'], rows: [['A5', 'A1']] }, { mode: 'upsert', key: ['id'] });
  await writer.close();
};

const ledgerOf = (r: Awaited<ReturnType<typeof run>>, object: string) => r.result.ledger.find((l) => l.object === object)!;
const verifiedOf = (r: Awaited<ReturnType<typeof run>>, object: string) => r.verified.objects.find((o) => o.object === object)!;

describe.each(SOURCES)('a link by a repeated account name ($name source)', ({ make }) => {
  it('rejects the ambiguous rows with their candidates, leaves an ambiguous deferred link NULL, and verify proves no chosen candidate', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'crmbridge-ambiguous-src-'));
    dirs.push(dir);
    const url = await make(dir);
    if (!url) return ctx.skip();

    const r = await run(url, '');
    expect(ledgerOf(r, 'people')).toMatchObject({ read: 6, created: 4, rejected: 2 });
    expect(ledgerOf(r, 'companies')).toMatchObject({ read: 6, created: 6, rejected: 0 });
    const people = r.rejects.filter((x) => x.object === 'people');
    expect(people.map((x) => [x.sourceKey, x.field, x.reason, x.code, x.rawValue])).toEqual([
      ['["C1"]', 'company_id', 'ambiguous_reference', 'CRM_R4014', 'Southern Realty'],
      ['["C4"]', 'company_id', 'ambiguous_reference', 'CRM_R4014', 'Southern Realty'],
    ]);
    expect(people[0].message).toContain('2 different accounts.Id match accounts.Name = "Southern Realty": A1, A3');
    const branch = r.rejects.find((x) => x.object === 'companies')!;
    expect(branch).toMatchObject({ sourceKey: '["A5"]', field: 'parent_id', reason: 'ambiguous_reference', rowLoaded: true });
    expect(r.loaded.persons).toEqual([
      ['C2', 'Jones', 'A2'],
      ['C3', 'Brown', 'A4'],
      ['C5', 'Kim', null],
      ['C6', 'Park', 'A6'],
    ]);
    expect(r.loaded.firms.map((f) => [f[0], f[2]])).toEqual([
      ['A1', null],
      ['A2', null],
      ['A3', null],
      ['A4', null],
      ['A5', null],
      ['A6', 'A4'],
    ]);
    // verify agrees with migrate, and names the links it could not check.
    expect(r.verified.equal).toBe(true);
    expect(verifiedOf(r, 'people').unprovable).toEqual([
      { sourceKey: '["C1"]', field: 'company_id', candidates: ['A1', 'A3'], expected: 'absent' },
      { sourceKey: '["C4"]', field: 'company_id', candidates: ['A1', 'A3'], expected: 'absent' },
    ]);
    expect(verifiedOf(r, 'companies').unprovable).toEqual([
      { sourceKey: '["A5"]', field: 'parent_id', candidates: ['A1', 'A3'], expected: 'null' },
    ]);
  }, 60_000);

  it('verify does not confirm a target holding what the old `pick: first` chose: it does not repeat the pick', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'crmbridge-ambiguous-src-'));
    dirs.push(dir);
    const url = await make(dir);
    if (!url) return ctx.skip();
    const old = await run(url, '', asTheOldPickFirstLoaded);
    expect(old.verified.equal).toBe(false);
    expect(verifiedOf(old, 'people').extra.map((e) => e.key)).toEqual([['C1'], ['C4']]);
    expect(verifiedOf(old, 'companies').changed.map((c) => [c.key, c.fields])).toEqual([
      [['A5'], [{ field: 'parent_id', source: 'Southern Realty', expected: null, actual: 'A1' }]],
    ]);
  }, 60_000);

  it('onAmbiguous: null keeps the rows with an empty link; firstBy a unique column links deterministically, firstBy a tied one still rejects', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'crmbridge-ambiguous-src-'));
    dirs.push(dir);
    const url = await make(dir);
    if (!url) return ctx.skip();

    const nulls = await run(url, ', onAmbiguous: "null"');
    expect(ledgerOf(nulls, 'people')).toMatchObject({ read: 6, created: 6, rejected: 0 });
    expect(nulls.rejects).toEqual([]);
    expect(nulls.loaded.persons.filter((p) => p[0] === 'C1' || p[0] === 'C4')).toEqual([
      ['C1', 'Smith', null],
      ['C4', 'Lee', null],
    ]);
    expect(nulls.verified.equal).toBe(true);
    expect(verifiedOf(nulls, 'people').unprovable.map((u) => [u.sourceKey, u.expected])).toEqual([
      ['["C1"]', 'null'],
      ['["C4"]', 'null'],
    ]);

    const byId = await run(url, ', onAmbiguous: { firstBy: -Id }');
    expect(byId.rejects).toEqual([]);
    expect(byId.loaded.persons.filter((p) => p[0] === 'C1' || p[0] === 'C4')).toEqual([
      ['C1', 'Smith', 'A3'],
      ['C4', 'Lee', 'A3'],
    ]);
    expect(byId.loaded.firms.find((f) => f[0] === 'A5')?.[2]).toBe('A3');
    expect(byId.verified.equal).toBe(true);
    expect(verifiedOf(byId, 'people').unprovable).toEqual([]);

    // Both "Southern Realty" rows are in Austin: the tie-break decides nothing.
    const byCity = await run(url, ', onAmbiguous: { firstBy: City }');
    expect(ledgerOf(byCity, 'people')).toMatchObject({ created: 4, rejected: 2 });
    expect(byCity.verified.equal).toBe(true);
  }, 60_000);
});

describe.each(SOURCES)('plan warns of a lookup on repeated names, with counts ($name source)', ({ make }) => {
  it('names the field, the values matched several times and the rows the run will reject or leave NULL', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'crmbridge-ambiguous-src-'));
    dirs.push(dir);
    const url = await make(dir);
    if (!url) return ctx.skip();
    const source = await openConnector(url);
    try {
      const warnings = await surveyLookups(source, compilePlan(parseProject(project(''), 'crmbridge.yaml')));
      expect(warnings.map((w) => [w.severity, w.code, w.object, w.field])).toEqual([
        ['warning', 'CRM_M5010', 'companies', 'parent_id'],
        ['warning', 'CRM_M5010', 'people', 'company_id'],
      ]);
      expect(warnings[1].message).toBe(
        'accounts.Name is not unique for this lookup: 1 source values match several different Id ("Southern Realty" → A1, A3), ' +
          'so 2 of 6 rows will be rejected as ambiguous_reference',
      );
      const nulls = await surveyLookups(source, compilePlan(parseProject(project(', onAmbiguous: null'), 'crmbridge.yaml')));
      expect(nulls[0].message).toMatch(/so 1 of 6 rows will be left NULL \(onAmbiguous: null\)$/);
      // A deterministic tie-break leaves nothing to warn about.
      expect(await surveyLookups(source, compilePlan(parseProject(project(', onAmbiguous: { firstBy: Id }'), 'crmbridge.yaml')))).toEqual(
        [],
      );
    } finally {
      await source.close();
    }
  }, 60_000);
});

describe('a reference takes one value', () => {
  it('refuses a lookup that picks a list (rest/all) for a ref at plan time, instead of loading every link empty', () => {
    const yaml = project('').replace('pick: first', 'pick: all');
    expect(() => compilePlan(parseProject(yaml, 'crmbridge.yaml'))).toThrow(
      expect.objectContaining({ code: 'CRM_M5009', message: expect.stringContaining('companies.parent_id') }),
    );
  });
});
