import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrate } from '../../src/cli/commands/migrate-command.js';
import { runVerify } from '../../src/cli/commands/verify-command.js';
import { openStateStore } from '../../src/state/index.js';
import { quietly, writeSampleProject } from '../helpers/sample-project.js';

/**
 * The demo's pipeline on a small sample: the shipped mapping (joins, e-mail lookups through the
 * polymorphic relation table, polymorphic parents, self-references, picklists, phones) migrates
 * the legacy CRM, the result verifies equal, and a re-run changes nothing.
 */
describe('shipped mapping: legacy CRM → modern model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crmbridge-pipeline-'));
  let project: string;

  beforeAll(async () => {
    project = await writeSampleProject(dir, { contacts: 800, seed: 7 });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates with a balanced ledger, verifies equal, and a re-run writes nothing', async () => {
    expect(await quietly(() => runMigrate({ project, json: true }))).toBe(3);
    expect(await quietly(() => runVerify({ project, json: true }))).toBe(0);
    // Every person's primary e-mail is the primary address of the relation table, lower-cased.
    const legacy = new Database(join(dir, 'legacy.db'), { readonly: true });
    const modern = new Database(join(dir, 'modern.db'), { readonly: true });
    const expected = legacy
      .prepare(
        `SELECT r.bean_id AS id, lower(trim(e.email_address)) AS email FROM email_addr_bean_rel r
         JOIN email_addresses e ON e.id = r.email_address_id AND e.deleted = 0
         WHERE r.bean_module = 'Contacts' AND r.deleted = 0 AND r.primary_address = 1`,
      )
      .all() as { id: string; email: string }[];
    const actual = new Map(
      (modern.prepare('SELECT id, primary_email FROM people').all() as { id: string; primary_email: string }[]).map((r) => [
        r.id,
        r.primary_email,
      ]),
    );
    const loaded = expected.filter((e) => actual.has(e.id));
    expect(loaded.length).toBeGreaterThan(500);
    for (const e of loaded) expect(actual.get(e.id)).toBe(e.email);
    // The other addresses, from the same relation rows (fetched once for both fields), as written.
    const others = new Map<string, string[]>();
    for (const r of legacy
      .prepare(
        `SELECT r.bean_id AS id, e.email_address AS email FROM email_addr_bean_rel r
         JOIN email_addresses e ON e.id = r.email_address_id AND e.deleted = 0
         WHERE r.bean_module = 'Contacts' AND r.deleted = 0 AND r.primary_address = 0`,
      )
      .all() as { id: string; email: string }[])
      others.set(r.id, [...(others.get(r.id) ?? []), r.email]);
    const additional = modern.prepare('SELECT id, additional_emails AS list FROM people').all() as { id: string; list: string | null }[];
    const withOthers = additional.filter((p) => others.has(p.id));
    expect(withOthers.length).toBeGreaterThan(50);
    for (const p of withOthers) expect((JSON.parse(p.list ?? '[]') as string[]).sort(), p.id).toEqual(others.get(p.id)!.sort());
    legacy.close();
    modern.close();
    const again = await quietly(() => runMigrate({ project, json: true }));
    expect(again).toBe(3);
    const state = await openStateStore(join(dir, '.crmbridge'));
    const [latest] = await state.listRuns(1);
    const ledger = await state.getLedger(latest.id);
    await state.close();
    expect(ledger.length).toBeGreaterThan(5);
    for (const l of ledger) expect(l.created + l.updated, l.object).toBe(0);
  }, 180_000);
});
