import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { runMigrate } from '../../src/cli/commands/migrate-command.js';
import { openStateStore } from '../../src/state/index.js';
import { type FreshDatabase, freshPostgres } from '../helpers/databases.js';
import { startMariadb } from '../setup/mariadb-server.js';
import type { TestServer } from '../setup/test-server.js';
import { createTargetTables, projectYaml, seedSource, sqlClient } from '../unit/sync/crm-fixture.js';

/**
 * Issue 13: a project that declares `sync:` migrates from a MySQL/MariaDB server whose binary log
 * is off (poll and snapshot sync need none): migrate says what `--mode cdc` would need, as a
 * warning naming `crmbridge sync`, and the run completes (no run is left `running`).
 */
describe('migrate of a project with sync: from a source without a change log', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const f of cleanups.reverse()) await f();
  });

  it('migrates, warns about cdc, and records the run as completed', async (ctx) => {
    let server: TestServer;
    try {
      server = await startMariadb({ binlog: false });
    } catch {
      return ctx.skip();
    }
    cleanups.push(() => server.stop());
    const tgt: FreshDatabase | undefined = await freshPostgres();
    if (!tgt) return ctx.skip();
    cleanups.push(() => tgt.drop());
    const admin = await mysql.createConnection(server.url);
    await admin.query('CREATE DATABASE crm');
    const [[logs]] = (await admin.query('SELECT @@log_bin AS on_')) as unknown as [{ on_: number }[]];
    await admin.end();
    expect(Number(logs.on_)).toBe(0);
    const sourceUrl = server.url.replace(/\/mysql$/, '/crm');
    const sql = await sqlClient(sourceUrl);
    await seedSource(sql, 10);
    await sql.close();
    await createTargetTables(tgt.url);
    const dir = mkdtempSync(join(tmpdir(), 'crmbridge-no-log-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const project = join(dir, 'crmbridge.yaml');
    writeFileSync(project, projectYaml(sourceUrl, tgt.url));

    const printed: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    };
    let code: number;
    try {
      code = await runMigrate({ project, json: true });
    } finally {
      process.stdout.write = write;
    }
    expect(code, printed.join('')).toBe(0);
    const warnings = printed
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; message?: string })
      .filter((e) => e.type === 'warning');
    expect(warnings.map((w) => w.message).join('\n')).toMatch(/crmbridge sync --mode poll/);
    const state = await openStateStore(join(dir, '.crmbridge'));
    const runs = await state.listRuns(10);
    await state.close();
    expect(runs.map((r) => r.status)).toEqual(['completed']);
  }, 180_000);
});
