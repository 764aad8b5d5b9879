import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openConnector } from '../../src/connectors/registry.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { recordHandoffPosition } from '../../src/engine/sync/handoff.js';
import { type SyncOptions, type SyncResult, sync } from '../../src/engine/sync/sync.js';
import type { SyncEvent } from '../../src/engine/sync/sync-events.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/state-store.js';
import { databasePairs } from '../helpers/database-pair.js';
import { freshPostgres } from '../helpers/databases.js';
import { secretFree } from '../unit/sync/crm-fixture.js';

/**
 * Two-way sync with both sides edited between rounds, PostgreSQL ↔ PostgreSQL. The traps: the
 * first two-way round finds rows migrate loaded but two-way never synced (no stored image yet);
 * edits to the same field and to different fields of one row; rows created in the target of an
 * object filtered by `deleted = 0` whose `deleted` column the mapping does not write (it is
 * nullable, so a careless insert leaves it NULL and the row fails the filter); rows deleted on
 * each side. Rows 1–10: `name` edited on both sides (the target's edit newer); 11–20: `name` in
 * the source, `phone` in the target; 21–25 deleted in the source, 26–30 in the target; 31–33
 * deleted in the source and edited in the target; 34–35 deleted on both sides; 100–109 created
 * in the target.
 */
const SOURCE_DDL = [
  'CREATE TABLE accounts (id int PRIMARY KEY, name text, phone text, deleted int, updated_at timestamp NOT NULL DEFAULT now())',
  "INSERT INTO accounts SELECT g, 'N' || g, 'P' || g, 0, '2026-01-01' FROM generate_series(1, 40) g",
  // Filtered out: never in the target.
  "INSERT INTO accounts SELECT g, 'Gone' || g, NULL, 1, '2026-01-01' FROM generate_series(41, 45) g",
];
const TARGET_DDL = ['CREATE TABLE orgs (id int PRIMARY KEY, name text, phone text, updated_at timestamp NOT NULL)'];

const project = (sourceUrl: string, targetUrl: string, sync: string, filter: string) => `
source: { url: "${secretFree(sourceUrl)}" }
target: { url: "${secretFree(targetUrl)}" }
options: { batchSize: 7 }
objects:
  orgs:
    source: { table: accounts, key: id, filter: "${filter}" }
    target: { table: orgs, key: id }
    fields: { id: id, name: name, phone: phone, updated_at: updated_at }
    sync: { updatedAt: { source: updated_at, target: updated_at }, ${sync} }
`;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Writes of a sync run in both directions. */
const writes = (run: SyncResult) =>
  run.summary.ledger.created + run.summary.ledger.updated + run.summary.removal.deleted + (run.summary.reverse?.written ?? 0);

const opened: { close(): Promise<void> }[] = [];
const pair = databasePairs(opened);

/**
 * A fresh source and target with the fixture, the mapping under `syncYaml` (and `filter`),
 * migrated; in cdc mode the feed's hand-off is recorded first. `once` runs one two-way round.
 */
async function setUp(mode: 'cdc' | 'poll', syncYaml: string, filter = 'deleted = 0') {
  const dbs = await pair(freshPostgres, freshPostgres, { source: SOURCE_DDL, target: TARGET_DDL });
  if (!dbs) return undefined;
  const { src, tgt, s, t, dir } = dbs;
  const state = await openStateStore(join(dir, 'state'));
  const plan = compilePlan(parseProject(project(src.url, tgt.url, syncYaml, filter), 'crmbridge.yaml'));
  const source = await openConnector(src.url);
  const target = await openConnector(tgt.url);
  opened.push(state, source, target);
  const feed = `tw_${randomBytes(4).toString('hex')}`;
  if (mode === 'cdc') await recordHandoffPosition(plan, source, state, feed);
  await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
  const options = { plan, source, target, state, mode, feed, twoWay: true };
  const once = async (extra: Partial<SyncOptions> = {}) =>
    sync({ ...options, targetSchema: await target.introspect(), follow: false, ...extra });
  return { s, t, state, options, once };
}

/** The state store, except that `between` runs right after the first batch it commits: the target written, not yet remembered. */
function afterFirstCommit(state: StateStore, between: () => Promise<unknown>): StateStore {
  let armed = true;
  return new Proxy(state, {
    get(store, name) {
      if (name !== 'commitBatch') return Reflect.get(store, name, store).bind(store);
      return async (...args: Parameters<StateStore['commitBatch']>) => {
        await store.commitBatch(...args);
        if (armed) {
          armed = false;
          await between();
        }
      };
    },
  });
}

describe('two-way sync keeps both sides’ edits and records collisions', () => {
  const cases = [
    { conflict: 'source_wins', owners: 'updated_at: source', winner: 'S' },
    { conflict: 'target_wins', owners: 'updated_at: source', winner: 'T' },
    { conflict: 'newest_wins', owners: 'updated_at: source', winner: 'T' },
    { conflict: 'field_owner', owners: 'updated_at: source, name: target', winner: 'T' },
  ] as const;
  const modes = ['cdc', 'poll'] as const;

  it.for(modes.flatMap((mode) => cases.map((c) => ({ mode, ...c }))))(
    '$mode, $conflict: same-field collisions recorded and resolved, other fields merged, target inserts pass the filter, deletes both ways',
    async ({ mode, conflict, owners, winner }, ctx) => {
      const env = await setUp(mode, `conflict: ${conflict}, owners: { ${owners} }`);
      if (!env) return ctx.skip();
      const { s, t, state, once } = env;
      // Two-way starts (in cdc: the target's log starts here) with nothing changed yet.
      expect(writes(await once())).toBe(0);

      for (const id of range(1, 10)) {
        await s.run("UPDATE accounts SET name = 'S' || id, updated_at = '2026-03-01' WHERE id = ?", [id]);
        await t.run("UPDATE orgs SET name = 'T' || id, updated_at = '2026-03-02' WHERE id = ?", [id]);
      }
      for (const id of range(11, 20)) {
        await s.run("UPDATE accounts SET name = 'S' || id, updated_at = '2026-03-01' WHERE id = ?", [id]);
        await t.run("UPDATE orgs SET phone = 'T' || id, updated_at = '2026-03-02' WHERE id = ?", [id]);
      }
      // Polling cannot see a hard delete in the source (docs/03-sync.md): cdc only.
      if (mode === 'cdc') await s.run('DELETE FROM accounts WHERE id BETWEEN 21 AND 25');
      await t.run('DELETE FROM orgs WHERE id BETWEEN 26 AND 30');
      await t.run("INSERT INTO orgs SELECT g, 'New' || g, 'NP' || g, '2026-03-02' FROM generate_series(100, 109) g");
      // Deleted in the source and edited in the target (a row conflict each); deleted on both sides (none).
      await s.run('DELETE FROM accounts WHERE id BETWEEN 31 AND 35');
      await t.run("UPDATE orgs SET phone = 'T' || id, updated_at = '2026-03-02' WHERE id BETWEEN 31 AND 33");
      await t.run('DELETE FROM orgs WHERE id BETWEEN 34 AND 35');

      const run = await once();
      expect(run.status).toBe('completed');
      // Quiesced: the next rounds have nothing left to do.
      for (let round = 0; round < 3; round++) expect(writes(await once())).toBe(0);

      const conflicts = await state.listConflicts({ runId: run.runId });
      expect(conflicts.map((c) => [c.sourceKey, c.field, c.sourceValue, c.targetValue, c.resolution]).sort()).toEqual(
        [
          ...range(1, 10).map((id) => [`["${id}"]`, 'name', `S${id}`, `T${id}`, winner === 'S' ? 'source_wins' : 'target_wins']),
          // The deletion wins only under source_wins; the edit brings the row back to the source otherwise.
          ...range(31, 33).map((id) => [
            `["${id}"]`,
            '(row)',
            'deleted',
            'updated',
            conflict === 'source_wins' ? 'source_wins' : 'target_wins',
          ]),
        ].sort(),
      );
      const expected = [
        ...range(1, 10).map((id) => ({ id, name: `${winner}${id}`, phone: `P${id}` })),
        ...range(11, 20).map((id) => ({ id, name: `S${id}`, phone: `T${id}` })),
        ...(mode === 'cdc' ? [] : range(21, 25).map((id) => ({ id, name: `N${id}`, phone: `P${id}` }))),
        ...(conflict === 'source_wins' ? [] : range(31, 33).map((id) => ({ id, name: `N${id}`, phone: `T${id}` }))),
        ...range(36, 40).map((id) => ({ id, name: `N${id}`, phone: `P${id}` })),
        ...range(100, 109).map((id) => ({ id, name: `New${id}`, phone: `NP${id}` })),
      ];
      expect(await s.rows('SELECT id, name, phone FROM accounts WHERE deleted = 0 ORDER BY id')).toEqual(expected);
      expect(await t.rows('SELECT id, name, phone FROM orgs ORDER BY id')).toEqual(expected);
      // Rows created in the target satisfy the object's filter; the filtered-out rows were left alone.
      expect(await s.rows('SELECT count(*)::int AS n FROM accounts WHERE deleted IS DISTINCT FROM 0')).toEqual([{ n: 5 }]);
    },
  );
});

describe('two-way sync: a write landing between an apply and what is remembered of it', () => {
  it('is carried over by the next round in either direction, not taken for synced', async (ctx) => {
    const env = await setUp('poll', 'conflict: source_wins');
    if (!env) return ctx.skip();
    const { s, t, state, once } = env;
    await once();

    // Forward: a source edit is applied to the target; the target is edited right after.
    await s.run("UPDATE accounts SET name = 'S1', updated_at = '2026-03-01' WHERE id = 1");
    await once({ state: afterFirstCommit(state, () => t.run("UPDATE orgs SET phone = 'T1', updated_at = '2026-03-02' WHERE id = 1")) });
    // Reverse: a target edit is applied to the source; the source is edited right after.
    await t.run("UPDATE orgs SET name = 'T2', updated_at = '2026-03-03' WHERE id = 2");
    await once({ state: afterFirstCommit(state, () => s.run("UPDATE accounts SET phone = 'S2', updated_at = '2026-03-04' WHERE id = 2")) });
    for (let round = 0; round < 2; round++) await once();

    const both = [
      { id: 1, name: 'S1', phone: 'T1' },
      { id: 2, name: 'T2', phone: 'S2' },
    ];
    expect(await s.rows('SELECT id, name, phone FROM accounts WHERE id IN (1, 2) ORDER BY id')).toEqual(both);
    expect(await t.rows('SELECT id, name, phone FROM orgs WHERE id IN (1, 2) ORDER BY id')).toEqual(both);
    // Nothing collided: each side edited its own field.
    expect(await state.listConflicts()).toEqual([]);
  });

  it('cdc: a target edit made while the first two-way run takes its baseline reaches the source', async (ctx) => {
    const env = await setUp('cdc', 'conflict: source_wins');
    if (!env) return ctx.skip();
    const { s, t, state, once } = env;
    let edited = false;
    await once({
      state: afterFirstCommit(state, async () => {
        edited = true;
        await t.run("UPDATE orgs SET phone = 'T1' WHERE id = 1");
      }),
    });
    expect(edited).toBe(true);
    await once();
    expect(await s.rows('SELECT phone FROM accounts WHERE id = 1')).toEqual([{ phone: 'T1' }]);
    expect(await t.rows('SELECT phone FROM orgs WHERE id = 1')).toEqual([{ phone: 'T1' }]);
  });

  it('refuses, with CRM_E6013, a row created in the target that cannot be made to pass the object filter; nothing is left behind in the source', async (ctx) => {
    const env = await setUp('poll', 'conflict: source_wins', 'deleted = 0 OR deleted IS NULL');
    if (!env) return ctx.skip();
    const { s, t, once } = env;
    const warnings: string[] = [];
    const onEvent = (e: SyncEvent) => void (e.type === 'warning' && warnings.push(e.message));
    await once({ onEvent });
    await t.run("INSERT INTO orgs VALUES (200, 'Tgt only', NULL, '2026-03-02')");
    const run = await once({ onEvent });
    expect(run.summary.reverse?.written).toBe(0);
    expect(warnings.filter((w) => w.includes('CRM_E6013'))).toEqual([
      expect.stringMatching(
        /^\[CRM_E6013\] Row created in the target cannot pass the object filter: 1 row\(s\) created in the target of orgs were not created in the source: its filter `deleted = 0 OR deleted IS NULL` is not a conjunction of column = value conditions on accounts at object orgs, table accounts, key \["200"\]\. It stays in the target only/,
      ),
    ]);
    expect(await s.rows('SELECT id FROM accounts WHERE id = 200')).toEqual([]);
    expect(await t.rows('SELECT id, name FROM orgs WHERE id = 200')).toEqual([{ id: 200, name: 'Tgt only' }]);
  });
});

describe('two-way sync --follow (cdc) with both sides edited 50 ms apart', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it.for([
    { conflict: 'source_wins', owners: 'updated_at: source' },
    { conflict: 'newest_wins', owners: 'updated_at: source' },
    { conflict: 'field_owner', owners: 'updated_at: source, name: target' },
  ])(
    '$conflict: the sides end equal, every recorded collision with both values and the policy’s winner',
    async ({ conflict, owners }, ctx) => {
      const env = await setUp('cdc', `conflict: ${conflict}, owners: { ${owners} }`);
      if (!env) return ctx.skip();
      const { s, t, state, options } = env;
      const stop = new AbortController();
      const following = sync({
        ...options,
        targetSchema: await options.target.introspect(),
        follow: true,
        intervalMs: 20,
        signal: stop.signal,
      });
      // Edits start once two-way has taken its baseline (before it, the source wins where the sides differ).
      while ((await state.getSyncPosition('two-way-baseline:orgs')) === undefined) await sleep(20);
      for (const id of range(1, 10)) {
        await s.run("UPDATE accounts SET name = 'S' || id, updated_at = '2026-03-01' WHERE id = ?", [id]);
        await sleep(50);
        await t.run("UPDATE orgs SET name = 'T' || id, updated_at = '2026-03-02' WHERE id = ?", [id]);
        await s.run("UPDATE accounts SET name = 'S' || id, updated_at = '2026-03-01' WHERE id = ?", [id + 10]);
        await sleep(50);
        await t.run("UPDATE orgs SET phone = 'T' || id, updated_at = '2026-03-02' WHERE id = ?", [id + 10]);
      }
      const rows = async () => ({
        source: await s.rows('SELECT id, name, phone FROM accounts WHERE id <= 20 ORDER BY id'),
        target: await t.rows('SELECT id, name, phone FROM orgs WHERE id <= 20 ORDER BY id'),
      });
      // Quiesced: both sides equal, every row 1–10 carrying one of the two edits, rows 11–20 the source's.
      for (let waited = 0; ; waited += 100) {
        const now = await rows();
        const settled = now.source.every((r) => r.name === `S${r.id}` || (Number(r.id) <= 10 && r.name === `T${r.id}`));
        if (settled && JSON.stringify(now.source) === JSON.stringify(now.target)) break;
        if (waited > 40_000) expect(now.source).toEqual(now.target);
        await sleep(100);
      }
      stop.abort();
      expect((await following).status).toBe('completed');

      // Every collision is recorded with both values, on row 1–10's name; under newest_wins (the
      // target's edit is newer) and field_owner (the target owns name) the target's value won each.
      // Whether a pair of edits 50 ms apart collided depends on where the rounds fell (a target
      // edit made after the source's was synced is a later edit, no collision), so the count varies.
      const conflicts = await state.listConflicts();
      for (const c of conflicts) {
        const id = Number(JSON.parse(c.sourceKey)[0]);
        expect([c.field, c.sourceValue, c.targetValue]).toEqual(['name', `S${id}`, `T${id}`]);
        if (conflict !== 'source_wins') expect(c.resolution).toBe('target_wins');
      }
      // A collision the source won leaves the source's name on both sides.
      const { source: final } = await rows();
      const lost = new Set(conflicts.filter((c) => c.resolution === 'source_wins').map((c) => c.sourceKey));
      for (const row of final.slice(0, 10)) if (lost.has(`["${row.id}"]`)) expect(row.name).toBe(`S${row.id}`);
    },
  );
});
