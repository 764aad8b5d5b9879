import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { generateLegacyCrm } from '../../src/sample/legacy-crm.js';
import type { LegacyCrmManifest } from '../../src/sample/manifest.js';
import { type Analysis, analyze } from '../../src/schema/index.js';
import { freshPostgres } from '../helpers/databases.js';

/** The generated legacy SugarCRM-style sample (no declared foreign keys), loaded into SQLite and analyzed. */
let dir: string;
let connector: Connector;
let analysis: Analysis;
let manifest: LegacyCrmManifest;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crmbridge-analyze-sample-'));
  connector = await openConnector(`sqlite:${join(dir, 'legacy.db')}`);
  const sample = generateLegacyCrm({ contacts: 1_000, seed: 7 });
  const writer = await connector.writer();
  await writer.createTables([...sample.schema]);
  for await (const { table, batch } of sample.tables()) await writer.write(table, batch, { mode: 'insert' });
  await writer.close();
  manifest = sample.manifest();
  analysis = await analyze(connector);
});

afterAll(async () => {
  await connector?.close();
  await rm(dir, { recursive: true, force: true });
});

const column = (key: string) => {
  const [table, name] = key.split('.');
  return analysis.tables.find((t) => t.name === table)?.columns.find((c) => c.name === name);
};
const relationship = (from: string) => analysis.relationships.find((r) => `${r.from.table}.${r.from.columns.join(',')}` === from);

describe('analyze on the generated legacy CRM', () => {
  it('counts exactly the NULLs and blanks the generator planted', () => {
    for (const [key, count] of Object.entries(manifest.nulls)) expect(column(key)?.nullCount, key).toBe(count);
    for (const [key, count] of Object.entries(manifest.blanks)) expect(column(key)?.emptyCount, key).toBe(count);
  });

  it('finds the many-to-many join tables', () => {
    const joins = Object.fromEntries(analysis.joinTables.map((j) => [j.table, j.sides.map((s) => [...s.tables].sort())]));
    expect(joins.accounts_contacts).toEqual(expect.arrayContaining([['accounts'], ['contacts']]));
    expect(joins.accounts_opportunities).toEqual(expect.arrayContaining([['accounts'], ['opportunities']]));
    expect(Object.keys(joins)).not.toContain('notes');
    expect(Object.keys(joins)).not.toContain('contacts');
  });

  it('finds the polymorphic parent links of activities and the email relation, per type', () => {
    for (const table of ['notes', 'calls', 'tasks']) {
      const link = analysis.polymorphic.find((p) => p.table === table);
      expect(link, table).toMatchObject({ typeColumn: 'parent_type', idColumn: 'parent_id' });
      expect(Object.fromEntries(link!.targets.map((t) => [t.typeValue, t.table]))).toMatchObject({
        Accounts: 'accounts',
        Contacts: 'contacts',
        Opportunities: 'opportunities',
        Leads: 'leads',
      });
    }
    const beans = analysis.polymorphic.find((p) => p.table === 'email_addr_bean_rel');
    expect(beans).toMatchObject({ typeColumn: 'bean_module', idColumn: 'bean_id' });
    expect(beans!.targets.map((t) => t.table).sort()).toEqual(expect.arrayContaining(['accounts', 'contacts', 'leads']));
  });

  it('infers references by name, confirmed by values', () => {
    expect(relationship('contacts.reports_to_id')).toMatchObject({ to: { table: 'contacts', columns: ['id'] } });
    expect(relationship('accounts.parent_id')).toMatchObject({ to: { table: 'accounts', columns: ['id'] } });
    expect(relationship('accounts_cstm.id_c')).toMatchObject({ to: { table: 'accounts', columns: ['id'] }, inclusion: { share: 1 } });
    expect(relationship('contacts_cstm.id_c')).toMatchObject({ to: { table: 'contacts', columns: ['id'] }, inclusion: { share: 1 } });
    for (const table of ['accounts', 'contacts', 'opportunities', 'leads', 'notes', 'calls', 'tasks']) {
      expect(relationship(`${table}.assigned_user_id`)?.to.table, table).toBe('users');
    }
    expect(relationship('email_addr_bean_rel.email_address_id')?.to.table).toBe('email_addresses');
  });

  it('counts exactly the orphans the generator planted', () => {
    for (const [key, count] of Object.entries(manifest.orphans)) {
      const plain = relationship(key);
      const [table, idColumn] = key.split('.');
      const link = analysis.polymorphic.find((p) => p.table === table && p.idColumn === idColumn);
      const found = plain ? plain.inclusion.orphanRows : link!.targets.reduce((sum, t) => sum + t.inclusion.orphanRows, 0);
      expect(found, key).toBe(count);
    }
    expect(Object.keys(manifest.orphans).length).toBeGreaterThan(0);
  });

  it('reports the invalid email addresses as dirt', () => {
    const emails = column('email_addresses.email_address')!;
    expect(emails.nonConforming?.pattern).toBe('email');
    expect(emails.nonConforming?.count).toBe(manifest.emailVariants.invalid);
  });
});

describe('analyze on the generated legacy CRM in PostgreSQL, probing parents with readByKeys', () => {
  it('finds the same links and exact orphan counts when no parent key set is held in memory', async (context) => {
    const database = await freshPostgres();
    if (!database) {
      if (process.env.CI) throw new Error('PostgreSQL test server missing under CI');
      context.skip();
      return;
    }
    const pg = await openConnector(database.url);
    try {
      const sample = generateLegacyCrm({ contacts: 300, seed: 3 });
      const writer = await pg.writer();
      await writer.createTables([...sample.schema]);
      for await (const { table, batch } of sample.tables()) await writer.write(table, batch, { mode: 'insert' });
      await writer.close();
      const probed = await analyze(pg, { limits: { inclusion: { keySetLimit: 1, probeValues: 100_000, probeBatch: 250 } } });
      expect(probed.sampled).toBe(false);
      expect(probed.joinTables.map((j) => j.table)).toEqual(expect.arrayContaining(['accounts_contacts', 'accounts_opportunities']));
      const orphans = Object.entries(sample.manifest().orphans);
      expect(orphans.length).toBeGreaterThan(0);
      for (const [key, count] of orphans) {
        const [table, idColumn] = key.split('.');
        const plain = probed.relationships.find((r) => r.from.table === table && r.from.columns[0] === idColumn);
        const link = probed.polymorphic.find((p) => p.table === table && p.idColumn === idColumn);
        const found = plain ? plain.inclusion.orphanRows : link!.targets.reduce((sum, t) => sum + t.inclusion.orphanRows, 0);
        expect(found, key).toBe(count);
      }
    } finally {
      await pg.close();
      await database.drop();
    }
  });
});
