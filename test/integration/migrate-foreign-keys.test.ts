import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConnector } from '../../src/connectors/registry.js';
import type { TableSchema } from '../../src/core/types.js';
import type { MigrateEvent } from '../../src/engine/events.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import { type FreshDatabase, freshPostgres } from '../helpers/databases.js';
import { table, textColumn } from '../helpers/schema-builders.js';
import { writeSqliteSource } from '../helpers/sqlite-source.js';

/**
 * Tables a run creates get their foreign keys once loaded (one check per table, not a trigger
 * call per row); a later run of the same plan, resumed or not, adds what an earlier one deferred.
 */
const project = (targetUrl: string) => `
source: { url: "sqlite:source.db" }
target: { url: "${targetUrl}" }
objects:
  companies:
    source: { table: accounts, key: id }
    target: { table: companies, key: id }
    fields:
      id: id
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields:
      id: id
      company_id: { from: account_id, ref: companies }
`;

// An index and no foreign key: completed all the same.
const COMPANIES: TableSchema = table('companies', [textColumn('id', false)], {
  indexes: [{ name: 'companies_id_lookup', columns: ['id'], unique: false }],
});
const PEOPLE: TableSchema = table('people', [textColumn('id', false), textColumn('company_id')], {
  foreignKeys: [{ name: 'people_company_fk', columns: ['company_id'], referencedTable: 'companies', referencedColumns: ['id'] }],
  indexes: [{ name: 'people_company', columns: ['company_id'], unique: false }],
});

/** The project folder's SQLite source and state store, and the PostgreSQL target. */
const openAll = (dir: string, targetUrl: string) =>
  Promise.all([openConnector(`sqlite:${join(dir, 'source.db')}`), openConnector(targetUrl), openStateStore(join(dir, '.crmbridge'))]);

describe('non-unique indexes and foreign keys of the tables a run creates are added after the load (SQLite → PostgreSQL)', () => {
  let dir: string;
  const dbs: FreshDatabase[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crmbridge-fks-'));
    await writeSqliteSource(join(dir, 'source.db'), {
      accounts: { columns: ['id'], rows: [['a1'], ['a2']] },
      contacts: {
        columns: ['id', 'account_id'],
        rows: [
          ['c1', 'a1'],
          ['c2', 'a2'],
          ['c3', 'a9'],
        ],
      },
    });
  });
  afterAll(async () => {
    for (const db of dbs) await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds the deferred keys at the end of the run and of later runs; a refused key is a warning, not a failed run', async (ctx) => {
    const db = await freshPostgres();
    if (!db) return ctx.skip();
    dbs.push(db);
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    const constraints = async () =>
      (await sql.query("SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY conname")).rows.map((r) => r.conname as string);
    const indexes = async () =>
      (
        await sql.query("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' ORDER BY indexname")
      ).rows.map((r) => r.indexname as string);
    const [source, target, state] = await openAll(dir, db.url);
    try {
      // As `prepareTarget` leaves them: created, foreign keys not yet.
      const writer = await target.writer();
      await writer.createTables([COMPANIES, PEOPLE], { foreignKeys: false, secondaryIndexes: false });
      await writer.close();
      expect(await constraints()).toEqual([]);
      expect(await indexes()).toEqual([]);
      const plan = compilePlan(parseProject(project(db.url), 'crmbridge.yaml'));
      const run = async (completeAfterLoad?: readonly TableSchema[]) => {
        const warnings: string[] = [];
        const result = await migrate({
          plan,
          source,
          target,
          state,
          targetSchema: await target.introspect(),
          ...(completeAfterLoad ? { completeAfterLoad } : {}),
          onEvent: (e: MigrateEvent) => {
            if (e.type === 'warning') warnings.push(e.message);
          },
        });
        return { result, warnings };
      };

      const first = await run([COMPANIES, PEOPLE]);
      expect(first.result.status).toBe('completed_with_rejects');
      expect(await constraints()).toEqual(['people_company_fk']);
      expect(await indexes()).toEqual(['companies_id_lookup', 'people_company']);
      // Both sides were analysed first (a check planned without statistics took minutes at 100k rows).
      const analysed = await sql.query('SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL ORDER BY relname');
      expect(analysed.rows.map((r) => r.relname)).toEqual(['companies', 'people']);
      // The orphan c3 was rejected, so the key held over the loaded rows.
      expect((await sql.query('SELECT id FROM people ORDER BY id')).rows.map((r) => r.id)).toEqual(['c1', 'c2']);

      // A later run of the plan (here without the option, as a plain re-run after a kill) adds it again.
      await sql.query('ALTER TABLE people DROP CONSTRAINT people_company_fk');
      const again = await run();
      expect(again.result.status).toBe('completed_with_rejects');
      expect(await constraints()).toEqual(['people_company_fk']);

      // Rows the key cannot hold (written by someone else meanwhile): a warning naming it; the run completes.
      await sql.query('ALTER TABLE people DROP CONSTRAINT people_company_fk');
      await sql.query("INSERT INTO people (id, company_id) VALUES ('x1', 'nowhere')");
      const refused = await run();
      expect(refused.result.status).toBe('completed_with_rejects');
      expect(refused.warnings.join('\n')).toMatch(/indexes and foreign keys of companies, people were not added/);
      expect(await constraints()).toEqual([]);

      // Tables with indexes and no foreign key at all are completed too.
      await sql.query('DROP INDEX companies_id_lookup');
      const completing = await target.writer();
      await completing.completeTables?.([COMPANIES]);
      await completing.close();
      expect(await indexes()).toEqual(['companies_id_lookup', 'people_company']);
    } finally {
      await sql.end();
      await Promise.all([source.close(), target.close(), state.close()]);
    }
  }, 60_000);

  it('analyses a freshly loaded table before pass 2 looks its rows up by key (regression: whole-table scans per batch)', async (ctx) => {
    const db = await freshPostgres();
    if (!db) return ctx.skip();
    dbs.push(db);
    const selfDir = mkdtempSync(join(tmpdir(), 'crmbridge-self-'));
    await writeSqliteSource(join(selfDir, 'source.db'), {
      contacts: {
        columns: ['id', 'boss'],
        rows: [
          ['c1', null],
          ['c2', 'c1'],
          ['c3', 'c2'],
        ],
      },
    });
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    const [source, target, state] = await openAll(selfDir, db.url);
    try {
      // Created beforehand and without foreign keys: nothing at the end of the run analyses it.
      const writer = await target.writer();
      await writer.createTables([table('people', [textColumn('id', false), textColumn('reports_to_id')])]);
      await writer.close();
      const plan = compilePlan(
        parseProject(
          `source: { url: "sqlite:source.db" }
target: { url: "${db.url}" }
objects:
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields:
      id: id
      reports_to_id: { from: boss, ref: people }
`,
          'crmbridge.yaml',
        ),
      );
      const result = await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
      expect(result.status).toBe('completed');
      expect((await sql.query('SELECT id, reports_to_id FROM people ORDER BY id')).rows).toEqual([
        { id: 'c1', reports_to_id: null },
        { id: 'c2', reports_to_id: 'c1' },
        { id: 'c3', reports_to_id: 'c2' },
      ]);
      // analyze_count counts explicit ANALYZE only (autovacuum's are autoanalyze_count).
      const stats = await sql.query("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'people'");
      expect(Number(stats.rows[0].analyze_count)).toBe(1);
    } finally {
      await sql.end();
      await Promise.all([source.close(), target.close(), state.close()]);
      rmSync(selfDir, { recursive: true, force: true });
    }
  }, 60_000);
});
