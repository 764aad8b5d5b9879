import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { type SyncEvent, sync } from '../../src/engine/sync/index.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/state-store.js';

const PROJECT = `
source: { url: "exports/" }
target: { url: "sqlite:target.db" }
objects:
  companies:
    source: { table: accounts, key: id }
    target: { table: companies, key: id }
    fields: { id: id, name: { from: name, transform: [trim] } }
    sync: { deletes: delete, softDelete: { source: deleted } }
`;

describe('snapshot diff of CSV exports (CSV → SQLite)', () => {
  let dir: string;
  let target: Connector;
  let state: StateStore;
  let tgt: Database.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crmbridge-snapshot-'));
    mkdirSync(join(dir, 'exports'));
    tgt = new Database(join(dir, 'target.db'));
    tgt.exec('CREATE TABLE companies (id TEXT PRIMARY KEY, name TEXT)');
    target = await openConnector(`sqlite:${join(dir, 'target.db')}`);
    state = await openStateStore(join(dir, '.crmbridge'));
  });
  afterEach(async () => {
    await target.close();
    await state.close();
    tgt.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a new export and runs one snapshot sync on it. */
  const exportAndSync = async (csv: string, events: SyncEvent[] = []) => {
    writeFileSync(join(dir, 'exports', 'accounts.csv'), csv);
    const source = await openConnector(join(dir, 'exports'));
    try {
      const plan = compilePlan(parseProject(PROJECT.replace('exports/', join(dir, 'exports')), 'crmbridge.yaml'));
      return await sync({
        plan,
        source,
        target,
        state,
        targetSchema: await target.introspect(),
        mode: 'snapshot',
        follow: false,
        onEvent: (e) => events.push(e),
      });
    } finally {
      await source.close();
    }
  };
  const rows = () => tgt.prepare('SELECT id, name FROM companies ORDER BY id').all();

  it('a new export gives inserts, updates and deletes against the previous one; an unchanged one writes nothing', async () => {
    const first = await exportAndSync('id,name,deleted\na1,Acme,0\na2,Beta,0\na3,Gamma,0\na4,Delta,0\n');
    expect(first.summary.ledger.created).toBe(4);
    const second = await exportAndSync('id,name,deleted\na1,Acme,0\na2, Beta Two ,0\na4,Delta,1\na5,Epsilon,0\n');
    expect(rows()).toEqual([
      { id: 'a1', name: 'Acme' },
      { id: 'a2', name: 'Beta Two' },
      { id: 'a5', name: 'Epsilon' },
    ]);
    expect(second.summary.ledger.created).toBe(1);
    expect(second.summary.ledger.updated).toBe(1);
    // a3 left the export, a4 is flagged deleted; a1 was not even compared with the target.
    expect(second.summary.removal.deleted).toBe(2);
    expect(second.summary.ledger.read).toBe(2);
    const idle = await exportAndSync('id,name,deleted\na1,Acme,0\na2, Beta Two ,0\na4,Delta,1\na5,Epsilon,0\n');
    expect(idle.summary.ledger.read + idle.summary.removal.deleted).toBe(0);
  });

  it('the first snapshot reads each child once, and a parent that arrives later still brings its waiting children', async () => {
    tgt.exec('CREATE TABLE people (id TEXT PRIMARY KEY, company_id TEXT, email TEXT)');
    const project = `${PROJECT}
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields:
      id: id
      company_id: { from: account_id, ref: companies }
      email: { from: email, transform: [email] }
`;
    const run = async (accounts: string, contacts: string) => {
      writeFileSync(join(dir, 'exports', 'accounts.csv'), accounts);
      writeFileSync(join(dir, 'exports', 'contacts.csv'), contacts);
      const source = await openConnector(join(dir, 'exports'));
      try {
        const plan = compilePlan(parseProject(project.replace('exports/', join(dir, 'exports')), 'crmbridge.yaml'));
        return await sync({ plan, source, target, state, targetSchema: await target.introspect(), mode: 'snapshot', follow: false });
      } finally {
        await source.close();
      }
    };
    // c2 has a bad e-mail, c4's company a3 is not exported yet.
    const contacts = 'id,account_id,email\nc1,a1,c1@example.com\nc2,a2,not-an-email\nc3,a1,c3@example.com\nc4,a3,c4@example.com\n';
    const first = await run('id,name,deleted\na1,Acme,0\na2,Beta,0\n', contacts);
    // Each of the 2 + 4 rows read and settled once: c2 rejected once (invalid e-mail), c4 once (missing parent).
    expect(first.summary.ledger).toMatchObject({ read: 6, created: 4, rejected: 2, unchanged: 0 });
    expect((await state.listRejects(first.runId)).map((r) => `${r.sourceKey}:${r.reason}`).sort()).toEqual([
      '["c2"]:invalid_email',
      '["c4"]:missing_parent',
    ]);
    // a3 arrives; c4 did not change, so only bringing it along with its parent loads it.
    await run('id,name,deleted\na1,Acme,0\na2,Beta,0\na3,Gamma,0\n', contacts);
    expect(tgt.prepare("SELECT company_id FROM people WHERE id = 'c4'").all()).toEqual([{ company_id: 'a3' }]);
  });

  it('the first snapshot after a migration removes the rows deleted from the source since the migration', async () => {
    writeFileSync(join(dir, 'exports', 'accounts.csv'), 'id,name,deleted\na1,Acme,0\na2,Beta,0\na3,Gamma,0\n');
    const plan = compilePlan(parseProject(PROJECT.replace('exports/', join(dir, 'exports')), 'crmbridge.yaml'));
    const source = await openConnector(join(dir, 'exports'));
    try {
      const migrated = await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
      expect(migrated.status).toBe('completed');
    } finally {
      await source.close();
    }
    // a2 is gone from the next export: no snapshot listed it, only the migration's id map.
    const first = await exportAndSync('id,name,deleted\na1,Acme,0\na3,Gamma,0\n');
    expect(first.summary.removal.deleted).toBe(1);
    expect(rows()).toEqual([
      { id: 'a1', name: 'Acme' },
      { id: 'a3', name: 'Gamma' },
    ]);
    const idle = await exportAndSync('id,name,deleted\na1,Acme,0\na3,Gamma,0\n');
    expect(idle.summary.removal.deleted).toBe(0);
  });

  it('an export with an unreadable record deletes nothing (the listing is incomplete) and says so', async () => {
    await exportAndSync('id,name,deleted\na1,Acme,0\na2,Beta,0\n');
    const events: SyncEvent[] = [];
    const broken = await exportAndSync('id,name,deleted\na1,"Acme,0\n', events);
    expect(rows()).toEqual([
      { id: 'a1', name: 'Acme' },
      { id: 'a2', name: 'Beta' },
    ]);
    expect(broken.summary.removal.deleted).toBe(0);
    expect(events.some((e) => e.type === 'warning' && /incomplete/.test(e.message))).toBe(true);
  });
});
