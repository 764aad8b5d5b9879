import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import type { Value } from '../../src/core/types.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { rollback } from '../../src/engine/rollback.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/state-store.js';
import { table, textColumn } from '../helpers/schema-builders.js';
import { writeSqliteSource } from '../helpers/sqlite-source.js';

const PROJECT = `
source: { url: "sqlite:source.db" }
target: { url: "sqlite:target.db" }
options: { batchSize: 3 }
objects:
  companies:
    source: { table: accounts, key: id }
    target: { table: companies, key: id }
    fields:
      id: id
      name: name
      parent_id: { from: parent_id, ref: companies }
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields:
      id: id
      company_id: { from: account_id, ref: companies }
      full_name: full_name
`;

// a1..a6; a1's and a3's parents load in pass 2 (self-reference). a0 exists in the target before.
const ACCOUNTS: Value[][] = [
  ['a0', 'Zero', null],
  ['a1', 'One', 'a2'],
  ['a2', 'Two', null],
  ['a3', 'Three', 'a4'],
  ['a4', 'Four', null],
  ['a5', 'Five', null],
  ['a6', 'Six', null],
];
const CONTACTS: Value[][] = [
  ['c1', 'a1', 'Ann'],
  ['c2', 'a2', 'Bob'],
  ['c3', 'a3', 'Cid'],
  ['c4', 'a5', 'Dan'],
];

/**
 * Issue 14: rollback stopped with a foreign-key error (CRM_R4009) as soon as a row it must keep
 * referenced a row it deletes, and was not idempotent (a second run listed every restored row as
 * changed; --force upserted pass-2 prior images onto deleted rows, making all-NULL ghost rows).
 */
describe('rollback keeps what others hold on to, finishes, and is idempotent (SQLite, foreign keys on)', () => {
  let dir: string;
  let source: Connector;
  let target: Connector;
  let state: StateStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crmbridge-kept-'));
    await writeSqliteSource(join(dir, 'source.db'), {
      accounts: { columns: ['id', 'name', 'parent_id'], rows: ACCOUNTS },
      contacts: { columns: ['id', 'account_id', 'full_name'], rows: CONTACTS },
    });
    source = await openConnector(`sqlite:${join(dir, 'source.db')}`);
    target = await openConnector(`sqlite:${join(dir, 'target.db')}`);
    state = await openStateStore(join(dir, '.crmbridge'));
    const tw = await target.writer();
    const fk = (columns: string[], referencedTable: string) => ({ columns, referencedTable, referencedColumns: ['id'] });
    await tw.createTables(
      [
        table('companies', [textColumn('id', false), textColumn('name', false), textColumn('parent_id')], {
          foreignKeys: [fk(['parent_id'], 'companies')],
        }),
        table('people', [textColumn('id', false), textColumn('company_id'), textColumn('full_name')], {
          foreignKeys: [fk(['company_id'], 'companies')],
        }),
      ],
      { foreignKeys: true },
    );
    await tw.write('companies', { columns: ['id', 'name', 'parent_id'], rows: [['a0', 'Old zero', null]] }, { mode: 'insert' });
    await tw.close();
  });
  afterEach(async () => {
    await source.close();
    await target.close();
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const dump = async () => {
    const out: Value[][][] = [];
    for (const t of ['companies', 'people']) {
      const rows: Value[][] = [];
      for await (const b of target.read(t, { orderBy: ['id'] })) rows.push(...b.rows);
      out.push(rows);
    }
    return out;
  };
  const migrateAll = async () =>
    migrate({
      plan: compilePlan(parseProject(PROJECT, join(dir, 'crmbridge.yaml'))),
      source,
      target,
      state,
      targetSchema: await target.introspect(),
    });
  const write = async (t: string, rows: Value[][], mode: 'insert' | 'upsert') => {
    const w = await target.writer();
    await w.write(
      t,
      { columns: ['id', t === 'people' ? 'company_id' : 'name', t === 'people' ? 'full_name' : 'parent_id'], rows },
      {
        mode,
        key: ['id'],
      },
    );
    await w.close();
  };

  it('reports the kept rows and what holds them, keeps their parents, finishes; --force handles only rows the run wrote', async () => {
    const before = await dump();
    const run = await migrateAll();
    expect(run.status).toBe('completed');
    // The application adds a person at a migrated company; a user edits a migrated person.
    await write('people', [['app1', 'a5', 'Added by the app']], 'insert');
    await write('people', [['c3', 'a3', 'Cid (edited)']], 'upsert');

    const first = await rollback({ runId: run.runId, target, state });
    const kept = first.kept.map((k) => [k.table, k.key, k.reason, k.detail]);
    expect(kept).toEqual([
      ['people', '["c3"]', 'changed_since_run', expect.stringContaining('changed since the run')],
      ['companies', '["a5"]', 'still_referenced', 'referenced by people ["app1"]'],
      ['companies', '["a3"]', 'still_referenced', 'referenced by people ["c3"]'],
    ]);
    // Everything else is back as it was: a0's old name, the run's other rows gone. a3's pass-2
    // reference was undone before its delete found it held (see docs/02-migrate.md, rollback).
    expect(await dump()).toEqual([
      [
        ['a0', 'Old zero', null],
        ['a3', 'Three', null],
        ['a5', 'Five', null],
      ],
      [
        ['app1', 'a5', 'Added by the app'],
        ['c3', 'a3', 'Cid (edited)'],
      ],
    ]);

    // Again without --force: only the kept rows are looked at, and they are still held.
    const again = await rollback({ runId: run.runId, target, state });
    expect(again.kept.map((k) => k.key)).toEqual(kept.map((k) => k[1]));
    expect(again.restored).toBe(0);

    // --force deletes the edited person and the parents it held; the app's row and its company stay.
    const forced = await rollback({ runId: run.runId, target, state, force: true });
    expect(forced.kept.map((k) => [k.table, k.key, k.reason])).toEqual([['companies', '["a5"]', 'still_referenced']]);
    expect(await dump()).toEqual([
      [
        ['a0', 'Old zero', null],
        ['a5', 'Five', null],
      ],
      [['app1', 'a5', 'Added by the app']],
    ]);

    // Once the app's row is gone, the last kept row goes too, and then there is nothing left to do.
    const w = await target.writer();
    await w.deleteByKeys('people', ['id'], [['app1']]);
    await w.close();
    expect((await rollback({ runId: run.runId, target, state })).kept).toEqual([]);
    expect(await dump()).toEqual(before);
    const done = await rollback({ runId: run.runId, target, state, force: true });
    expect(done.alreadyRolledBackAt).toBeDefined();
    expect(await dump()).toEqual(before);
  });

  it('a second rollback of a finished one changes nothing (no ghost rows from pass-2 images), with or without --force', async () => {
    const before = await dump();
    const run = await migrateAll();
    const first = await rollback({ runId: run.runId, target, state });
    expect(first.kept).toEqual([]);
    expect(await dump()).toEqual(before);
    for (const force of [false, true]) {
      const again = await rollback({ runId: run.runId, target, state, force });
      expect(again.alreadyRolledBackAt).toBe((await state.getRun(first.rollbackRunId))?.finishedAt);
      expect(again.kept).toEqual([]);
      expect(await dump()).toEqual(before);
    }
  });
});
