import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRepair } from '../../src/cli/commands/repair-command.js';
import { registerVerify } from '../../src/cli/commands/verify-command.js';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { encodeKey } from '../../src/core/keys.js';
import type { Value } from '../../src/core/types.js';
import { deterministicUuid } from '../../src/engine/deterministic-uuid.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { repair } from '../../src/engine/repair/repair.js';
import { rollback } from '../../src/engine/rollback.js';
import { verify } from '../../src/engine/verify/verify.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import type { Plan } from '../../src/mapping/plan/plan-types.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/state-store.js';
import { type FreshDatabase, freshMysql, freshPostgres } from '../helpers/databases.js';
import { column, table } from '../helpers/schema-builders.js';

// A legacy CRM in MariaDB: CHAR(36) account ids, integer contact ids, soft deletes, 0/1 flags.
const LEGACY = [
  table('accounts', [
    column('id', { kind: 'text', length: 36 }, false),
    column('name', { kind: 'text', length: 100 }),
    column('revenue', { kind: 'decimal', precision: 14, scale: 4 }),
    column('created', { kind: 'timestamp' }),
    column('deleted', { kind: 'boolean' }),
  ]),
  table('contacts', [
    column('id', { kind: 'integer' }, false),
    column('account_id', { kind: 'text', length: 36 }),
    column('first_name', { kind: 'text', length: 50 }),
    column('last_name', { kind: 'text', length: 50 }),
    column('email1', { kind: 'text', length: 100 }),
    column('do_not_call', { kind: 'boolean' }),
  ]),
];

// The modern CRM in PostgreSQL: generated uuid keys, references remapped through the id map.
const MODERN = [
  table('companies', [
    column('id', { kind: 'uuid' }, false),
    column('name', { kind: 'text', length: 20 }, false),
    column('revenue', { kind: 'decimal', precision: 14, scale: 2 }),
    column('created_at', { kind: 'timestamptz' }),
  ]),
  table('people', [
    column('id', { kind: 'uuid' }, false),
    column('company_id', { kind: 'uuid' }),
    column('full_name', { kind: 'text' }),
    column('email', { kind: 'text' }),
    column('dnc', { kind: 'boolean' }),
  ]),
];

const accountId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const ACCOUNTS: Value[][] = Array.from({ length: 300 }, (_, i) => [
  accountId(i),
  i === 7 ? 'A name much too long for twenty characters' : `  Account ${i}  `,
  i === 9 ? '12.3456' : `${i * 1000}.5000`,
  `2024-03-${String((i % 28) + 1).padStart(2, '0')} 09:30:00.123456`,
  i % 50 === 3,
]);
const CONTACTS: Value[][] = Array.from({ length: 900 }, (_, i) => [
  i + 1,
  i === 10 ? accountId(999) : accountId(i % 300),
  `First${i}`,
  i % 11 === 0 ? null : `Last${i}`,
  i === 20 ? 'not-an-email' : ` Person${i}@Example.com`,
  i % 4 === 0,
]);

/** The URLs go through the environment: a project file never holds a password. */
function projectYaml(pgUrl: string, myUrl: string): string {
  process.env.CRMBRIDGE_VERIFY_SOURCE = myUrl;
  process.env.CRMBRIDGE_VERIFY_TARGET = pgUrl;
  return `
source: { url: "\${env:CRMBRIDGE_VERIFY_SOURCE}", timeZone: "Europe/Berlin" }
target: { url: "\${env:CRMBRIDGE_VERIFY_TARGET}" }
options: { batchSize: 64 }
objects:
  companies:
    source: { table: accounts, key: id, filter: "deleted = 0" }
    target: { table: companies, key: id, generateKey: uuid }
    fields:
      name: { from: name, transform: [trim] }
      revenue: revenue
      created_at: { from: created, transform: [{ timestamp: { output: timestamptz } }] }
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id, generateKey: uuid }
    fields:
      company_id: { from: account_id, ref: companies }
      full_name: { from: [first_name, last_name], transform: [concat] }
      email: { from: email1, transform: [email] }
      dnc: do_not_call
`;
}

describe('verify and repair through the mapping (MariaDB legacy → PostgreSQL modern)', () => {
  let pg: FreshDatabase | undefined;
  let my: FreshDatabase | undefined;
  let dir: string;
  let source: Connector;
  let target: Connector;
  let state: StateStore;
  let plan: Plan;
  let migrateRun = '';

  const companyId = (i: number) => deterministicUuid('companies', encodeKey([accountId(i)]));
  const personId = (i: number) => deterministicUuid('people', encodeKey([i]));
  // Scope all: the row planted below is not the migration's, and these tests want it as extra
  // (the default scope counts it apart: test/integration/verify-scope.test.ts).
  const run = () => verify({ plan, source, target, state, scope: 'all' });

  beforeAll(async () => {
    [pg, my] = await Promise.all([freshPostgres(), freshMysql()]);
    if (!pg || !my) return;
    dir = mkdtempSync(join(tmpdir(), 'crmbridge-verify-'));
    source = await openConnector(my.url);
    target = await openConnector(pg.url);
    state = await openStateStore(join(dir, '.crmbridge'));
    const sw = await source.writer();
    await sw.createTables(LEGACY);
    await sw.write('accounts', { columns: LEGACY[0].columns.map((c) => c.name), rows: ACCOUNTS }, { mode: 'insert' });
    await sw.write('contacts', { columns: LEGACY[1].columns.map((c) => c.name), rows: CONTACTS }, { mode: 'insert' });
    await sw.close();
    const tw = await target.writer();
    await tw.createTables(MODERN);
    await tw.close();
    writeFileSync(join(dir, 'crmbridge.yaml'), projectYaml(pg.url, my.url));
    plan = compilePlan(parseProject(projectYaml(pg.url, my.url), 'crmbridge.yaml'));
    const result = await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
    migrateRun = result.runId;
    expect(result.ledger.find((l) => l.object === 'companies')).toMatchObject({ read: 300, rejected: 2, filtered: 6 });
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
    await state?.close();
    await Promise.all([pg?.drop(), my?.drop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the migrated target equal to the source through the mapping; rejects and filtered rows are accounted for', async (ctx) => {
    if (!pg || !my) return ctx.skip();
    const result = await run();
    expect(result.baselineRun).toBe(migrateRun);
    expect(result.equal).toBe(true);
    const companies = result.objects.find((o) => o.object === 'companies')!;
    expect(companies.pushdown).toBe(true);
    expect(companies.counts).toEqual({ sourceRead: 294, filtered: 6, expected: 292, target: 292 });
    expect(companies.accountedFor.map((a) => `${a.sourceKey}:${a.reason}`).sort()).toEqual([
      `${encodeKey([accountId(7)])}:value_too_long`,
      `${encodeKey([accountId(9)])}:numeric_overflow`,
    ]);
    const people = result.objects.find((o) => o.object === 'people')!;
    // Contacts of the rejected and the deleted accounts, the orphan and the bad email are expected absent.
    expect(people.counts.expected + people.accountedFor.length).toBe(900);
    expect(people.accountedFor.map((a) => a.reason)).toContain('missing_parent');
    expect(people.accountedFor.map((a) => a.reason)).toContain('invalid_email');
  });

  it('after tampering reports exactly the differences, repair fixes them, and rollback of the repair restores the tampering', async (ctx) => {
    if (!pg || !my) return ctx.skip();
    const pgAdmin = await openConnector(pg.url);
    const w = await pgAdmin.writer();
    // Missing: one company-less person; extra: a row no source maps to; changed: a name and a flag.
    await w.deleteByKeys('people', ['id'], [[personId(101)]]);
    await w.write(
      'people',
      {
        columns: ['id', 'company_id', 'full_name', 'email', 'dnc'],
        rows: [['aaaaaaaa-0000-4000-8000-000000000000', null, 'Intruder', null, false]],
      },
      { mode: 'insert' },
    );
    await w.write(
      'people',
      { columns: ['id', 'full_name', 'dnc'], rows: [[personId(202), 'Tampered', true]] },
      { mode: 'upsert', key: ['id'] },
    );
    await w.write('companies', { columns: ['id', 'revenue'], rows: [[companyId(5), '1.23']] }, { mode: 'upsert', key: ['id'] });
    await w.close();
    const tampered = await snapshot(pgAdmin);

    const found = await run();
    expect(found.equal).toBe(false);
    const people = found.objects.find((o) => o.object === 'people')!;
    expect(people.missing.map((m) => [m.key[0], m.sourceKey])).toEqual([[personId(101), encodeKey([101])]]);
    expect(people.extra.map((e) => e.key[0])).toEqual(['aaaaaaaa-0000-4000-8000-000000000000']);
    expect(people.changed).toHaveLength(1);
    expect(people.changed[0].key).toEqual([personId(202)]);
    expect(people.changed[0].fields).toEqual([
      { field: 'full_name', source: JSON.stringify(['First201', 'Last201']), expected: 'First201Last201', actual: 'Tampered' },
      { field: 'dnc', source: 'false', expected: 'false', actual: 'true' },
    ]);
    const companies = found.objects.find((o) => o.object === 'companies')!;
    expect(companies.missing).toEqual([]);
    expect(companies.extra).toEqual([]);
    expect(companies.changed.map((c) => c.fields)).toEqual([
      [{ field: 'revenue', source: '5000.5000', expected: '5000.5', actual: '1.23' }],
    ]);

    // Bounded memory: cut into ranges of about 100 rows, verify holds one range's expected rows
    // at a time and reports the same differences (the default holds this small table whole).
    const ranged = await verify({ plan, source, target, state, partitionRows: 100, scope: 'all' });
    const people100 = ranged.objects.find((o) => o.object === 'people')!;
    expect(people.expectedRowsHeld).toBe(people.counts.expected);
    expect(people100.counts.expected).toBeGreaterThan(800);
    expect(people100.expectedRowsHeld).toBeLessThanOrEqual(200);
    const differences = (r: typeof found) => r.objects.map(({ seconds, expectedRowsHeld, ...rest }) => rest);
    expect(differences(ranged)).toEqual(differences(found));

    const repaired = await repair({ plan, source, target, state, deleteExtra: true, scope: 'all' });
    expect(repaired.objects.find((o) => o.object === 'people')).toMatchObject({ inserted: 1, updated: 1, deleted: 1 });
    expect(repaired.objects.find((o) => o.object === 'companies')).toMatchObject({ inserted: 0, updated: 1, deleted: 0 });
    expect(repaired.after.equal).toBe(true);
    expect((await run()).equal).toBe(true);
    expect((await state.getRun(repaired.runId))?.kind).toBe('repair');

    const undone = await rollback({ runId: repaired.runId, target, state });
    expect(undone.kept).toEqual([]);
    expect(await snapshot(pgAdmin)).toEqual(tampered);
    await pgAdmin.close();
  });

  it('keeps extra rows without --delete-extra and still reports them', async (ctx) => {
    if (!pg || !my) return ctx.skip();
    const repaired = await repair({ plan, source, target, state, scope: 'all' });
    const people = repaired.after.objects.find((o) => o.object === 'people')!;
    expect(people.missing).toEqual([]);
    expect(people.changed).toEqual([]);
    expect(people.extra.map((e) => e.key[0])).toEqual(['aaaaaaaa-0000-4000-8000-000000000000']);
    expect(repaired.objects.find((o) => o.object === 'people')).toMatchObject({ deleted: 0, extraKept: 1 });
  });

  it('crmbridge verify and repair exit 0 when equal, 1 on differences, 2 when they cannot run', async (ctx) => {
    if (!pg || !my) return ctx.skip();
    const cli = async (...args: string[]) => {
      const program = new Command().exitOverride();
      registerVerify(program);
      registerRepair(program);
      const write = process.stdout.write;
      process.stdout.write = () => true;
      try {
        await program.parseAsync(['node', 'crmbridge', ...args]);
      } finally {
        process.stdout.write = write;
      }
      const code = process.exitCode;
      process.exitCode = 0;
      return code;
    };
    const file = join(dir, 'crmbridge.yaml');
    // The extra row kept by the previous test is still there.
    expect(await cli('verify', '-p', file, '--json', '--scope', 'all')).toBe(1);
    // Not the migration's row: the default scope counts it and does not fail on it.
    expect(await cli('verify', '-p', file)).toBe(0);
    expect(await cli('repair', '-p', file, '--delete-extra', '--scope', 'all')).toBe(0);
    expect(await cli('verify', '-p', file, '--scope', 'all')).toBe(0);
    expect(await cli('verify', '-p', file, '--report', join(dir, 'verify.json'))).toBe(0);
    expect(await cli('verify', '-p', join(dir, 'missing.yaml'))).toBe(2);
  });
});

async function snapshot(c: Connector): Promise<Value[][][]> {
  const out: Value[][][] = [];
  for (const t of ['companies', 'people']) {
    const rows: Value[][] = [];
    for await (const b of c.read(t, { orderBy: ['id'] })) rows.push(...b.rows);
    out.push(rows);
  }
  return out;
}
