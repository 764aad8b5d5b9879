import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import type { Value } from '../../src/core/types.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/state-store.js';

describe('migrate: rows the target refuses, and reference cycles', () => {
  let dir: string;
  let source: Connector;
  let target: Connector;
  let state: StateStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crmbridge-iso-'));
    // Tables made with plain SQL: a CHECK constraint crmbridge does not model, so only the
    // target itself can refuse the row, and a cycle: a company's primary contact is a person,
    // and a person works at a company.
    const src = new Database(join(dir, 'source.db'));
    src.exec(`CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT, primary_contact_id TEXT);
              CREATE TABLE contacts (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, score INTEGER);`);
    const insA = src.prepare('INSERT INTO accounts VALUES (?, ?, ?)');
    const insC = src.prepare('INSERT INTO contacts VALUES (?, ?, ?)');
    for (let i = 0; i < 40; i++) insA.run(`a${i}`, `Account ${i}`, `c${i}`);
    for (let i = 0; i < 40; i++) insC.run(`c${i}`, `a${i}`, i % 13 === 5 ? -1 : i);
    src.close();
    const tgt = new Database(join(dir, 'target.db'));
    tgt.exec(`CREATE TABLE companies (id TEXT PRIMARY KEY, name TEXT NOT NULL, primary_person_id TEXT);
              CREATE TABLE people (id TEXT PRIMARY KEY, company_id TEXT NOT NULL, score INTEGER CHECK (score >= 0));`);
    tgt.close();
    source = await openConnector(`sqlite:${join(dir, 'source.db')}`);
    target = await openConnector(`sqlite:${join(dir, 'target.db')}`);
    state = await openStateStore(join(dir, '.crmbridge'));
  });
  afterEach(async () => {
    await source.close();
    await target.close();
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const PROJECT = `
source: { url: "sqlite:source.db" }
target: { url: "sqlite:target.db" }
options: { batchSize: 16 }
objects:
  companies:
    source: { table: accounts, key: id }
    target: { table: companies, key: id }
    fields:
      id: id
      name: name
      primary_person_id: { from: primary_contact_id, ref: people }
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields:
      id: id
      company_id: { from: account_id, ref: companies, required: true }
      score: score
`;

  it('isolates the rows the target refuses; the good rows of the same batches are written exactly once', async () => {
    const plan = compilePlan(parseProject(PROJECT, 'crmbridge.yaml'));
    // The cycle is broken on the nullable edge: companies load first, their contact in pass 2.
    expect(plan.objects.map((o) => o.name)).toEqual(['companies', 'people']);
    expect(plan.objects[0].deferredFields).toEqual(['primary_person_id']);
    const result = await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
    expect(result.status).toBe('completed_with_rejects');
    const people = result.ledger.find((l) => l.object === 'people')!;
    const refused = [5, 18, 31];
    expect(people).toMatchObject({ read: 40, created: 40 - refused.length, rejected: refused.length });
    const rejects = await state.listRejects(result.runId, { object: 'people' });
    expect(rejects.map((r) => r.sourceKey).sort()).toEqual(refused.map((i) => `["c${i}"]`).sort());
    expect(new Set(rejects.map((r) => r.code))).toEqual(new Set(['CRM_R4013']));
    // Every good row once in the target and once in the journal.
    const journal = await state.journal(result.runId, { object: 'people', limit: 1000 });
    const keys = journal.map((j) => j.targetKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(40 - refused.length);
    const rows: Value[][] = [];
    for await (const b of target.read('companies', { orderBy: ['id'] })) rows.push(...b.rows);
    // Pass 2 set every company's primary person, except where that person was refused.
    const withPerson = rows.filter((r) => r[2] !== null).length;
    expect(withPerson).toBe(40 - refused.length);
    const unresolved = result.objects.find((o) => o.object === 'companies')!.unresolvedReferences;
    expect(unresolved).toBe(refused.length);
  });
});
