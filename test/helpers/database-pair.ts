import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { dropWithSlots, type Sql, sqlClient } from '../unit/sync/crm-fixture.js';
import type { FreshDatabase } from './databases.js';

/** A source and a target database with a SQL client each, and a scratch folder (the state store, a project file). */
export interface DatabasePair {
  readonly src: FreshDatabase;
  readonly tgt: FreshDatabase;
  readonly s: Sql;
  readonly t: Sql;
  readonly dir: string;
}

/**
 * For a test file whose tests each need a fresh source and target: returns a function that
 * creates them (undefined when a server is missing: the test skips) with the given DDL run on
 * each; everything is dropped after the file (replication slots first), plus `cleanup` items.
 */
export function databasePairs(
  cleanup: { close(): Promise<void> }[] = [],
): (
  freshSource: () => Promise<FreshDatabase | undefined>,
  freshTarget: () => Promise<FreshDatabase | undefined>,
  ddl: { readonly source: readonly string[]; readonly target: readonly string[] },
) => Promise<DatabasePair | undefined> {
  const dbs: FreshDatabase[] = [];
  const clients: Sql[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c.close();
    for (const c of clients) await c.close();
    for (const db of dbs) await dropWithSlots(db);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return async (freshSource, freshTarget, ddl) => {
    const src = await freshSource();
    const tgt = await freshTarget();
    if (!src || !tgt) return undefined;
    dbs.push(src, tgt);
    const s = await sqlClient(src.url);
    const t = await sqlClient(tgt.url);
    clients.push(s, t);
    for (const statement of ddl.source) await s.run(statement);
    for (const statement of ddl.target) await t.run(statement);
    const dir = mkdtempSync(join(tmpdir(), 'crmbridge-pair-'));
    dirs.push(dir);
    return { src, tgt, s, t, dir };
  };
}
