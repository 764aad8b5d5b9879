import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openConnector } from '../../src/connectors/registry.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { sync } from '../../src/engine/sync/sync.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import { freshPostgres } from '../helpers/databases.js';
import { dropWithSlots, secretFree, seedSource, sqlClient } from '../unit/sync/crm-fixture.js';

/** One object per flag column type, all over the source's accounts. */
const FLAGS = [
  { table: 'c_timestamp', ddl: 'timestamp' },
  { table: 'c_timestamptz', ddl: 'timestamptz' },
  { table: 'c_date', ddl: 'date' },
  { table: 'c_boolean', ddl: 'boolean' },
  { table: 'c_integer', ddl: 'integer' },
  { table: 'c_bigint', ddl: 'bigint' },
] as const;

function project(sourceUrl: string, targetUrl: string): string {
  const objects = FLAGS.map(
    (f) => `
  ${f.table}:
    source: { table: accounts, key: id }
    target: { table: ${f.table}, key: id }
    fields: { id: id, name: name }
    sync: { deletes: soft_delete, softDelete: { source: deleted, target: deleted_flag } }`,
  ).join('');
  return `
source: { url: "${secretFree(sourceUrl)}" }
target: { url: "${secretFree(targetUrl)}" }
objects:${objects}
`;
}

/**
 * Issue 13: soft delete into a timestamp column wrote the text '1' (and sync retried it forever).
 * The flag is written in the column's type: a date or time column gets the time of the delete
 * (NULL again when the row comes back), a boolean true, an integer 1.
 */
describe('soft delete writes the flag in the type of its column', () => {
  // Undone last first: connectors, then databases and the folder.
  const undo: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const f of undo.reverse()) await f();
  });

  it('timestamp, timestamptz, date, boolean, integer and bigint flags are set and cleared', async (ctx) => {
    const src = await freshPostgres();
    const tgt = await freshPostgres();
    if (!src || !tgt) return ctx.skip();
    undo.push(
      () => dropWithSlots(src),
      () => dropWithSlots(tgt),
    );
    const sql = await sqlClient(src.url);
    await seedSource(sql, 5);
    const targetSql = await sqlClient(tgt.url);
    for (const f of FLAGS) await targetSql.run(`CREATE TABLE ${f.table} (id text PRIMARY KEY, name text, deleted_flag ${f.ddl})`);
    const dir = mkdtempSync(join(tmpdir(), 'crmbridge-soft-delete-'));
    undo.push(async () => rmSync(dir, { recursive: true, force: true }));
    const state = await openStateStore(join(dir, 'state'));
    const plan = compilePlan(parseProject(project(src.url, tgt.url), 'crmbridge.yaml'));
    const source = await openConnector(src.url);
    const target = await openConnector(tgt.url);
    undo.push(
      () => source.close(),
      () => target.close(),
    );
    await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
    const once = async () =>
      (await sync({ plan, source, target, state, targetSchema: await target.introspect(), mode: 'cdc', follow: false })).status;
    const flags = async () =>
      Object.fromEntries(
        await Promise.all(
          FLAGS.map(async (f) => {
            const [row] = await targetSql.rows(
              `SELECT deleted_flag IS NOT NULL AND (${
                f.ddl.startsWith('timestamp')
                  ? "deleted_flag BETWEEN now()::timestamp - interval '10 minutes' AND now()::timestamp + interval '10 minutes'"
                  : f.ddl === 'date'
                    ? 'deleted_flag BETWEEN current_date - 1 AND current_date + 1'
                    : f.ddl === 'boolean'
                      ? 'deleted_flag'
                      : 'deleted_flag = 1'
              }) AS set, deleted_flag IS NULL AS cleared FROM ${f.table} WHERE id = 'a000002'`,
            );
            return [f.table, row.set ? 'set' : row.cleared ? 'null' : 'other'];
          }),
        ),
      );

    await sql.run("UPDATE accounts SET deleted = 1 WHERE id = 'a000002'");
    expect(await once()).toBe('completed');
    expect(await flags()).toEqual(Object.fromEntries(FLAGS.map((f) => [f.table, 'set'])));

    await sql.run("UPDATE accounts SET deleted = 0 WHERE id = 'a000002'");
    expect(await once()).toBe('completed');
    const cleared = await flags();
    for (const f of FLAGS) expect(cleared[f.table], f.table).toBe(['boolean', 'integer', 'bigint'].includes(f.ddl) ? 'other' : 'null');
    await sql.close();
    await targetSql.close();
    await state.close();
  }, 180_000);
});
