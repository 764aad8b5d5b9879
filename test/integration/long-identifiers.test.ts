import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { openConnector } from '../../src/connectors/registry.js';
import { logicalSchema } from '../../src/core/identifiers.js';
import { type FreshDatabase, freshMysql, freshPostgres } from '../helpers/databases.js';

/**
 * Target names over the dialect's identifier limit (PostgreSQL 63 bytes, MySQL/MariaDB 64):
 * `design --apply` stores them shortened, and plan, migrate (twice: the second run finds every
 * row unchanged), verify (hashed in the database) and the dry run find them under that one
 * identifier. One column is multi-byte UTF-8: under the limit in characters, over it in bytes.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
const dbs: FreshDatabase[] = [];

afterAll(async () => {
  for (const db of dbs) await db.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const env: Record<string, string> = {};

function cli(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const LONG_TABLE = 'companies_imported_from_the_legacy_crm_with_every_custom_field_kept';
const LONG_COLUMN = `${'a_very_long_custom_field_name_from_a_legacy_crm_'.repeat(2)}note`;
const MULTIBYTE_COLUMN = 'größe_der_kundenbeziehung_übersicht_für_äöü_straße_ß_äöü_größe'; // 62 characters, 76 bytes
// A self-reference: its foreign key and index are named after the long table and column too.
const LONG_REFERENCE = 'parent_company_of_this_account_as_recorded_by_the_legacy_crm_system';

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'crmbridge-long-names-'));
  dirs.push(dir);
  const db = new Database(join(dir, 'legacy.db'));
  db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT, note TEXT, size TEXT, parent_id INTEGER)');
  db.exec(`INSERT INTO accounts VALUES (1, 'Acme', 'first', '12.5', NULL), (2, 'Globex', NULL, '7', 1), (3, 'Initech', 'third', NULL, 2)`);
  db.close();
  const project = {
    source: { url: 'sqlite:./legacy.db' },
    target: { url: '${env:LONG_NAMES_TARGET}' },
    objects: {
      companies: {
        source: { table: 'accounts', key: 'id' },
        target: { table: LONG_TABLE, key: 'id' },
        fields: {
          id: 'id',
          name: 'name',
          [LONG_COLUMN]: 'note',
          [MULTIBYTE_COLUMN]: { from: 'size', transform: ['number'], type: 'decimal(12,2)' },
          [LONG_REFERENCE]: { from: 'parent_id', ref: 'companies' },
        },
      },
    },
  };
  writeFileSync(join(dir, 'crmbridge.yaml'), stringify(project));
  return dir;
}

describe.each([
  ['PostgreSQL', freshPostgres, 63],
  ['MariaDB', freshMysql, 64],
] as const)('names over the identifier limit on %s', (_label, fresh, limit) => {
  it('design --apply, plan, migrate, migrate again, dry run, verify and rollback all find the shortened identifiers', async (ctx) => {
    const target = await fresh();
    if (!target) return ctx.skip();
    dbs.push(target);
    expect(Buffer.byteLength(LONG_TABLE)).toBeGreaterThan(limit);
    expect(Buffer.byteLength(MULTIBYTE_COLUMN)).toBeGreaterThan(63);
    env.LONG_NAMES_TARGET = target.url;
    const dir = workspace();

    const designed = cli(dir, 'design', '--apply');
    expect(designed.code, designed.err).toBe(0);
    const plan = cli(dir, 'plan');
    expect(plan.code, plan.out + plan.err).toBe(0);
    expect(plan.out + plan.err).toMatch(new RegExp(`\\[CRM_M5012\\].*column "${LONG_COLUMN}" is stored as "[^"]{50,${limit}}"`));

    /** Runs migrate and returns its ledger entry, from the last JSON event it prints. */
    const migrate = (...args: string[]) => {
      const run = cli(dir, 'migrate', '--json', ...args);
      expect(run.code, run.out + run.err).toBe(0);
      const finished = JSON.parse(run.out.trim().split('\n').at(-1)!) as {
        ledger: { runId: string; created: number; unchanged: number }[];
      };
      return finished.ledger[0];
    };
    const first = migrate();
    expect(first).toMatchObject({ created: 3, unchanged: 0 });
    expect(migrate('--dry-run')).toMatchObject({ created: 0, unchanged: 3 });
    expect(migrate()).toMatchObject({ created: 0, unchanged: 3 });

    const verified = cli(dir, 'verify', '--json');
    expect(verified.code, verified.err).toBe(0);
    const report = JSON.parse(verified.out) as { equal: boolean; objects: { pushdown: boolean; columns: string[] }[] };
    expect(report.equal).toBe(true);
    expect(report.objects[0].columns).toContain(MULTIBYTE_COLUMN);
    expect(report.objects[0].pushdown).toBe(true);

    // The self-reference's foreign key and index exist, under names within the limit.
    const connector = await openConnector(target.url);
    try {
      const [stored] = (await connector.introspect({ tables: [LONG_TABLE] })).tables;
      const view = logicalSchema({ tables: [stored] }, new Map([[LONG_TABLE, [LONG_REFERENCE]]]), limit).tables[0];
      expect(view.foreignKeys).toEqual([expect.objectContaining({ columns: [LONG_REFERENCE], referencedTable: LONG_TABLE })]);
      expect(view.indexes.map((i) => i.columns)).toContainEqual([LONG_REFERENCE]);
      for (const name of [...stored.foreignKeys.map((f) => f.name ?? ''), ...stored.indexes.map((i) => i.name)])
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(limit);

      // Rollback finds the table and its columns too: the rows the first run created are gone.
      const rolledBack = cli(dir, 'rollback', first.runId);
      expect(rolledBack.code, rolledBack.out + rolledBack.err).toBe(0);
      expect(await connector.count(LONG_TABLE)).toBe(0);
    } finally {
      await connector.close();
    }
  }, 600_000);
});
