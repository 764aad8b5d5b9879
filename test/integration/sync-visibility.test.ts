import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { sync } from '../../src/engine/sync/sync.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import { type FreshDatabase, freshMysql, freshPostgres } from '../helpers/databases.js';
import { createTargetTables, dropWithSlots, projectYaml, seedSource, sqlClient } from '../unit/sync/crm-fixture.js';
import { type RestartablePostgres, restartablePostgres } from '../unit/sync/restartable-postgres.js';

/**
 * Issue 14 (updates lost under `sync --follow`): PostgreSQL's walsender sends a transaction once
 * its commit record is flushed, before the committing session makes it visible to others. Here
 * that window is held open on purpose: the writer commits under synchronous replication to a
 * standby that does not exist, so its commit is in the log but invisible until its wait is
 * cancelled. Sync must not apply (re-read) the change before it is visible.
 */
describe('log-based sync applies a change only once the source shows its commit', () => {
  const cleanups: (() => Promise<void>)[] = [];
  const opened: Connector[] = [];
  afterAll(async () => {
    for (const c of opened) await c.close();
    for (const f of cleanups.reverse()) await f();
  });

  it('a commit delivered by the log before it is visible is applied with its new value', async (ctx) => {
    const server: RestartablePostgres | undefined = await restartablePostgres();
    const tgt: FreshDatabase | undefined = await freshPostgres();
    if (!server || !tgt) return ctx.skip();
    cleanups.push(
      () => server.stop(),
      () => dropWithSlots(tgt),
    );
    const dir = mkdtempSync(join(tmpdir(), 'crmbridge-sync-visible-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    // Only the writer's session below will wait for the (missing) synchronous standby; every
    // other session of this database, crmbridge's included, commits locally (set before any opens).
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('ALTER DATABASE postgres SET synchronous_commit = local');
    await admin.end();
    const sql = await sqlClient(server.url);
    cleanups.push(() => sql.close());
    await seedSource(sql, 20);
    await createTargetTables(tgt.url);
    const plan = compilePlan(parseProject(projectYaml(server.url, tgt.url), 'crmbridge.yaml'));
    const state = await openStateStore(join(dir, 'state'));
    cleanups.push(() => state.close());
    const source = await openConnector(server.url);
    const target = await openConnector(tgt.url);
    opened.push(source, target);
    await migrate({ plan, source, target, state, targetSchema: await target.introspect() });

    await sql.run("ALTER SYSTEM SET synchronous_standby_names = 'crmbridge_no_such_standby'");
    await sql.run('SELECT pg_reload_conf()');
    const writer = new pg.Client({ connectionString: server.url });
    await writer.connect();
    cleanups.push(() => writer.end());
    await writer.query('SET synchronous_commit = on');
    const [{ pid }] = (await writer.query('SELECT pg_backend_pid() AS pid')).rows as { pid: number }[];
    const writing = writer.query("UPDATE accounts SET name = 'Renamed while invisible' WHERE id = 'a000003'");
    for (;;) {
      const waiting = await sql.rows("SELECT 1 FROM pg_stat_activity WHERE pid = ? AND wait_event = 'SyncRep'", [pid]);
      if (waiting.length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await sql.rows("SELECT name FROM accounts WHERE id = 'a000003'")).toEqual([{ name: 'Account 3' }]);

    let finished = false;
    const syncing = sync({ plan, source, target, state, targetSchema: await target.introspect(), mode: 'cdc', follow: false }).finally(
      () => {
        finished = true;
      },
    );
    await new Promise((r) => setTimeout(r, 2000));
    const finishedBeforeVisible = finished;
    // The commit becomes visible (cancelling the wait keeps the local commit).
    await sql.run('SELECT pg_cancel_backend(?)', [pid]);
    await writing;
    const result = await syncing;
    await sql.run('ALTER SYSTEM RESET synchronous_standby_names');
    await sql.run('SELECT pg_reload_conf()');

    expect(result.status).toBe('completed');
    const names = await (await sqlClient(tgt.url)).rows("SELECT name FROM companies WHERE id = 'a000003'");
    expect(names).toEqual([{ name: 'Renamed while invisible' }]);
    expect(finishedBeforeVisible, 'sync waited for the commit to become visible').toBe(false);
  }, 180_000);

  it('MariaDB: the feed waits until a transaction holding the changed rows has committed', async (ctx) => {
    const db = await freshMysql();
    if (!db) return ctx.skip();
    cleanups.push(() => db.drop());
    const sql = await sqlClient(db.url);
    cleanups.push(() => sql.close());
    await seedSource(sql, 5);
    const source = await openConnector(db.url);
    opened.push(source);
    const feed = source.changes!({ name: 'visibility', tables: ['accounts'] });
    // A writer that has changed the row but not committed yet: the state in which the binlog
    // already holds its events (written before InnoDB commits).
    const writer = await mysql.createConnection(db.url);
    cleanups.push(() => writer.end());
    await writer.query('START TRANSACTION');
    await writer.query("UPDATE accounts SET name = 'Renamed' WHERE id = 'a000001'");
    const change = { op: 'update' as const, table: 'accounts', key: ['a000001'], position: 'binlog.000001:4' };
    let visible = false;
    const waiting = feed.visible([{ changes: [change], position: change.position }]).then(() => {
      visible = true;
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(visible, 'resolved while the writer had not committed').toBe(false);
    await writer.query('COMMIT');
    await waiting;
    expect(visible).toBe(true);
    await feed.close();
  }, 60_000);
});
