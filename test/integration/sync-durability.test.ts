import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openConnector } from '../../src/connectors/registry.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import { type FreshDatabase, freshPostgres } from '../helpers/databases.js';
import { createTargetTables, dropWithSlots, dumpTarget, editor, projectYaml, seedSource, sqlClient } from '../unit/sync/crm-fixture.js';
import { type RestartablePostgres, restartablePostgres } from '../unit/sync/restartable-postgres.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ACCOUNTS = 300;
const EDITS = 2500;

/** `crmbridge sync …` as a child process; resolves with its exit code (null when killed). */
function cli(cwd: string, args: string[]): { child: ChildProcess; done: Promise<number | null>; printed: Promise<void> } {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(ROOT, 'test/unit/sync/sync-cli.ts'), 'sync', ...args],
    {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  // Its first line ("Sync run …", on stderr): it is running (start-up under load takes seconds).
  const printed = new Promise<void>((res) => child.stderr?.once('data', () => res()));
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  const done = new Promise<number | null>((res) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(err);
      res(code);
    }),
  );
  return { child, done, printed };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sync durability (PostgreSQL → PostgreSQL, through the CLI)', () => {
  let server: RestartablePostgres | undefined;
  const dbs: FreshDatabase[] = [];
  let dir: string | undefined;
  afterAll(async () => {
    for (const db of dbs) await dropWithSlots(db);
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 of sync several times and a source server restart, under a writer: 0 lost, 0 duplicated', async (ctx) => {
    const tgt = await freshPostgres();
    if (!tgt) return ctx.skip();
    server = await restartablePostgres();
    if (!server) return ctx.skip();
    const ref = (await freshPostgres())!;
    dbs.push(tgt, ref);
    const admin = await sqlClient(server.url);
    await admin.run('CREATE DATABASE crm');
    await admin.close();
    const srcUrl = server.url.replace(/\/postgres$/, '/crm');
    const sql = await sqlClient(srcUrl);
    await seedSource(sql, ACCOUNTS);
    await createTargetTables(tgt.url);
    await createTargetTables(ref.url);
    dir = mkdtempSync(join(tmpdir(), 'crmbridge-sync-kill-'));
    writeFileSync(join(dir, 'crmbridge.yaml'), projectYaml(srcUrl, tgt.url, 100));

    // The migration records the hand-off position; sync takes over from there.
    const plan = compilePlan(parseProject(projectYaml(srcUrl, tgt.url, 100), 'crmbridge.yaml'));
    const source = await openConnector(srcUrl);
    const target = await openConnector(tgt.url);
    const state = await openStateStore(join(dir, '.crmbridge'));
    await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
    await state.close();
    await target.close();

    // A writer that keeps changing the source (bounded), riding out the server restart.
    const edit = editor(sql, ACCOUNTS, 11);
    let failedEdits = 0;
    let writerDone = false;
    const writing = (async () => {
      for (let step = 0; step < EDITS; step++) {
        await edit(step).catch(async () => {
          failedEdits++;
          await sleep(100);
        });
        await sleep(3);
      }
      writerDone = true;
    })();

    let kills = 0;
    let restarted = false;
    while (!writerDone && kills < 12) {
      const run = cli(dir, ['--follow', '--status-every', '1']);
      await sleep(1500 + Math.floor(Math.random() * 2000));
      if (kills === 1 && !restarted) {
        await server.restart();
        restarted = true;
        await sleep(2000);
      }
      run.child.kill('SIGKILL');
      await run.done;
      kills++;
    }
    await writing;
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(restarted).toBe(true);
    expect(failedEdits).toBeLessThan(EDITS / 2);

    // A clean stop: SIGTERM finishes the batch, checkpoints, closes the slot connection, exits 0.
    const follow = cli(dir, ['--follow', '--status-every', '1']);
    await Promise.race([follow.printed, follow.done]);
    await sleep(1000);
    follow.child.kill('SIGTERM');
    expect(await follow.done).toBe(0);
    expect(await cli(dir, ['--once']).done).toBe(0);

    const refPlan = compilePlan(parseProject(projectYaml(srcUrl, ref.url, 100), 'crmbridge.yaml'));
    const refTarget = await openConnector(ref.url);
    const refState = await openStateStore(join(dir, 'ref-state'));
    await migrate({ plan: refPlan, source, target: refTarget, state: refState, targetSchema: await refTarget.introspect() });
    await refState.close();
    await refTarget.close();
    await source.close();
    const expected = await dumpTarget(ref.url);
    const actual = await dumpTarget(tgt.url);
    expect(new Set(actual).size).toBe(actual.length);
    expect(actual).toEqual(expected);
    // The slot is dropped so the cluster can go.
    await sql.run("SELECT pg_drop_replication_slot('crmbridge_main_' || current_database())");
    await sql.close();
  }, 300_000);
});
