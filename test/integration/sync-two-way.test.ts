import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openConnector } from '../../src/connectors/registry.js';
import { isCrmError } from '../../src/core/errors/index.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { sync } from '../../src/engine/sync/sync.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import { databasePairs } from '../helpers/database-pair.js';
import { freshPostgres } from '../helpers/databases.js';
import { secretFree } from '../unit/sync/crm-fixture.js';

const SOURCE_DDL = [
  'CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, updated_at timestamp NOT NULL)',
  'CREATE TABLE contacts (id int PRIMARY KEY, first text, email text, account_id int, updated_at timestamp NOT NULL)',
];
const TARGET_DDL = [
  'CREATE TABLE orgs (id int PRIMARY KEY, name text NOT NULL, updated_at timestamp NOT NULL)',
  'CREATE TABLE people (id int PRIMARY KEY, first_name text, email text, org_id int REFERENCES orgs (id), updated_at timestamp NOT NULL)',
];

/** `email` has a transform without an inverse: it syncs back only because the source owns it. */
const project = (sourceUrl: string, targetUrl: string, emailOwner: string) => `
source: { url: "${secretFree(sourceUrl)}" }
target: { url: "${secretFree(targetUrl)}" }
options: { batchSize: 50 }
objects:
  orgs:
    source: { table: accounts, key: id }
    target: { table: orgs, key: id }
    fields: { id: id, name: name, updated_at: updated_at }
    sync: { updatedAt: { source: updated_at, target: updated_at } }
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields:
      id: id
      first_name: first
      email: { from: email, transform: [trim] }
      org_id: { from: account_id, ref: orgs }
      updated_at: updated_at
    sync: { updatedAt: { source: updated_at, target: updated_at }${emailOwner} }
`;

describe('two-way sync, PostgreSQL ↔ PostgreSQL (watermark polling both ways)', () => {
  const opened: { close(): Promise<void> }[] = [];
  const pair = databasePairs(opened);

  async function setUp(emailOwner: string) {
    const dbs = await pair(freshPostgres, freshPostgres, { source: SOURCE_DDL, target: TARGET_DDL });
    if (!dbs) return undefined;
    const { src, tgt, s, t, dir } = dbs;
    for (let i = 1; i <= 3; i++) await s.run("INSERT INTO accounts VALUES (?, ?, '2026-01-01 00:00:00')", [i, `Org ${i}`]);
    for (let i = 1; i <= 20; i++) {
      await s.run("INSERT INTO contacts VALUES (?, ?, ?, ?, '2026-01-01 00:00:00')", [i, `P${i}`, `p${i}@x.org`, (i % 3) + 1]);
    }
    const state = await openStateStore(join(dir, 'state'));
    const plan = compilePlan(parseProject(project(src.url, tgt.url, emailOwner), 'crmbridge.yaml'));
    const source = await openConnector(src.url);
    const target = await openConnector(tgt.url);
    opened.push(state, source, target);
    const once = async () =>
      sync({ plan, source, target, state, targetSchema: await target.introspect(), mode: 'poll', follow: false, twoWay: true });
    return { s, t, plan, source, target, state, once };
  }

  it('applies target edits to the source through the reverse mapping, source edits to the target, then idles without writes', async (ctx) => {
    const env = await setUp(', owners: { email: source }');
    if (!env) return ctx.skip();
    const { s, t, plan, source, target, state, once } = env;
    await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
    // The first two-way round takes the baseline: both sides' rows as last synced.
    expect((await once()).summary.reverse?.written).toBe(0);

    // Target edits: a plain column, a reference (through the id map, in reverse) and a source-owned field.
    await t.run(
      "UPDATE people SET first_name = 'Zed', org_id = 3, email = 'edited@target', updated_at = '2026-02-01 00:00:00' WHERE id = 4",
    );
    await t.run("UPDATE orgs SET name = 'Renamed', updated_at = '2026-02-01 00:00:00' WHERE id = 2");
    const first = await once();
    expect(first.status).toBe('completed');
    expect(first.summary.reverse?.written).toBe(2);
    expect(await s.rows('SELECT first, email, account_id FROM contacts WHERE id = 4')).toEqual([
      { first: 'Zed', email: 'p4@x.org', account_id: 3 },
    ]);
    expect(await s.rows('SELECT name FROM accounts WHERE id = 2')).toEqual([{ name: 'Renamed' }]);

    // A source edit goes forward; the source-owned e-mail is set back from the source.
    await s.run("UPDATE contacts SET first = 'Amy', updated_at = '2026-02-02 00:00:00' WHERE id = 7");
    await once();
    expect(await t.rows('SELECT first_name, email FROM people WHERE id IN (4, 7) ORDER BY id')).toEqual([
      { first_name: 'Zed', email: 'p4@x.org' },
      { first_name: 'Amy', email: 'p7@x.org' },
    ]);

    // Both sides now agree: idle rounds in both directions write nothing.
    for (let round = 0; round < 10; round++) {
      const idle = await once();
      expect(idle.summary.ledger.created + idle.summary.ledger.updated + idle.summary.removal.deleted).toBe(0);
      expect(idle.summary.reverse?.written).toBe(0);
    }
  });

  it('refuses two-way for an object with a field that cannot be inverted and is not owned by the source, naming the field', async (ctx) => {
    const env = await setUp('');
    if (!env) return ctx.skip();
    const failed = await env.once().catch((err: unknown) => err);
    expect(isCrmError(failed) && failed.code).toBe('CRM_M5001');
    expect(String((failed as Error).message)).toContain('objects.people.fields.email cannot sync back');
    expect((await env.state.listRuns(1))[0].status).toBe('failed');
  });

  it.for([
    { conflict: 'source_wins', owners: '', winner: 'SrcName' },
    { conflict: 'target_wins', owners: '', winner: 'TgtName' },
    { conflict: 'newest_wins', owners: '', winner: 'TgtName' },
    { conflict: 'field_owner', owners: ', first_name: target', winner: 'TgtName' },
  ])(
    'the same field edited on both sides: one conflict, resolved by $conflict, both sides equal',
    async ({ conflict, owners, winner }, ctx) => {
      const env = await setUp(`, conflict: ${conflict}, owners: { email: source, updated_at: source${owners} }`);
      if (!env) return ctx.skip();
      const { s, t, plan, source, target, state, once } = env;
      await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
      await once();
      await s.run("UPDATE contacts SET first = 'SrcName', updated_at = '2026-03-01 00:00:00' WHERE id = 5");
      await t.run("UPDATE people SET first_name = 'TgtName', updated_at = '2026-03-02 00:00:00' WHERE id = 5");
      const run = await once();
      expect(run.summary.reverse?.conflicts).toBe(1);
      const conflicts = await state.listConflicts({ runId: run.runId });
      expect(
        conflicts.map(({ object, sourceKey, field, sourceValue, targetValue, resolution }) => ({
          object,
          sourceKey,
          field,
          sourceValue,
          targetValue,
          resolution,
        })),
      ).toEqual([
        {
          object: 'people',
          sourceKey: '["5"]',
          field: 'first_name',
          sourceValue: 'SrcName',
          targetValue: 'TgtName',
          resolution: winner === 'SrcName' ? 'source_wins' : 'target_wins',
        },
      ]);
      expect(await s.rows('SELECT first FROM contacts WHERE id = 5')).toEqual([{ first: winner }]);
      expect(await t.rows('SELECT first_name FROM people WHERE id = 5')).toEqual([{ first_name: winner }]);
      // Settled: the next round finds no conflict and writes nothing.
      const idle = await once();
      expect(idle.summary.reverse).toEqual({ events: expect.any(Number), written: 0, conflicts: 0 });
      expect(idle.summary.ledger.updated).toBe(0);
    },
  );
});
