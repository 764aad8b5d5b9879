import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { preflight } from '../../src/mapping/plan/preflight.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import { type FreshDatabase, freshMysql, freshPostgres } from '../helpers/databases.js';
import { writeSqliteSource } from '../helpers/sqlite-source.js';

/**
 * The target's own rules that crmbridge does not create: a partial unique index
 * (`WHERE "deletedAt" IS NULL`) and CHECK constraints. The dry run must reject exactly the rows
 * the real run rejects; triggers, which no dry run can run, are named by the pre-flight.
 */
const dirs: string[] = [];
const dbs: FreshDatabase[] = [];
const opened: Connector[] = [];
afterAll(async () => {
  for (const c of opened) await c.close();
  for (const db of dbs) await db.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// c2 repeats c1's live e-mail, c4 takes a live target row's; c3 and c5 are outside the index
// (deleted, or its holder is); c6 and c7 break a check; c8's NULL score passes (unknown).
const SOURCE_ROWS: [string, string, string | null, number | null][] = [
  ['c1', 'a@x.io', null, 1],
  ['c2', 'a@x.io', null, 2],
  ['c3', 'a@x.io', '2024-01-02 00:00:00', 3],
  ['c4', 'taken@x.io', null, 4],
  ['c5', 'old@x.io', null, 5],
  ['c6', 'b@x.io', null, -1],
  ['c7', 'c@x.io', null, 5000],
  ['c8', 'd@x.io', null, null],
  ['c9', 'e@x.io', null, 9],
];

/** A folder holding the source file `source.db` (text columns, as a legacy export has them). */
async function sourceFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'crmbridge-constraints-'));
  dirs.push(dir);
  const rows = SOURCE_ROWS.map((r) => r.map((v) => (v === null ? null : String(v))));
  await writeSqliteSource(join(dir, 'source.db'), { contacts: { columns: ['id', 'email', 'deleted_at', 'score'], rows } });
  return dir;
}

const PROJECT = `
source: { url: "sqlite:source.db" }
target: { url: "sqlite:unused.db" }
options: { batchSize: 4 }
objects:
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields:
      id: id
      email: email
      deletedAt: deleted_at
      score: score
`;

/** The dry run's ledger and rejects, then the real run's, on the same target. */
async function dryThenReal(dir: string, target: Connector) {
  const source = await openConnector(`sqlite:${join(dir, 'source.db')}`);
  const state = await openStateStore(join(dir, '.crmbridge'));
  try {
    const plan = compilePlan(parseProject(PROJECT, 'crmbridge.yaml'));
    const targetSchema = await target.introspect();
    const runs = [];
    for (const dryRun of [true, false]) {
      const result = await migrate({ plan, source, target, state, targetSchema, dryRun });
      const rejects = await state.listRejects(result.runId, { object: 'people' });
      runs.push({
        ledger: result.ledger[0],
        rejected: rejects.map((r) => `${r.sourceKey} ${r.reason}`).sort(),
      });
    }
    return runs;
  } finally {
    await source.close();
    await state.close();
  }
}

const counts = (l: { read: number; created: number; updated: number; unchanged: number; rejected: number }) => ({
  read: l.read,
  created: l.created,
  updated: l.updated,
  unchanged: l.unchanged,
  rejected: l.rejected,
});

/** A fresh database made by `sql`, opened as a connector; undefined when no server runs (the test skips). */
async function targetDatabase(kind: 'postgres' | 'mysql', sql: string): Promise<Connector | undefined> {
  const db = kind === 'postgres' ? await freshPostgres() : await freshMysql();
  if (!db) return undefined;
  dbs.push(db);
  if (kind === 'postgres') {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(sql);
    await client.end();
  } else {
    const conn = await mysql.createConnection({ uri: db.url, multipleStatements: true });
    await conn.query(sql);
    await conn.end();
  }
  const connector = await openConnector(db.url);
  opened.push(connector);
  return connector;
}

/** The dry run's ledger and rejects equal the real run's, which are the expected ones. */
async function expectDryRunAsRealRun(target: Connector, created: number, rejected: readonly string[]) {
  const [dry, real] = await dryThenReal(await sourceFolder(), target);
  expect(counts(real.ledger)).toEqual({ read: 9, created, updated: 0, unchanged: 0, rejected: rejected.length });
  expect(counts(dry.ledger)).toEqual(counts(real.ledger));
  expect(dry.rejected).toEqual(real.rejected);
  expect(real.rejected).toEqual(rejected);
}

describe('target constraints honoured by the dry run', () => {
  it('PostgreSQL: a partial unique index and CHECK constraints — the dry run rejects what the real run rejects', async (ctx) => {
    const target = await targetDatabase(
      'postgres',
      `CREATE TABLE people (id text PRIMARY KEY, email text, "deletedAt" timestamp,
                            score integer CHECK (score >= 0), CONSTRAINT score_small CHECK (score < 1000));
       CREATE UNIQUE INDEX people_email_live ON people (email) WHERE "deletedAt" IS NULL;
       INSERT INTO people VALUES ('t1', 'taken@x.io', NULL, 1), ('t2', 'old@x.io', '2020-01-01', 1);`,
    );
    if (!target) return ctx.skip();
    const schema = await target.introspect({ tables: ['people'] });
    expect(schema.tables[0].indexes).toContainEqual(
      expect.objectContaining({ name: 'people_email_live', predicate: '("deletedAt" IS NULL)' }),
    );
    expect(schema.tables[0].uniqueKeys).toEqual([]);
    expect(schema.tables[0].checks?.map((c) => c.name).sort()).toEqual(['people_score_check', 'score_small']);
    await expectDryRunAsRealRun(target, 5, [
      '["c2"] duplicate_key',
      '["c4"] duplicate_key',
      '["c6"] target_rejected',
      '["c7"] target_rejected',
    ]);
  }, 120_000);

  it('MariaDB: CHECK constraints — the dry run rejects what the real run rejects', async (ctx) => {
    const target = await targetDatabase(
      'mysql',
      `CREATE TABLE people (id varchar(16) PRIMARY KEY, email varchar(64), deletedAt datetime,
                            score int CHECK (score >= 0), CONSTRAINT score_small CHECK (score < 1000));
       INSERT INTO people VALUES ('t1', 'taken@x.io', NULL, 1);`,
    );
    if (!target) return ctx.skip();
    const schema = await target.introspect({ tables: ['people'] });
    expect(schema.tables[0].checks?.map((c) => c.name).sort()).toEqual(['score', 'score_small']);
    await expectDryRunAsRealRun(target, 7, ['["c6"] target_rejected', '["c7"] target_rejected']);
  }, 120_000);

  it('the pre-flight names the triggers a dry run cannot predict (CRM_S3008)', async (ctx) => {
    const target = await targetDatabase(
      'postgres',
      `CREATE TABLE people (id text PRIMARY KEY, email text, "deletedAt" timestamp, score integer);
       CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
       CREATE TRIGGER people_audit BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION stamp();`,
    );
    if (!target) return ctx.skip();
    const source = await openConnector(`sqlite:${join(await sourceFolder(), 'source.db')}`);
    opened.push(source);
    const plan = compilePlan(parseProject(PROJECT, 'crmbridge.yaml'));
    const problems = preflight(plan, { source: await source.introspect(), target: await target.introspect() });
    expect(problems).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        code: 'CRM_S3008',
        message: 'not predicted by a dry run: triggers people_audit on table people',
      }),
    );
  }, 120_000);
});
