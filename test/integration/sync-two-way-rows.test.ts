import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openConnector } from '../../src/connectors/registry.js';
import { encodeKey } from '../../src/core/keys.js';
import { deterministicUuid } from '../../src/engine/deterministic-uuid.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { recordHandoffPosition } from '../../src/engine/sync/handoff.js';
import { type SyncResult, sync } from '../../src/engine/sync/sync.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import { type DatabasePair, databasePairs } from '../helpers/database-pair.js';
import { freshMysql, freshPostgres } from '../helpers/databases.js';
import { secretFree } from '../unit/sync/crm-fixture.js';

/**
 * Rows created and deleted in the target flow back to the source. Orgs are keyed by `code` in
 * the target and by an id the source generates (so the source key is generated and read back);
 * people (PostgreSQL case) copy the source key into the target key (so it follows from it).
 */
const project = (sourceUrl: string, targetUrl: string, objects: string) => `
source: { url: "${secretFree(sourceUrl)}" }
target: { url: "${secretFree(targetUrl)}" }
options: { batchSize: 50 }
objects:${objects}
`;

/** Writes of a sync run in both directions: target rows created, updated or deleted, and source rows written. */
const writes = (run: SyncResult) =>
  run.summary.ledger.created + run.summary.ledger.updated + run.summary.removal.deleted + (run.summary.reverse?.written ?? 0);

describe('two-way sync: rows created and deleted in the target', () => {
  const opened: { close(): Promise<void> }[] = [];
  const pair = databasePairs(opened);

  async function open({ src, tgt, dir }: DatabasePair, yaml: string) {
    const state = await openStateStore(join(dir, 'state'));
    const plan = compilePlan(parseProject(project(src.url, tgt.url, yaml), 'crmbridge.yaml'));
    const source = await openConnector(src.url);
    const target = await openConnector(tgt.url);
    opened.push(state, source, target);
    return { plan, source, target, state };
  }

  it('PostgreSQL ↔ PostgreSQL by polling: a parent and its child created in the target reach the source, a deleted target parent leaves no source orphan, then 10 idle rounds write nothing', async (ctx) => {
    const dbs = await pair(freshPostgres, freshPostgres, {
      source: [
        'CREATE TABLE accounts (id serial PRIMARY KEY, code text UNIQUE NOT NULL, name text NOT NULL, updated_at timestamp NOT NULL)',
        'CREATE TABLE contacts (id int PRIMARY KEY, first text, account_id int REFERENCES accounts (id), updated_at timestamp NOT NULL)',
      ],
      target: [
        'CREATE TABLE orgs (code text PRIMARY KEY, name text NOT NULL, updated_at timestamp NOT NULL)',
        'CREATE TABLE people (id int PRIMARY KEY, first_name text, org_code text REFERENCES orgs (code) ON DELETE CASCADE, updated_at timestamp NOT NULL)',
      ],
    });
    if (!dbs) return ctx.skip();
    const { s, t } = dbs;
    for (const code of ['A1', 'A2', 'A3'])
      await s.run("INSERT INTO accounts (code, name, updated_at) VALUES (?, ?, '2026-01-01')", [code, `Org ${code}`]);
    for (let i = 1; i <= 6; i++) await s.run("INSERT INTO contacts VALUES (?, ?, ?, '2026-01-01')", [i, `P${i}`, (i % 3) + 1]);
    const env = await open(
      dbs,
      `
  orgs:
    source: { table: accounts, key: id }
    target: { table: orgs, key: code }
    fields: { code: code, name: name, updated_at: updated_at }
    sync: { updatedAt: { source: updated_at, target: updated_at }, conflict: target_wins }
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields: { id: id, first_name: first, org_code: { from: account_id, ref: orgs }, updated_at: updated_at }
    sync: { updatedAt: { source: updated_at, target: updated_at } }`,
    );
    const { plan, source, target, state } = env;
    const once = async () =>
      sync({ plan, source, target, state, targetSchema: await target.introspect(), mode: 'poll', follow: false, twoWay: true });
    await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
    expect(writes(await once())).toBe(0);

    // A parent and a child referencing it, both created in the target in the same round.
    await t.run("INSERT INTO orgs VALUES ('N1', 'New Org', '2026-02-01')");
    await t.run("INSERT INTO people VALUES (100, 'Neu', 'N1', '2026-02-01')");
    const created = await once();
    expect(created.summary.reverse?.written).toBe(2);
    const [account] = await s.rows("SELECT id, name FROM accounts WHERE code = 'N1'");
    // The source generated the key (the serial's next value), read back and mapped to the target row.
    expect(account).toEqual({ id: 4, name: 'New Org' });
    expect(await s.rows('SELECT first, account_id FROM contacts WHERE id = 100')).toEqual([{ first: 'Neu', account_id: 4 }]);
    expect(await state.lookupIds('orgs', [encodeKey([4])])).toEqual(new Map([[encodeKey([4]), encodeKey(['N1'])]]));
    // Not echoed: the forward direction found the rows already synced.
    expect(created.summary.ledger.created).toBe(0);
    expect(await t.rows('SELECT count(*)::int AS n FROM orgs')).toEqual([{ n: 4 }]);

    // A parent deleted in the target (its people go with it there): its source children go first.
    const [a2] = await s.rows("SELECT id FROM accounts WHERE code = 'A2'");
    await t.run("DELETE FROM orgs WHERE code = 'A2'");
    const deleted = await once();
    expect(deleted.status).toBe('completed');
    expect(await s.rows("SELECT id FROM accounts WHERE code = 'A2'")).toEqual([]);
    expect(await s.rows('SELECT id FROM contacts WHERE account_id = ? ORDER BY id', [a2.id])).toEqual([]);
    expect(await s.rows('SELECT id FROM contacts ORDER BY id')).toEqual([{ id: 2 }, { id: 3 }, { id: 5 }, { id: 6 }, { id: 100 }]);
    expect((await state.lookupIds('orgs', [encodeKey([a2.id as number])])).size).toBe(0);
    expect((await state.lookupIds('people', [encodeKey([1]), encodeKey([4])])).size).toBe(0);

    // Deleted in the target, edited in the source, in the same round: a conflict on the row.
    // people (source_wins, the default): the edit wins and the row comes back in the target;
    // orgs (target_wins): the deletion wins and the source row goes, its children first.
    await s.run("UPDATE contacts SET first = 'P2 edited', updated_at = '2026-03-01' WHERE id = 2");
    await t.run('DELETE FROM people WHERE id = 2');
    await s.run("UPDATE accounts SET name = 'Org A1 edited', updated_at = '2026-03-01' WHERE code = 'A1'");
    await t.run("DELETE FROM orgs WHERE code = 'A1'");
    const both = await once();
    expect(both.status).toBe('completed');
    expect(await t.rows('SELECT first_name FROM people WHERE id = 2')).toEqual([{ first_name: 'P2 edited' }]);
    expect(await s.rows("SELECT id FROM accounts WHERE code = 'A1'")).toEqual([]);
    expect(await s.rows('SELECT id FROM contacts ORDER BY id')).toEqual([{ id: 2 }, { id: 5 }, { id: 100 }]);
    const recorded = (await state.listConflicts({ runId: both.runId })).map((c) => `${c.object} ${c.sourceKey} ${c.field} ${c.resolution}`);
    expect(recorded.sort()).toEqual(['orgs ["1"] (row) target_wins', 'people ["2"] (row) source_wins']);

    for (let round = 0; round < 10; round++) expect(writes(await once())).toBe(0);
  });

  it('MariaDB → PostgreSQL with the target read from its change log: inserts, updates and deletes without updatedAt flow back, 10 idle rounds write nothing, conflicts are still recorded', async (ctx) => {
    const dbs = await pair(freshMysql, freshPostgres, {
      source: [
        'CREATE TABLE accounts (id int AUTO_INCREMENT PRIMARY KEY, code varchar(20) UNIQUE NOT NULL, name varchar(100) NOT NULL)',
        'CREATE TABLE contacts (id int AUTO_INCREMENT PRIMARY KEY, email varchar(100) UNIQUE NOT NULL, first varchar(100), account_id int, FOREIGN KEY (account_id) REFERENCES accounts (id))',
      ],
      target: [
        'CREATE TABLE orgs (code text PRIMARY KEY, name text NOT NULL)',
        'CREATE TABLE people (email text PRIMARY KEY, first_name text, org_code text REFERENCES orgs (code))',
      ],
    });
    if (!dbs) return ctx.skip();
    const { s, t } = dbs;
    for (const code of ['A1', 'A2']) await s.run('INSERT INTO accounts (code, name) VALUES (?, ?)', [code, `Org ${code}`]);
    for (let i = 1; i <= 4; i++)
      await s.run('INSERT INTO contacts (email, first, account_id) VALUES (?, ?, ?)', [`c${i}@x`, `P${i}`, (i % 2) + 1]);
    const { plan, source, target, state } = await open(
      dbs,
      `
  orgs:
    source: { table: accounts, key: id }
    target: { table: orgs, key: code }
    fields: { code: code, name: name }
    sync: { conflict: source_wins }
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: email }
    fields: { email: email, first_name: first, org_code: { from: account_id, ref: orgs } }
    sync: { conflict: source_wins }`,
    );
    const feed = `tw_${randomBytes(4).toString('hex')}`;
    const once = async () =>
      sync({ plan, source, target, state, targetSchema: await target.introspect(), mode: 'cdc', feed, follow: false, twoWay: true });
    await recordHandoffPosition(plan, source, state, feed);
    await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
    // The first round starts the target's log (its slot); what is committed after it flows back.
    expect(writes(await once())).toBe(0);

    await t.run("INSERT INTO orgs VALUES ('N1', 'New Org')");
    await t.run("INSERT INTO people VALUES ('new@x', 'Neu', 'N1')");
    await t.run("UPDATE people SET first_name = 'Edited' WHERE email = 'c1@x'");
    await t.run("DELETE FROM people WHERE email = 'c2@x'");
    const changed = await once();
    expect(changed.summary.reverse?.written).toBe(4);
    const [account] = await s.rows("SELECT id FROM accounts WHERE code = 'N1'");
    expect(account).toEqual({ id: 3 });
    expect(await s.rows('SELECT email, first, account_id FROM contacts ORDER BY email')).toEqual([
      { email: 'c1@x', first: 'Edited', account_id: 2 },
      { email: 'c3@x', first: 'P3', account_id: 2 },
      { email: 'c4@x', first: 'P4', account_id: 1 },
      { email: 'new@x', first: 'Neu', account_id: 3 },
    ]);

    // crmbridge's own writes come back through both logs and are recognised: nothing is written.
    for (let round = 0; round < 10; round++) expect(writes(await once())).toBe(0);

    // c1 is in the baseline (synced by two-way above): edited on both sides, it is a conflict.
    await s.run("UPDATE contacts SET first = 'SrcName' WHERE email = 'c1@x'");
    await t.run("UPDATE people SET first_name = 'TgtName' WHERE email = 'c1@x'");
    const conflicted = await once();
    expect(conflicted.summary.reverse?.conflicts).toBe(1);
    const [conflict] = await state.listConflicts({ runId: conflicted.runId });
    expect(conflict).toMatchObject({
      object: 'people',
      field: 'first_name',
      sourceValue: 'SrcName',
      targetValue: 'TgtName',
      resolution: 'source_wins',
    });
    expect(await t.rows("SELECT first_name FROM people WHERE email = 'c1@x'")).toEqual([{ first_name: 'SrcName' }]);
    expect(await s.rows("SELECT first FROM contacts WHERE email = 'c1@x'")).toEqual([{ first: 'SrcName' }]);
    expect(writes(await once())).toBe(0);
  });
  it('a crash right after a parent was applied, before its children: the replay brings the children along, except those edited in the target (two-way)', async (ctx) => {
    const dbs = await pair(freshPostgres, freshPostgres, {
      source: [
        'CREATE TABLE accounts (id int PRIMARY KEY, name text, updated_at timestamp NOT NULL)',
        'CREATE TABLE contacts (id int PRIMARY KEY, first text, account_id int, updated_at timestamp NOT NULL)',
      ],
      target: [
        'CREATE TABLE orgs (id int PRIMARY KEY, name text NOT NULL, updated_at timestamp NOT NULL)',
        'CREATE TABLE people (id int PRIMARY KEY, first_name text, org_id int REFERENCES orgs (id), updated_at timestamp NOT NULL)',
      ],
    });
    if (!dbs) return ctx.skip();
    const { s, t } = dbs;
    // Account 1 has no name: the target refuses it, and its contacts wait for it (parent_rejected).
    await s.run("INSERT INTO accounts VALUES (1, NULL, '2026-01-01'), (2, 'Two', '2026-01-01')");
    for (let i = 1; i <= 4; i++) await s.run("INSERT INTO contacts VALUES (?, ?, ?, '2026-01-01')", [i, `P${i}`, (i % 2) + 1]);
    const { plan, source, target, state } = await open(
      dbs,
      `
  orgs:
    source: { table: accounts, key: id }
    target: { table: orgs, key: id }
    fields: { id: id, name: name, updated_at: updated_at }
    sync: { updatedAt: { source: updated_at, target: updated_at } }
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields: { id: id, first_name: first, org_id: { from: account_id, ref: orgs }, updated_at: updated_at }
    sync: { updatedAt: { source: updated_at, target: updated_at } }`,
    );
    const once = async (store = state) =>
      sync({ plan, source, target, state: store, targetSchema: await target.introspect(), mode: 'poll', follow: false, twoWay: true });
    await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
    await once();
    expect(await t.rows('SELECT id FROM people ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }]);

    await s.run("UPDATE accounts SET name = 'One', updated_at = '2026-02-01' WHERE id = 1");
    // The state store "dies" right after the batch that maps account 1 commits (as a kill -9
    // would stop sync there): its children are not applied and no position is stored.
    let armed = true;
    const dying = new Proxy(state, {
      get(store, name) {
        if (name !== 'commitBatch') return Reflect.get(store, name, store).bind(store);
        return async (...args: Parameters<typeof state.commitBatch>) => {
          await store.commitBatch(...args);
          if (armed && args[1].object === 'orgs' && args[1].idMappings?.length) {
            armed = false;
            throw new Error('killed');
          }
        };
      },
    });
    await expect(once(dying)).rejects.toThrow('killed');
    expect(await t.rows('SELECT id FROM people ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }]);

    // The replay finds account 1 already mapped, and still brings its children along.
    await once();
    expect(await t.rows('SELECT id, org_id FROM people ORDER BY id')).toEqual([
      { id: 1, org_id: 2 },
      { id: 2, org_id: 1 },
      { id: 3, org_id: 2 },
      { id: 4, org_id: 1 },
    ]);
    expect(writes(await once())).toBe(0);

    // A child edited in the target is not brought along when its parent changes in the source:
    // the edit is not overwritten before the reverse direction carries it to the source.
    await t.run("UPDATE people SET first_name = 'Tgt', updated_at = '2026-03-01' WHERE id = 2");
    await s.run("UPDATE accounts SET name = 'Uno', updated_at = '2026-03-01' WHERE id = 1");
    await once();
    expect(await t.rows('SELECT first_name FROM people WHERE id = 2')).toEqual([{ first_name: 'Tgt' }]);
    expect(await s.rows('SELECT first FROM contacts WHERE id = 2')).toEqual([{ first: 'Tgt' }]);
  });
  it('MariaDB char(36) source key: a row created in the target gets a uuid derived from its target key, the same on a replay', async (ctx) => {
    const dbs = await pair(freshMysql, freshPostgres, {
      source: ['CREATE TABLE notes (id char(36) PRIMARY KEY, ref varchar(20) NOT NULL, body text, updated_at datetime NOT NULL)'],
      target: ['CREATE TABLE memos (ref text PRIMARY KEY, body text, updated_at timestamp NOT NULL)'],
    });
    if (!dbs) return ctx.skip();
    const { s, t } = dbs;
    await s.run("INSERT INTO notes VALUES ('0b7e4c1a-1111-4c1a-9c1a-0b7e4c1a1111', 'R1', 'first', '2026-01-01 00:00:00')");
    const { plan, source, target, state } = await open(
      dbs,
      `
  memos:
    source: { table: notes, key: id }
    target: { table: memos, key: ref }
    fields: { ref: ref, body: body, updated_at: updated_at }
    sync: { updatedAt: { source: updated_at, target: updated_at } }`,
    );
    const once = async () =>
      sync({ plan, source, target, state, targetSchema: await target.introspect(), mode: 'poll', follow: false, twoWay: true });
    await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
    await once();
    await t.run("INSERT INTO memos VALUES ('R2', 'from the target', '2026-02-01 00:00:00')");
    expect((await once()).summary.reverse?.written).toBe(1);
    const created = await s.rows("SELECT id, body FROM notes WHERE ref = 'R2'");
    expect(created).toEqual([{ id: deterministicUuid('memos@target', encodeKey(['R2'])), body: 'from the target' }]);
    // Replayed (the id mapping lost, as after a crash before it was stored): the same source row, not a second one.
    await state.forgetIdMappings('memos', [encodeKey([created[0].id as string])]);
    await once();
    expect(await s.rows("SELECT id FROM notes WHERE ref = 'R2'")).toEqual([{ id: created[0].id }]);
    expect(await t.rows('SELECT count(*)::int AS n FROM memos')).toEqual([{ n: 2 }]);
    expect(writes(await once())).toBe(0);
  });
});
