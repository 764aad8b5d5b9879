import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { LedgerEntry } from '../../src/state/state-store.js';
import { DIRT, HUBSPOT_COUNTS, hubspotExport } from '../fixtures/unseen-crm/hubspot-export.js';
import { ODOO_COUNTS, odooSchemaSql } from '../fixtures/unseen-crm/odoo-schema.js';
import { type FreshDatabase, freshPostgres } from '../helpers/databases.js';
import { dropWithSlots } from '../unit/sync/crm-fixture.js';

/**
 * A new user's whole path, through the CLI, on two CRMs the tool was not tuned on (see
 * test/fixtures/unseen-crm/): a HubSpot-style CSV export into PostgreSQL, and an Odoo-style
 * PostgreSQL CRM into SQLite followed by change-log sync. Nothing is hand-mapped: what suggest
 * drafts is what runs.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/unseen-crm');
const dirs: string[] = [];
const dbs: FreshDatabase[] = [];

afterAll(async () => {
  for (const db of dbs) await dropWithSlots(db);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'crmbridge-unseen-'));
  dirs.push(dir);
  return dir;
}

function cli(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The last run's ledger, each object's row checked to balance. */
function balancedLedger(cwd: string): Map<string, LedgerEntry> {
  const runs = JSON.parse(cli(cwd, 'runs', '--json').out) as { status: string; ledger: LedgerEntry[] }[];
  expect(runs[0].status).toMatch(/^completed(_with_rejects)?$/);
  for (const l of runs[0].ledger) expect(l.read, l.object).toBe(l.created + l.updated + l.unchanged + l.rejected + l.filtered);
  return new Map(runs[0].ledger.map((l) => [l.object, l]));
}

describe('a CRM crmbridge was not tuned on', () => {
  it('the committed fixtures are what their generators write', () => {
    for (const [name, text] of Object.entries(hubspotExport().files)) {
      expect(readFileSync(join(FIXTURES, 'hubspot', name), 'utf8'), name).toBe(text);
    }
    expect(readFileSync(join(FIXTURES, 'odoo.sql'), 'utf8')).toBe(odooSchemaSql());
  });

  it('HubSpot-style CSV export → PostgreSQL: init, analyze, suggest, plan, migrate, rejects, verify, rollback', async (ctx) => {
    const target = await freshPostgres();
    if (!target) return ctx.skip();
    dbs.push(target);
    const dir = workspace();
    cpSync(join(FIXTURES, 'hubspot'), join(dir, 'export'), { recursive: true });

    expect(cli(dir, 'init', 'export/', target.url).code).toBe(0);
    const refused = cli(dir, 'suggest', 'export/');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/\[CRM_C1005\] File already exists: crmbridge\.yaml exists\. Pass --force/);

    const analysis = cli(dir, 'analyze', 'export/');
    expect(analysis.code, analysis.err).toBe(0);
    expect(analysis.out).toMatch(/contacts\.Associated Company ID → companies\.Record ID .* 1 orphan/);
    expect(analysis.out).toMatch(/associations: Deal ID → deals ⇄ Contact ID → contacts/);
    expect(analysis.out).toMatch(/\n {2}Email .*1 duplicate e-mail ignoring case/);

    const suggested = cli(dir, 'suggest', 'export/', '--force');
    expect(suggested.code, suggested.err).toBe(0);
    const project = parseYaml(readFileSync(join(dir, 'crmbridge.yaml'), 'utf8'));
    // init's target is kept; the deal-contact links have no home in the model and are listed, not loaded as notes
    expect(project.target.url).toBe(target.url);
    expect(Object.keys(project.objects).sort()).toEqual(['companies', 'opportunities', 'people']);
    expect(suggested.out).toMatch(/Source tables not mapped: associations/);

    expect(cli(dir, 'plan').code).toBe(0);
    const migrated = cli(dir, 'migrate');
    expect(migrated.code, migrated.err).toBe(3);
    const ledger = balancedLedger(dir);
    expect(ledger.get('companies')).toMatchObject({ read: HUBSPOT_COUNTS.companies, rejected: 0 });
    expect(ledger.get('people')).toMatchObject({ read: HUBSPOT_COUNTS.contacts, rejected: 3 });
    expect(ledger.get('opportunities')).toMatchObject({ read: HUBSPOT_COUNTS.deals, rejected: 1 });

    // Exactly the planted dirt is rejected, each with its reason; everything else loads.
    const exported = cli(dir, 'rejects', '--export', 'rejects.ndjson');
    expect(exported.code).toBe(0);
    expect(exported.err).toMatch(/^rejects of run \S+ \(migrate\), the latest; `crmbridge runs` lists the others$/m);
    const rejects = readFileSync(join(dir, 'rejects.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { object: string; sourceKey: string; reason: string })
      .map((r) => `${r.object} ${r.sourceKey} ${r.reason}`)
      .sort();
    expect(rejects).toEqual([
      `opportunities ["${DIRT.badAmountDeal}"] invalid_number`,
      `people ["${DIRT.orphanCompanyContact}"] missing_parent`,
      `people ["${DIRT.invalidEmailContact}"] invalid_email`,
      `people ["${DIRT.impossibleDateContact}"] invalid_date`,
    ]);

    const verified = cli(dir, 'verify');
    expect(verified.code, verified.out + verified.err).toBe(0);

    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      const note = await client.query("SELECT description FROM people WHERE description LIKE 'Met at the trade fair.%' LIMIT 1");
      expect(note.rows[0].description).toMatch(/^Met at the trade fair\.\r\nFollow-up: "pricing" sheet; .*\nSigned NDA ✅ 日本語OK$/);
      const revenue = await client.query("SELECT annual_revenue::text AS r FROM companies WHERE name = 'Globex GmbH'");
      expect(revenue.rows[0].r).toBe('214058.18');

      const runs = JSON.parse(cli(dir, 'runs', '--json').out) as { id: string; kind: string }[];
      const run = runs.find((r) => r.kind === 'migrate')!;
      expect(cli(dir, 'rollback', run.id).code).toBe(0);
      // The run created the tables: its rollback drops them.
      expect((await client.query("SELECT to_regclass('people') IS NULL AS gone")).rows[0].gone).toBe(true);
    } finally {
      await client.end();
    }
  }, 240_000);

  it('Odoo-style PostgreSQL CRM → SQLite: analyze finds its links, migrate and verify agree, sync --once takes in later changes', async (ctx) => {
    const source = await freshPostgres();
    if (!source) return ctx.skip();
    dbs.push(source);
    const sql = new pg.Client({ connectionString: source.url });
    await sql.connect();
    try {
      await sql.query(odooSchemaSql());
      const dir = workspace();
      expect(cli(dir, 'init', source.url, 'sqlite:modern.db').code).toBe(0);
      const analysis = cli(dir, 'analyze', source.url);
      expect(analysis.code, analysis.err).toBe(0);
      expect(analysis.out).toMatch(/crm_lead\.partner_id → res_partner\.id +inferred .*1 orphan/);
      expect(analysis.out).toMatch(/mail_message\.model\+res_id/);
      expect(analysis.out).toMatch(/"crm\.lead" → crm_lead\.id: 100% found/);
      expect(analysis.out).toMatch(/crm_tag_rel: lead_id → crm_lead ⇄ tag_id → crm_tag/);
      expect(analysis.out).toMatch(/\n {2}email .*1 duplicate e-mail ignoring case/);

      expect(cli(dir, 'suggest', source.url, '--force').code).toBe(0);
      const projectFile = join(dir, 'crmbridge.yaml');
      const project = parseYaml(readFileSync(projectFile, 'utf8'));
      expect(project.target.url).toBe('sqlite:modern.db');
      // res_partner holds companies and people: split by is_company
      expect(project.objects.companies.source).toMatchObject({ table: 'res_partner', filter: 'is_company' });
      expect(project.objects.people.source).toMatchObject({ table: 'res_partner', filter: 'NOT is_company' });
      expect(cli(dir, 'plan').code).toBe(0);
      const migrated = cli(dir, 'migrate');
      expect(migrated.code, migrated.err).toBe(3);
      const ledger = balancedLedger(dir);
      expect(ledger.get('leads')).toMatchObject({ read: ODOO_COUNTS.leads, rejected: 0 });
      expect(ledger.get('companies')).toMatchObject({ created: ODOO_COUNTS.companies, filtered: ODOO_COUNTS.people });
      // the person whose parent is themself has no company to point at; the bad e-mail rejects
      expect(ledger.get('people')).toMatchObject({ created: ODOO_COUNTS.people - 2, rejected: 2, filtered: ODOO_COUNTS.companies });
      // mail_message(model, res_id) becomes notes on companies, people and leads
      expect(project.objects.notes.fields.person_id.ref).toEqual({ object: 'people', when: { model: 'res.partner' }, onMissing: 'null' });
      expect(ledger.get('notes')).toMatchObject({ read: ODOO_COUNTS.messages });
      expect(cli(dir, 'verify').code).toBe(0);

      // No object declares sync:, so migrate recorded no hand-off: sync says so and what to do.
      const first = cli(dir, 'sync', '--once');
      expect(first.code, first.err).toBe(0);
      expect(first.err).toMatch(/no object of the project declares `sync:`.*declare `sync: \{\}`/);

      // From here on the change log is followed: an edit, a delete and a new lead arrive.
      await sql.query("UPDATE crm_lead SET name = 'Renamed lead', write_date = now() WHERE id = 30001");
      await sql.query('DELETE FROM crm_tag_rel WHERE lead_id = 30002');
      await sql.query('DELETE FROM crm_lead WHERE id = 30002');
      await sql.query(
        "INSERT INTO crm_lead (id, name, type, priority, create_date, write_date) VALUES (39999, 'New lead', 'lead', '1', now(), now())",
      );
      const synced = cli(dir, 'sync', '--once');
      expect(synced.code, synced.err).toBe(0);
      expect(synced.out).toMatch(/created 1, updated 1, .*deleted 1/);
      const verified = cli(dir, 'verify');
      expect(verified.code, verified.out + verified.err).toBe(0);
    } finally {
      await sql.end();
    }
  }, 240_000);
});
