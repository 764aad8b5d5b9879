import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { type SyncEvent, sync } from '../../src/engine/sync/index.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/state-store.js';

const PROJECT = `
source: { url: "sqlite:source.db" }
target: { url: "sqlite:target.db" }
objects:
  companies:
    source: { table: accounts, key: id }
    target: { table: companies, key: id }
    fields: { id: id, name: name }
    sync: { updatedAt: { source: updated_at } }
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields: { id: id, name: first_name }
    sync: { updatedAt: { source: updated_at } }
  tasks:
    source: { table: tasks, key: id }
    target: { table: tasks, key: id }
    fields: { id: id, subject: subject }
    sync: { updatedAt: { source: updated_at } }
`;

describe('schema drift (SQLite → SQLite, polling)', () => {
  let dir: string;
  let source: Connector;
  let target: Connector;
  let state: StateStore;
  let src: Database.Database;
  let tgt: Database.Database;
  let second = 0;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crmbridge-drift-'));
    src = new Database(join(dir, 'source.db'));
    src.exec(`
      CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT, updated_at TIMESTAMP);
      CREATE TABLE contacts (id TEXT PRIMARY KEY, first_name TEXT, updated_at TIMESTAMP);
      CREATE TABLE tasks (id TEXT PRIMARY KEY, subject TEXT, updated_at TIMESTAMP);`);
    tgt = new Database(join(dir, 'target.db'));
    tgt.exec(`
      CREATE TABLE companies (id TEXT PRIMARY KEY, name TEXT);
      CREATE TABLE people (id TEXT PRIMARY KEY, name TEXT);
      CREATE TABLE tasks (id TEXT PRIMARY KEY, subject TEXT);`);
    target = await openConnector(`sqlite:${join(dir, 'target.db')}`);
    state = await openStateStore(join(dir, '.crmbridge'));
  });
  afterEach(async () => {
    await source.close();
    await target.close();
    await state.close();
    src.close();
    tgt.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stamp = () => `2026-03-01 10:00:${String(second++).padStart(2, '0')}.000000`;
  const edit = (table: string, column: string, id: string, value: string) =>
    src
      .prepare(
        `INSERT INTO ${table} (id, ${column}, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET ${column} = excluded.${column}, updated_at = excluded.updated_at`,
      )
      .run(id, value, stamp());
  /** One poll, on a freshly opened source (a schema change is seen as a new run would see it). */
  const poll = async (events: SyncEvent[] = []) => {
    await source?.close();
    source = await openConnector(`sqlite:${join(dir, 'source.db')}`);
    const plan = compilePlan(parseProject(PROJECT, 'crmbridge.yaml'));
    return sync({
      plan,
      source,
      target,
      state,
      targetSchema: await target.introspect(),
      mode: 'poll',
      follow: false,
      lookbackSeconds: 0,
      onEvent: (e) => events.push(e),
    });
  };
  const all = (table: string) => tgt.prepare(`SELECT * FROM ${table} ORDER BY id`).all();

  it('a new column is reported and sync goes on; a dropped or retyped mapped column stops only its object, before any write, and nothing is lost once fixed', async () => {
    edit('accounts', 'name', 'a1', 'Acme');
    edit('contacts', 'first_name', 'c1', 'Ann');
    edit('tasks', 'subject', 't1', 'Call');
    expect((await poll()).status).toBe('completed');

    src.exec('ALTER TABLE accounts ADD COLUMN website TEXT');
    edit('accounts', 'name', 'a2', 'Beta');
    const added: SyncEvent[] = [];
    expect((await poll(added)).status).toBe('completed');
    expect(added.some((e) => e.type === 'warning' && /new column accounts\.website/.test(e.message))).toBe(true);
    expect(all('companies')).toEqual([
      { id: 'a1', name: 'Acme' },
      { id: 'a2', name: 'Beta' },
    ]);

    // people: mapped column dropped; tasks: mapped column retyped; companies goes on.
    src.exec('ALTER TABLE contacts RENAME COLUMN first_name TO given_name');
    src.exec(
      'ALTER TABLE tasks RENAME TO tasks_old; CREATE TABLE tasks (id TEXT PRIMARY KEY, subject INTEGER, updated_at TIMESTAMP); INSERT INTO tasks SELECT * FROM tasks_old; DROP TABLE tasks_old;',
    );
    edit('contacts', 'given_name', 'c2', 'Bob');
    edit('tasks', 'subject', 't2', '42');
    edit('accounts', 'name', 'a3', 'Gamma');
    const drifted = await poll();
    expect(drifted.status).toBe('incomplete');
    expect(drifted.stopped.map((s) => s.object).sort()).toEqual(['people', 'tasks']);
    expect(drifted.stopped.find((s) => s.object === 'people')!.error).toMatch(/CRM_S3002.*contacts\.first_name.*dropped/);
    expect(drifted.stopped.find((s) => s.object === 'tasks')!.error).toMatch(/CRM_M5005.*tasks\.subject.*changed type/);
    expect(all('people')).toEqual([{ id: 'c1', name: 'Ann' }]);
    expect(all('tasks')).toEqual([{ id: 't1', subject: 'Call' }]);
    expect(all('companies')).toHaveLength(3);

    // Fixed at the source: the changes made meanwhile arrive.
    src.exec('ALTER TABLE contacts RENAME COLUMN given_name TO first_name');
    expect((await poll()).stopped.map((s) => s.object)).toEqual(['tasks']);
    expect(all('people')).toEqual([
      { id: 'c1', name: 'Ann' },
      { id: 'c2', name: 'Bob' },
    ]);
  });
});
