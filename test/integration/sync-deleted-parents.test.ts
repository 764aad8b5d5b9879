import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMigrate } from '../../src/cli/commands/migrate-command.js';
import { runSync } from '../../src/cli/commands/sync-command.js';
import { runVerify } from '../../src/cli/commands/verify-command.js';
import { type FreshDatabase, freshMysql, freshPostgres } from '../helpers/databases.js';
import { quietly } from '../helpers/sample-project.js';
import { writeShippedSyncProject } from '../helpers/shipped-sync-project.js';
import { dropWithSlots, sqlClient } from '../unit/sync/crm-fixture.js';

const SYNC_ONCE = { once: true, feed: 'main', lookback: '60', interval: '1000', lagWarnMb: '1024', statusEvery: '60', json: true };

/**
 * Issue 14: a deleted parent clears the reference of the rows that point at it where migrate
 * would (a deferred self-reference: `people.reports_to_id`, `companies.parent_company_id`; a
 * reference mapped `onMissing: null`), and never deletes a child the source still has. A child
 * renamed after its parent's delete is kept, and so are the rows that reference the child.
 * Migrate, sync and verify agree: after sync, verify finds the target equal.
 */
describe.each([
  {
    name: 'PostgreSQL',
    freshSource: freshPostgres,
    live: (t: string) => `NOT ${t}.deleted`,
    softDelete: 'deleted = true',
    restore: 'deleted = false',
  },
  { name: 'MariaDB', freshSource: freshMysql, live: (t: string) => `${t}.deleted = 0`, softDelete: 'deleted = 1', restore: 'deleted = 0' },
])('sync after parents are deleted, $name source (shipped mapping)', ({ freshSource, live, softDelete, restore }) => {
  const dbs: FreshDatabase[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const db of dbs) await dropWithSlots(db);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('keeps the children (reference cleared), keeps a child renamed afterwards, and verifies equal', async (ctx) => {
    const src = await freshSource();
    const tgt = await freshPostgres();
    if (!src || !tgt) return ctx.skip();
    dbs.push(src, tgt);
    const dir = mkdtempSync(join(tmpdir(), 'crmbridge-sync-parents-'));
    dirs.push(dir);
    const project = await writeShippedSyncProject(dir, { source: src.url, target: tgt.url }, { contacts: 300, seed: 5 });
    const sql = await sqlClient(src.url);
    const targetSql = await sqlClient(tgt.url);
    try {
      // Managers with live reports (loaded by migrate, and no manager of the others): two are
      // hard-deleted, two soft-deleted.
      const candidates = await sql.rows(
        `SELECT m.id AS id, min(c.id) AS report FROM contacts m JOIN contacts c ON c.reports_to_id = m.id
         WHERE ${live('m')} AND ${live('c')} AND c.id <> m.id AND c.id NOT IN (SELECT reports_to_id FROM contacts WHERE reports_to_id IS NOT NULL)
         GROUP BY m.id ORDER BY m.id`,
      );
      // Two parent companies, each with a child company that people are linked to.
      const linked = (
        await sql.rows(
          `SELECT a.id AS id FROM accounts a WHERE ${live('a')} AND a.id IN (SELECT account_id FROM accounts_contacts)
           AND a.id NOT IN (SELECT parent_id FROM accounts WHERE parent_id IS NOT NULL) ORDER BY a.id`,
        )
      ).map((r) => String(r.id));
      const parents = [
        { id: linked[0], child: linked[1] },
        { id: linked[2], child: linked[3] },
      ];
      for (const p of parents) await sql.run('UPDATE accounts SET parent_id = ? WHERE id = ?', [p.id, p.child]);
      expect(await quietly(() => runMigrate({ project, json: true }))).toBe(3);
      const loaded = new Set((await targetSql.rows('SELECT id::text AS id FROM people')).map((r) => String(r.id)));
      const managers = candidates.filter((m) => loaded.has(String(m.report))).slice(0, 4);
      expect(managers.length).toBe(4);
      for (const [i, m] of managers.entries()) {
        if (i < 2) await sql.run('DELETE FROM contacts WHERE id = ?', [m.id]);
        else await sql.run(`UPDATE contacts SET ${softDelete} WHERE id = ?`, [m.id]);
      }
      for (const [i, p] of parents.entries()) {
        if (i === 0) await sql.run('DELETE FROM accounts WHERE id = ?', [p.id]);
        else await sql.run(`UPDATE accounts SET ${softDelete} WHERE id = ?`, [p.id]);
        await sql.run('UPDATE accounts SET name = ? WHERE id = ?', [`Renamed after its parent ${i}`, p.child]);
      }
      // A company people are linked to (a lookup reference) leaves, and comes back.
      const comeback = linked[4];
      await sql.run(`UPDATE accounts SET ${softDelete} WHERE id = ?`, [comeback]);
      expect(await quietly(() => runSync({ project, ...SYNC_ONCE }))).toBe(0);
      const linkedPeople = 'SELECT count(*)::int AS n FROM people WHERE company_id::text = ?';
      expect(await targetSql.rows(linkedPeople, [comeback])).toEqual([{ n: 0 }]);
      await sql.run(`UPDATE accounts SET ${restore} WHERE id = ?`, [comeback]);
      expect(await quietly(() => runSync({ project, ...SYNC_ONCE }))).toBe(0);
      // Its people are brought along: no change of their own would set the reference again.
      expect((await targetSql.rows(linkedPeople, [comeback]))[0].n).toBeGreaterThan(0);

      const people = await targetSql.rows(
        `SELECT id::text AS id, reports_to_id::text AS manager FROM people WHERE id::text IN (${managers.map(() => '?').join(', ')})`,
        managers.map((m) => m.report),
      );
      expect(people.sort((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual(
        managers.map((m) => ({ id: m.report, manager: null })).sort((a, b) => String(a.id).localeCompare(String(b.id))),
      );
      const companies = await targetSql.rows(
        `SELECT id::text AS id, name, parent_company_id AS parent FROM companies WHERE id::text IN (?, ?) ORDER BY id`,
        parents.map((p) => p.child),
      );
      expect(companies).toEqual(
        parents
          .map((p, i) => ({ id: p.child, name: `Renamed after its parent ${i}`, parent: null }))
          .sort((a, b) => String(a.id).localeCompare(String(b.id))),
      );
    } finally {
      await sql.close();
      await targetSql.close();
    }
    expect(await quietly(() => runVerify({ project, json: true }))).toBe(0);
  }, 300_000);
});
