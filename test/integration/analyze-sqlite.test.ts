import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { isCrmError } from '../../src/core/errors/index.js';
import type { CanonicalType, Row, TableSchema } from '../../src/core/types.js';
import { type Analysis, analyze, renderAnalysis } from '../../src/schema/index.js';
import { column, table } from '../helpers/schema-builders.js';

/**
 * A small SugarCRM-like database with planted dirt whose exact amounts the tests assert:
 * orphan references, NULL vs blank references, invalid emails, mixed phone formats, a type
 * value that names no table.
 */
const id = (prefix: number, n: number) => `${String(prefix).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const user = (n: number) => id(1, n);
const account = (n: number) => id(2, n);
const contact = (n: number) => id(3, n);
const MISSING_ACCOUNT_A = id(9, 1);
const MISSING_ACCOUNT_B = id(9, 2);
const MISSING_CONTACT = id(9, 3);

const text: CanonicalType = { kind: 'text' };
const key: CanonicalType = { kind: 'text', length: 36 };
const int: CanonicalType = { kind: 'integer' };
/** A table from `[column, type]` pairs; its key columns are NOT NULL. */
function tableOf(name: string, columns: [string, CanonicalType][], primaryKey = ['id']): TableSchema {
  return table(
    name,
    columns.map(([n, type]) => column(n, type, !primaryKey.includes(n))),
    { primaryKey },
  );
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const PHONES = ['(555) 123-4567', '555.123.4567', '+1 555 123 4567'];

/** table → rows (positional, in the table's column order). */
function fixture(): [TableSchema, Row[]][] {
  return [
    [
      tableOf('users', [
        ['id', key],
        ['user_name', text],
      ]),
      range(5).map((n) => [user(n), `user${n}`]),
    ],
    [
      tableOf('accounts', [
        ['id', key],
        ['name', text],
        ['industry', text],
        ['phone_office', text],
        ['annual_revenue', text],
        ['parent_id', key],
        ['assigned_user_id', key],
        ['deleted', int],
      ]),
      range(20).map((n) => [
        account(n),
        `Account ${n}`,
        ['Banking', 'Retail', 'Energy'][n % 3],
        PHONES[n % 3],
        `$${n},000.00`,
        n > 10 ? account(n - 10) : null,
        // One planted orphan owner: user 99 does not exist.
        n === 20 ? user(99) : user((n % 5) + 1),
        n === 7 ? 1 : 0,
      ]),
    ],
    [
      tableOf(
        'accounts_cstm',
        [
          ['id_c', key],
          ['tier_c', text],
        ],
        ['id_c'],
      ),
      range(20).map((n) => [account(n), n % 2 ? 'Gold' : 'Silver']),
    ],
    [
      tableOf('contacts', [
        ['id', key],
        ['first_name', text],
        ['email', text],
        ['birthdate', text],
        ['account_id', key],
        ['reports_to_id', key],
      ]),
      range(40).map((n) => [
        contact(n),
        `First${n}`,
        n === 5 ? 'not-an-email' : n === 6 ? 'john@' : `c${n}@example.com`,
        `${String((n % 12) + 1).padStart(2, '0')}/15/${1960 + n}`,
        // Orphans: contacts 1, 2 → MISSING_ACCOUNT_A, 3 → MISSING_ACCOUNT_B; 4, 5 NULL; 6 blank.
        n <= 2 ? MISSING_ACCOUNT_A : n === 3 ? MISSING_ACCOUNT_B : n <= 5 ? null : n === 6 ? '' : account((n % 20) + 1),
        n === 10 ? MISSING_CONTACT : n > 1 && n % 4 === 0 ? contact(1) : null,
      ]),
    ],
    [
      tableOf('accounts_contacts', [
        ['id', key],
        ['account_id', key],
        ['contact_id', key],
        ['date_modified', { kind: 'timestamp' }],
        ['deleted', int],
      ]),
      range(30).map((n) => [id(4, n), account((n % 20) + 1), n === 30 ? MISSING_CONTACT : contact(n), '2024-01-02 03:04:05', 0]),
    ],
    [
      tableOf('notes', [
        ['id', key],
        ['name', text],
        ['description', text],
        ['parent_type', text],
        ['parent_id', key],
        ['contact_id', key],
      ]),
      range(24).map((n) => {
        const type = n <= 12 ? 'Accounts' : n <= 22 ? 'Contacts' : 'Bugs';
        // Two planted orphans among the Accounts parents; Bugs has no table at all.
        const parent = n <= 2 ? MISSING_ACCOUNT_A : n <= 12 ? account(n) : n <= 22 ? contact(n) : id(8, n);
        return [id(5, n), `Note ${n}`, `Text of note ${n}`, type, parent, n % 2 ? contact(n) : null];
      }),
    ],
    [
      tableOf('email_addresses', [
        ['id', key],
        ['email_address', text],
      ]),
      range(50).map((n) => [id(6, n), `e${n}@example.com`]),
    ],
    [
      tableOf('email_addr_bean_rel', [
        ['id', key],
        ['email_address_id', key],
        ['bean_id', key],
        ['bean_module', text],
        ['primary_address', int],
        ['deleted', int],
      ]),
      range(50).map((n) => [id(7, n), id(6, n), n <= 40 ? contact(n) : account(n - 40), n <= 40 ? 'Contacts' : 'Accounts', n % 2, 0]),
    ],
  ];
}

let dir: string;
let connector: Connector;
let analysis: Analysis;
const progress: [string, number][] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crmbridge-analyze-'));
  connector = await openConnector(`sqlite:${join(dir, 'crm.db')}`);
  const writer = await connector.writer();
  const tables = fixture();
  await writer.createTables(tables.map(([t]) => t));
  for (const [t, rows] of tables) await writer.write(t.name, { columns: t.columns.map((c) => c.name), rows }, { mode: 'insert' });
  await writer.close();
  analysis = await analyze(connector, { onProgress: (t, rows) => progress.push([t, rows]) });
});

afterAll(async () => {
  await connector?.close();
  await rm(dir, { recursive: true, force: true });
});

const profileOf = (a: Analysis, t: string) => a.tables.find((p) => p.name === t)!;
const columnOf = (a: Analysis, t: string, c: string) => profileOf(a, t).columns.find((p) => p.name === c)!;
const relationship = (a: Analysis, from: string) => a.relationships.find((r) => `${r.from.table}.${r.from.columns.join(',')}` === from);

describe('analyze over SQLite', () => {
  it('profiles every table with exact counts', () => {
    expect(analysis.version).toBe(1);
    expect(analysis.sampled).toBe(false);
    expect(analysis.tables.map((t) => [t.name, t.rowCount, t.rowCountExact]).sort()).toEqual([
      ['accounts', 20, true],
      ['accounts_contacts', 30, true],
      ['accounts_cstm', 20, true],
      ['contacts', 40, true],
      ['email_addr_bean_rel', 50, true],
      ['email_addresses', 50, true],
      ['notes', 24, true],
      ['users', 5, true],
    ]);
    expect(progress).toContainEqual(['contacts', 40]);
  });

  it('profiles columns: NULL vs blank, picklists, dirt, inferred types, keys', () => {
    const accountId = columnOf(analysis, 'contacts', 'account_id');
    expect([accountId.nullCount, accountId.emptyCount]).toEqual([2, 1]);
    expect(columnOf(analysis, 'accounts', 'industry').topValues).toEqual([
      { value: 'Energy', count: 7 },
      { value: 'Retail', count: 7 },
      { value: 'Banking', count: 6 },
    ]);
    expect(columnOf(analysis, 'contacts', 'email').nonConforming).toEqual({
      pattern: 'email',
      count: 2,
      examples: ['not-an-email', 'john@'],
    });
    expect(
      columnOf(analysis, 'accounts', 'phone_office')
        .phoneFormats?.map((f) => f.value)
        .sort(),
    ).toEqual(['(999) 999-9999', '+9 999 999 9999', '999.999.9999']);
    const birthdate = columnOf(analysis, 'contacts', 'birthdate');
    expect([birthdate.inferredType, birthdate.inferredFormat, birthdate.min, birthdate.max]).toEqual([
      { kind: 'date' },
      'MM/DD/YYYY',
      '1961-02-15',
      '2000-05-15',
    ]);
    const revenue = columnOf(analysis, 'accounts', 'annual_revenue');
    expect([revenue.inferredType?.kind, revenue.inferredFormat, revenue.min, revenue.max]).toEqual([
      'decimal',
      'currency',
      '1000',
      '20000',
    ]);
    expect(columnOf(analysis, 'contacts', 'id')).toMatchObject({
      candidateKey: true,
      duplicateValues: 0,
      distinctCount: 40,
      distinctExact: true,
    });
    expect(columnOf(analysis, 'contacts', 'id').inferredType).toEqual({ kind: 'uuid' });
    expect(columnOf(analysis, 'accounts', 'deleted')).toMatchObject({
      min: '0',
      max: '1',
      topValues: [
        { value: '0', count: 19 },
        { value: '1', count: 1 },
      ],
    });
  });

  it('infers foreign keys by name and counts their orphans exactly', () => {
    expect(relationship(analysis, 'contacts.account_id')).toMatchObject({
      kind: 'inferred',
      to: { table: 'accounts', columns: ['id'] },
      inclusion: { checkedRows: 37, matchedRows: 34, orphanRows: 3, blankRows: 1, sampled: false },
    });
    expect([...relationship(analysis, 'contacts.account_id')!.inclusion.orphanExamples].sort()).toEqual([
      MISSING_ACCOUNT_A,
      MISSING_ACCOUNT_B,
    ]);
    expect(relationship(analysis, 'contacts.reports_to_id')).toMatchObject({
      to: { table: 'contacts', columns: ['id'] },
      inclusion: { checkedRows: 11, orphanRows: 1, orphanExamples: [MISSING_CONTACT] },
    });
    expect(relationship(analysis, 'accounts.parent_id')).toMatchObject({
      to: { table: 'accounts' },
      inclusion: { checkedRows: 10, orphanRows: 0 },
    });
    expect(relationship(analysis, 'accounts.assigned_user_id')).toMatchObject({
      to: { table: 'users', columns: ['id'] },
      inclusion: { orphanRows: 1, orphanExamples: [user(99)] },
    });
    expect(relationship(analysis, 'accounts_cstm.id_c')).toMatchObject({
      to: { table: 'accounts', columns: ['id'] },
      inclusion: { share: 1 },
    });
    expect(relationship(analysis, 'email_addr_bean_rel.email_address_id')?.to.table).toBe('email_addresses');
    expect(relationship(analysis, 'notes.parent_id')).toBeUndefined();
    for (const r of analysis.relationships) {
      expect(r.confidence).toBeGreaterThan(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
      expect(r.reason.length).toBeGreaterThan(0);
    }
    expect(relationship(analysis, 'contacts.account_id')!.reason).toContain('34 of 37 values found in accounts.id (3 orphans)');
  });

  it('finds the join tables', () => {
    expect(analysis.joinTables.map((j) => j.table)).toEqual(['accounts_contacts', 'email_addr_bean_rel']);
    expect(analysis.joinTables[0].sides.map((s) => [s.column, s.tables])).toEqual([
      ['account_id', ['accounts']],
      ['contact_id', ['contacts']],
    ]);
    expect(analysis.joinTables[1].sides[1]).toEqual({ column: 'bean_id', typeColumn: 'bean_module', tables: ['contacts', 'accounts'] });
    expect(analysis.joinTables[1].extraColumns).toEqual(['primary_address']);
  });

  it('finds polymorphic links with per-type targets and orphans', () => {
    const notes = analysis.polymorphic.find((p) => p.table === 'notes')!;
    expect([notes.typeColumn, notes.idColumn]).toEqual(['parent_type', 'parent_id']);
    expect(notes.targets.map((t) => [t.typeValue, t.table, t.column, t.inclusion.checkedRows, t.inclusion.orphanRows])).toEqual([
      ['Accounts', 'accounts', 'id', 12, 2],
      ['Contacts', 'contacts', 'id', 10, 0],
    ]);
    expect(notes.unmatchedTypes).toEqual([{ value: 'Bugs', count: 2 }]);
    const beans = analysis.polymorphic.find((p) => p.table === 'email_addr_bean_rel')!;
    expect(beans.targets.map((t) => [t.typeValue, t.table, t.inclusion.share])).toEqual([
      ['Contacts', 'contacts', 1],
      ['Accounts', 'accounts', 1],
    ]);
    expect(beans.confidence).toBe(1);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(analysis))).toEqual(analysis);
  });

  it('renders a readable summary', () => {
    const out = renderAnalysis(analysis);
    if (process.env.PEEK) console.log(out);
    expect(out).toContain('contacts: 40 rows, key id');
    expect(out).toContain('2 not email (e.g. "not-an-email", "john@")');
    expect(out).toContain('3 phone formats');
    expect(out).toContain('contacts.account_id → accounts.id');
    expect(out).toContain(`3 orphans (e.g. "${MISSING_ACCOUNT_A}", "${MISSING_ACCOUNT_B}")`);
    expect(out).toContain('accounts_contacts: account_id → accounts ⇄ contact_id → contacts');
    expect(out).toContain('notes.parent_type+parent_id');
    expect(out).toContain('no table for: "Bugs" (2 rows)');
    expect(out).toContain('both NULL and blank');
  });
});

describe('analyze with bounded memory and samples', () => {
  it('probes a parent too large to hold with readByKeys and gets the same orphans', async () => {
    const probed = await analyze(connector, {
      tables: ['accounts', 'contacts'],
      limits: { inclusion: { keySetLimit: 5, probeValues: 1_000, probeBatch: 7 } },
    });
    expect(relationship(probed, 'contacts.account_id')?.inclusion).toEqual(relationship(analysis, 'contacts.account_id')?.inclusion);
    const sampledProbe = await analyze(connector, {
      tables: ['accounts', 'contacts'],
      limits: { inclusion: { keySetLimit: 5, probeValues: 10, probeBatch: 2 } },
    });
    // The first 10 distinct references (3 orphan rows, then 8 rows of 8 accounts) before an 11th value stops the probe.
    expect(relationship(sampledProbe, 'contacts.account_id')?.inclusion).toMatchObject({ sampled: true, checkedRows: 11, orphanRows: 3 });
    expect(sampledProbe.sampled).toBe(true);
  });

  it('estimates distinct counts above the exact limit and says so', async () => {
    const estimated = await analyze(connector, {
      tables: ['email_addresses'],
      limits: { distinct: { maxValues: 10, maxChars: 1_000_000 } },
    });
    const address = columnOf(estimated, 'email_addresses', 'email_address');
    expect(address.distinctExact).toBe(false);
    expect(Math.abs(address.distinctCount - 50)).toBeLessThanOrEqual(2);
    expect(address.duplicatesExact).toBe(false);
    expect(renderAnalysis(estimated)).toMatch(/~\d+/);
  });

  it('profiles only the first rows with sampleRows, and states it', async () => {
    const sampled = await analyze(connector, { tables: ['contacts', 'accounts'], sampleRows: 10 });
    expect(sampled).toMatchObject({ sampled: true, sampleRows: 10 });
    expect(profileOf(sampled, 'contacts')).toMatchObject({ rowCount: 40, rowCountExact: true, rowsProfiled: 10, sampled: true });
    expect(relationship(sampled, 'contacts.account_id')?.inclusion).toMatchObject({ sampled: true, checkedRows: 7 });
    expect(renderAnalysis(sampled)).toContain('first 10 rows per table');
  });

  it('stops when the signal fires', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await analyze(connector, { signal: controller.signal }).catch((e: unknown) => e);
    expect(isCrmError(error) && error.code).toBe('CRM_E6006');
  });
});
