import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { sync } from '../../src/engine/sync/sync.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import type { Plan } from '../../src/mapping/plan/plan-types.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/state-store.js';

const PROJECT = `
source: { url: "sqlite:source.db" }
target: { url: "sqlite:target.db" }
options: { batchSize: 3 }
objects:
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields: { id: id, name: name }
    sync: { updatedAt: { source: updated_at } }
`;

const ts = (second: number) => `2026-03-01 10:00:${String(second).padStart(2, '0')}.000000`;

describe('watermark polling (SQLite → SQLite)', () => {
  let dir: string;
  let source: Connector;
  let target: Connector;
  let state: StateStore;
  let src: Database.Database;
  let tgt: Database.Database;
  let plan: Plan;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crmbridge-poll-'));
    src = new Database(join(dir, 'source.db'));
    src.exec('CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT, updated_at TIMESTAMP)');
    tgt = new Database(join(dir, 'target.db'));
    tgt.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT)');
    source = await openConnector(`sqlite:${join(dir, 'source.db')}`);
    target = await openConnector(`sqlite:${join(dir, 'target.db')}`);
    state = await openStateStore(join(dir, '.crmbridge'));
    plan = compilePlan(parseProject(PROJECT, 'crmbridge.yaml'));
  });
  afterEach(async () => {
    await source.close();
    await target.close();
    await state.close();
    src.close();
    tgt.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (id: number, name: string, second: number) =>
    src
      .prepare(
        'INSERT INTO contacts (id, name, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at',
      )
      .run(id, name, ts(second));
  const poll = async (lookbackSeconds: number) =>
    sync({ plan, source, target, state, targetSchema: await target.introspect(), mode: 'poll', follow: false, lookbackSeconds });
  const targetRows = () => tgt.prepare('SELECT id, name FROM people ORDER BY id').all();
  const sourceRows = () => src.prepare('SELECT id, name FROM contacts ORDER BY id').all();

  it('reads every row that shares the watermark timestamp (the key breaks the tie)', async () => {
    for (let id = 1; id <= 7; id++) write(id, `p${id}`, 5); // batch size 3: the watermark lands inside the tie
    await poll(0);
    expect(targetRows()).toEqual(sourceRows());
    write(8, 'p8', 5);
    write(9, 'p9', 5);
    const second = await poll(0);
    expect(targetRows()).toEqual(sourceRows());
    expect(second.summary.ledger.created).toBe(2);
  });

  it('re-reads the look-back window: a late commit with an older timestamp is applied, and re-reads write nothing', async () => {
    for (let id = 10; id <= 12; id++) write(id, `p${id}`, 30);
    await poll(60);
    // Committed after the poll, stamped before the watermark (a long transaction), and a tie with a lower key.
    write(1, 'late', 20);
    write(5, 'tie below the watermark key', 30);
    const withLookback = await poll(60);
    expect(targetRows()).toEqual(sourceRows());
    expect(withLookback.summary.ledger.created).toBe(2);
    // The rows of the window were read again and found unchanged: nothing written.
    expect(withLookback.summary.ledger.unchanged).toBe(3);
    const idle = await poll(60);
    expect(idle.summary.ledger.created + idle.summary.ledger.updated).toBe(0);
  });

  it('without a look-back the late commit is missed: why the window exists', async () => {
    for (let id = 10; id <= 12; id++) write(id, `p${id}`, 30);
    await poll(0);
    write(1, 'late', 20);
    await poll(0);
    expect(targetRows()).not.toEqual(sourceRows());
  });

  it('a failed attempt does not move the watermark; the next attempt applies everything', async () => {
    for (let id = 1; id <= 4; id++) write(id, `p${id}`, 10);
    await poll(0);
    const before = await state.getSyncPosition('poll:people');
    write(2, 'changed', 11);
    write(6, 'new', 12);
    tgt.exec('ALTER TABLE people RENAME TO people_away');
    await expect(poll(0)).rejects.toThrow();
    expect(await state.getSyncPosition('poll:people')).toBe(before);
    tgt.exec('ALTER TABLE people_away RENAME TO people');
    await poll(0);
    expect(targetRows()).toEqual(sourceRows());
    expect(await state.getSyncPosition('poll:people')).not.toBe(before);
  });
});
