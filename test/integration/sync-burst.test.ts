import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMigrate } from '../../src/cli/commands/migrate-command.js';
import { runVerify } from '../../src/cli/commands/verify-command.js';
import { introspectTarget } from '../../src/cli/prepare-target.js';
import { openProject } from '../../src/cli/project-context.js';
import { sync } from '../../src/engine/sync/sync.js';
import { type FreshDatabase, freshMysql, freshPostgres } from '../helpers/databases.js';
import { quietly } from '../helpers/sample-project.js';
import { writeShippedSyncProject } from '../helpers/shipped-sync-project.js';
import { dropWithSlots, sqlClient } from '../unit/sync/crm-fixture.js';

const BURST = 200;
const PAUSE_MS = 15;
const ROUNDS = 3;

/**
 * Issue 14: single-row renames committed tens of milliseconds apart while `sync --follow` runs
 * must all arrive (with a few managers deleted among them, whose reports must stay). A change is applied by re-reading its row, so that read must see the change's
 * commit (a log can deliver a commit before the source shows it to other sessions).
 */
describe.each([
  { name: 'PostgreSQL', freshSource: freshPostgres, now: 'now()' },
  { name: 'MariaDB', freshSource: freshMysql, now: 'now(6)' },
])('sync --follow under a burst of renames, $name source (shipped mapping)', ({ freshSource, now }) => {
  const dbs: FreshDatabase[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const db of dbs) await dropWithSlots(db);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(`loses none of ${ROUNDS}×${BURST} renames ${PAUSE_MS} ms apart; the target then verifies equal to the source`, async (ctx) => {
    const src = await freshSource();
    const tgt = await freshPostgres();
    if (!src || !tgt) return ctx.skip();
    dbs.push(src, tgt);
    const dir = mkdtempSync(join(tmpdir(), 'crmbridge-sync-burst-'));
    dirs.push(dir);
    const project = await writeShippedSyncProject(dir, { source: src.url, target: tgt.url }, { contacts: 300, seed: 11 });
    // The sample's dirt leaves rejects: migrate exits 3 (completed_with_rejects).
    expect(await quietly(() => runMigrate({ project, json: true }))).toBe(3);
    const sql = await sqlClient(src.url);
    const live = (await sql.rows(`SELECT id FROM accounts WHERE ${now === 'now()' ? 'NOT deleted' : 'deleted = 0'} ORDER BY id`)).map((r) =>
      String(r.id),
    );
    // Managers deleted during the bursts, hard and soft: their reports stay (reference cleared).
    const managers = (
      await sql.rows('SELECT DISTINCT reports_to_id AS id FROM contacts WHERE reports_to_id IS NOT NULL ORDER BY reports_to_id')
    ).map((r) => String(r.id));
    const p = await openProject(project);
    const [source, target] = [await p.source(), await p.target()];
    const targetSql = await sqlClient(tgt.url);
    const run = async (follow: boolean, signal?: AbortSignal) =>
      sync({
        plan: p.plan,
        source,
        target,
        state: p.state,
        targetSchema: await introspectTarget(target, p.plan),
        mode: 'cdc',
        follow,
        statusEveryMs: 60_000,
        ...(signal ? { signal } : {}),
      });
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const stop = new AbortController();
        const following = run(true, stop.signal);
        const names = new Map<string, string>();
        for (let i = 0; i < BURST; i++) {
          const id = live[(i * 7 + round * 13) % live.length];
          const name = `Renamed ${round}-${i}`;
          names.set(id, name);
          await sql.run(`UPDATE accounts SET name = ?, date_modified = ${now} WHERE id = ?`, [name, id]);
          const manager = i % 50 === 25 ? managers.pop() : undefined;
          if (manager && i % 100 === 25) await sql.run('DELETE FROM contacts WHERE id = ?', [manager]);
          else if (manager) await sql.run(`UPDATE contacts SET deleted = ${now === 'now()' ? 'true' : '1'} WHERE id = ?`, [manager]);
          await new Promise((r) => setTimeout(r, PAUSE_MS));
        }
        // Let the follower drain what is in flight, then stop it and catch up once.
        await new Promise((r) => setTimeout(r, 1500));
        stop.abort();
        expect((await following).status).toBe('completed');
        const once = await run(false);
        expect(once.status).toBe('completed');
        const rows = await targetSql.rows('SELECT id::text AS id, name FROM companies');
        const inTarget = new Map(rows.map((r) => [String(r.id), String(r.name)]));
        const lost = [...names].filter(([id, name]) => inTarget.get(id) !== name);
        expect(lost, `round ${round}: renames missing in the target`).toEqual([]);
      }
    } finally {
      await sql.close();
      await targetSql.close();
      await p.close();
    }
    expect(await quietly(() => runVerify({ project, json: true }))).toBe(0);
  }, 600_000);
});
