import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, Writer } from '../../src/connectors/contract.js';
import { open } from '../../src/connectors/mysql/index.js';
import type { Row } from '../../src/core/types.js';
import { type FreshDatabase, freshMysql } from '../helpers/databases.js';
import { column, table } from '../helpers/schema-builders.js';

/**
 * Regression guards for LOAD DATA LOCAL, which implies IGNORE: the server turns row errors into
 * warnings and keeps going (skips duplicates, coerces bad dates to zero, truncates text). Each case
 * sends a batch whose last row is bad and checks that the whole batch was rolled back with the
 * matching code, where a silent load would have committed the good rows and a mangled bad one.
 */

const CONTACTS = table(
  'contacts',
  [
    column('id', { kind: 'bigint' }, false),
    column('name', { kind: 'text', length: 10 }, false),
    column('born', { kind: 'date' }),
    column('score', { kind: 'decimal', precision: 5, scale: 2 }),
    column('stage', { kind: 'enum', values: ['New', 'Won'] }),
    column('payload', { kind: 'json' }),
    column('account_id', { kind: 'bigint' }),
    column('bio', { kind: 'text', length: 20000 }),
  ],
  { foreignKeys: [{ columns: ['account_id'], referencedTable: 'accounts', referencedColumns: ['id'] }] },
);

const ACCOUNTS = table('accounts', [column('id', { kind: 'bigint' }, false), column('label', { kind: 'text' })]);

const COLUMNS = CONTACTS.columns.map((c) => c.name);
const good = (id: number): Row => [BigInt(id), `name ${id}`, '1990-05-17', '12.50', 'New', '{"a":1}', 1n, 'ok'];

/** A good row with one field replaced. */
function withField(id: number, column: string, value: Row[number]): Row {
  const row = good(id);
  row[COLUMNS.indexOf(column)] = value;
  return row;
}

describe('mysql LOAD DATA batches are all-or-nothing', () => {
  let db: FreshDatabase | undefined;
  let conn: Connector;
  let writer: Writer;
  let admin: mysql.Connection;

  beforeAll(async () => {
    db = await freshMysql();
    if (!db) return;
    conn = await open({ raw: db.url, resolved: db.url, kind: 'mysql' });
    writer = await conn.writer();
    await writer.createTables([ACCOUNTS, CONTACTS]);
    await writer.write('accounts', { columns: ['id', 'label'], rows: [[1n, 'Acme']] }, { mode: 'insert' });
    await writer.write('contacts', { columns: COLUMNS, rows: [good(1), good(2)] }, { mode: 'insert' });
    admin = await mysql.createConnection(db.url);
  });
  afterAll(async () => {
    await admin?.end();
    await conn?.close();
    await db?.drop();
  });

  const cases: [string, Row, string, string | undefined][] = [
    ['a text longer than its VARCHAR', withField(12, 'name', 'far too long for ten'), 'CRM_R4005', 'name'],
    ['a text longer than its off-page length CHECK', withField(12, 'bio', 'x'.repeat(20001)), 'CRM_R4005', 'bio'],
    ['an impossible date', withField(12, 'born', '2021-02-30'), 'CRM_R4003', 'born'],
    ['a decimal with more fraction digits than the scale', withField(12, 'score', '1.005'), 'CRM_R4003', 'score'],
    ['a decimal over its precision', withField(12, 'score', '12345.5'), 'CRM_R4006', 'score'],
    ['a value outside the enum', withField(12, 'stage', 'Lost'), 'CRM_R4003', 'stage'],
    ['invalid JSON', withField(12, 'payload', '{"a":'), 'CRM_R4003', 'payload'],
    ['NULL in a NOT NULL column', withField(12, 'name', null), 'CRM_R4007', 'name'],
    ['a key already in the table', good(1), 'CRM_R4008', undefined],
    ['a key twice in the batch', good(10), 'CRM_R4008', undefined],
    ['a reference to a missing parent', withField(12, 'account_id', 99n), 'CRM_R4009', undefined],
  ];

  for (const [label, bad, code, column] of cases) {
    it(`rolls back the batch and raises ${code} for ${label}`, async (ctx) => {
      if (!db) return ctx.skip();
      const rows = [good(10), good(11), bad];
      const failure = writer.write('contacts', { columns: COLUMNS, rows }, { mode: 'insert' });
      await expect(failure).rejects.toMatchObject({ code, location: { table: 'contacts', ...(column ? { column } : {}) } });
      expect(await conn.count('contacts')).toBe(2);
      const [stored] = await admin.query<mysql.RowDataPacket[]>('SELECT name, born, score FROM contacts ORDER BY id');
      expect(stored.map((r) => [r.name, r.born instanceof Date ? 'date' : r.born, r.score])).toEqual([
        ['name 1', 'date', '12.50'],
        ['name 2', 'date', '12.50'],
      ]);
    });
  }

  it('names the row of the batch that the server warned about', async (ctx) => {
    if (!db) return ctx.skip();
    const failure = writer.write(
      'contacts',
      { columns: COLUMNS, rows: [good(20), withField(21, 'name', 'x'.repeat(11))] },
      { mode: 'insert' },
    );
    await expect(failure).rejects.toThrow(/batch row 2/);
  });

  it('rolls back an upsert batch the same way', async (ctx) => {
    if (!db) return ctx.skip();
    const rows = [withField(1, 'name', 'renamed'), withField(30, 'born', '2021-13-01')];
    await expect(writer.write('contacts', { columns: COLUMNS, rows }, { mode: 'upsert', key: ['id'] })).rejects.toMatchObject({
      code: 'CRM_R4003',
    });
    const got = await conn.readByKeys('contacts', ['id'], [[1n], [30n]], ['id', 'name']);
    expect(got.rows).toEqual([[1n, 'name 1']]);
  });

  it('keeps tabs, newlines, backslashes, \\N and NULL apart', async (ctx) => {
    if (!db) return ctx.skip();
    const tricky = ['a\tb', 'c\nd\r\n', 'back\\slash', '\\N', 'NULL', '', '\0nul'];
    const rows: Row[] = tricky.map((t, i) => [BigInt(100 + i), `n${i}`, null, null, null, null, null, t]);
    rows.push([200n, 'null bio', null, null, null, null, null, null]);
    await writer.write('contacts', { columns: COLUMNS, rows }, { mode: 'insert' });
    const got = await conn.readByKeys(
      'contacts',
      ['id'],
      rows.map((r) => [r[0]]),
      ['id', 'bio'],
    );
    const byId = new Map(got.rows.map((r) => [r[0], r[1]]));
    expect(rows.map((r) => byId.get(r[0]))).toEqual([...tricky, null]);
  });
  it('round-trips multi-byte text of several packets, cut mid-character between packets', async (ctx) => {
    if (!db) return ctx.skip();
    await writer.createTables([{ ...ACCOUNTS, name: 'long_notes' }]);
    const long = 'a€😀中'.repeat(400_000);
    const rows: Row[] = [
      [1n, long],
      [2n, `x${long}`],
    ];
    await writer.write('long_notes', { columns: ['id', 'label'], rows }, { mode: 'insert' });
    const got = await conn.readByKeys('long_notes', ['id'], [[1n], [2n]]);
    expect(got.rows.map((r) => r[1] === rows[Number(r[0]) - 1][1])).toEqual([true, true]);
  });
});

describe('mysql upsert', () => {
  let db: FreshDatabase | undefined;
  let conn: Connector;
  let writer: Writer;
  const DEALS = table(
    'deals',
    [
      column('tenant', { kind: 'text', length: 20 }, false),
      column('id', { kind: 'bigint' }, false),
      column('title', { kind: 'text' }),
      column('amount', { kind: 'decimal', precision: 12, scale: 2 }),
      column('notes', { kind: 'text' }),
    ],
    { primaryKey: ['tenant', 'id'] },
  );

  beforeAll(async () => {
    db = await freshMysql();
    if (!db) return;
    conn = await open({ raw: db.url, resolved: db.url, kind: 'mysql' });
    writer = await conn.writer();
    await writer.createTables([DEALS]);
    await writer.write(
      'deals',
      {
        columns: ['tenant', 'id', 'title', 'amount', 'notes'],
        rows: [
          ['eu', 1n, 'First', '10.00', 'keep me'],
          ['us', 1n, 'Other tenant', '20.00', 'keep me too'],
        ],
      },
      { mode: 'insert' },
    );
  });
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });

  it('updates only the columns in the batch, by composite key, and inserts new keys', async (ctx) => {
    if (!db) return ctx.skip();
    const n = await writer.write(
      'deals',
      {
        columns: ['tenant', 'id', 'amount'],
        rows: [
          ['eu', 1n, '99.99'],
          ['eu', 2n, '5.00'],
        ],
      },
      { mode: 'upsert', key: ['tenant', 'id'] },
    );
    expect(n).toBe(2);
    const got = await conn.readByKeys(
      'deals',
      ['tenant', 'id'],
      [
        ['eu', 1n],
        ['eu', 2n],
        ['us', 1n],
      ],
      ['tenant', 'id', 'title', 'amount', 'notes'],
    );
    const rows = [...got.rows].sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));
    expect(rows).toEqual([
      ['eu', 1n, 'First', '99.99', 'keep me'],
      ['eu', 2n, null, '5.00', null],
      ['us', 1n, 'Other tenant', '20.00', 'keep me too'],
    ]);
  });

  it('rejects a key twice in one upsert batch instead of letting the last one win', async (ctx) => {
    if (!db) return ctx.skip();
    const rows: Row[] = [
      ['us', 1n, 'a'],
      ['us', 1n, 'b'],
    ];
    await expect(
      writer.write('deals', { columns: ['tenant', 'id', 'title'], rows }, { mode: 'upsert', key: ['tenant', 'id'] }),
    ).rejects.toMatchObject({
      code: 'CRM_R4008',
    });
    const got = await conn.readByKeys('deals', ['tenant', 'id'], [['us', 1n]], ['title']);
    expect(got.rows).toEqual([['Other tenant']]);
  });
});
