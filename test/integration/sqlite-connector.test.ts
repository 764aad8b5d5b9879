import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, ReadBatch } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import type { TableSchema, Value } from '../../src/core/types.js';
import { column, table } from '../helpers/schema-builders.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crmbridge-sqlite-it-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fresh(name: string): Promise<Connector> {
  return openConnector(`sqlite:${join(dir, `${name}.db`)}`);
}

async function readAll(connector: Connector, table: string, options: Parameters<Connector['read']>[1] = {}): Promise<ReadBatch[]> {
  const batches: ReadBatch[] = [];
  for await (const batch of connector.read(table, options)) batches.push(batch);
  return batches;
}

describe('sqlite connector', () => {
  it('maps foreign declared types to canonical kinds and reads their values exactly', async () => {
    const path = join(dir, 'foreign.db');
    const raw = new Database(path);
    raw.exec(`
      CREATE TABLE accounts (id INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, code CHAR(36));
      CREATE TABLE deals (
        id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER REFERENCES accounts, title TEXT, created DATETIME,
        closed DATE, amount DECIMAL(10,2), active TINYINT(1), flag BOOLEAN, qty SMALLINT, ratio DOUBLE, blob_data BLOB,
        anything, payload JSON, uid UUID, weird MYSTERY_TYPE, at_time TIME
      );
      CREATE UNIQUE INDEX deals_title ON deals (title);
      CREATE INDEX deals_created ON deals (created, closed);
      INSERT INTO accounts VALUES (1, 'Acme', 'x');
      INSERT INTO deals VALUES (1, 1, 'big one', '2024-02-29 10:11:12', '2024-02-29', 12.5, 1, 0, 7, 0.25, x'00ff', 42, '{"a":[]}',
        'ABCDEF00-0000-4000-8000-000000000000', '1e21', '08:00:00');
      INSERT INTO deals VALUES (2, 1, 'second', '2024-03-01T00:00:00', '2024-13-45', 1e21, 0, 1, 8, 1, NULL, 'text', '[]', NULL, 3, NULL);
    `);
    raw.close();
    const connector = await openConnector(`sqlite:${path}`);
    try {
      const schema = await connector.introspect();
      expect(schema.tables.map((t) => t.name)).toEqual(['accounts', 'deals']);
      const deals = schema.tables[1];
      const kinds = Object.fromEntries(deals.columns.map((c) => [c.name, c.type]));
      expect(kinds).toEqual({
        id: { kind: 'bigint' },
        account_id: { kind: 'bigint' },
        title: { kind: 'text' },
        created: { kind: 'timestamp' },
        closed: { kind: 'date' },
        amount: { kind: 'decimal', precision: 10, scale: 2 },
        active: { kind: 'boolean' },
        flag: { kind: 'boolean' },
        qty: { kind: 'integer' },
        ratio: { kind: 'float' },
        blob_data: { kind: 'binary' },
        anything: { kind: 'text' },
        payload: { kind: 'json' },
        uid: { kind: 'uuid' },
        weird: { kind: 'decimal' },
        at_time: { kind: 'time' },
      });
      expect(deals.primaryKey).toEqual(['id']);
      expect(deals.columns[0].autoIncrement).toBe(true);
      expect(deals.foreignKeys).toEqual([{ columns: ['account_id'], referencedTable: 'accounts', referencedColumns: ['id'] }]);
      expect(deals.indexes).toEqual(
        expect.arrayContaining([
          { name: 'deals_title', columns: ['title'], unique: true },
          { name: 'deals_created', columns: ['created', 'closed'], unique: false },
        ]),
      );
      expect(deals.rowEstimate).toBe(2);
      expect(schema.tables[0].columns.map((c) => [c.name, c.type, c.nullable])).toEqual([
        ['id', { kind: 'bigint' }, false],
        ['name', { kind: 'text', length: 255 }, false],
        ['code', { kind: 'text', length: 36 }, true],
      ]);

      const batches = await readAll(connector, 'deals', { orderBy: ['id'] });
      const rows = batches.flatMap((b) => b.rows);
      expect(rows).toHaveLength(1);
      // A REAL in a foreign DECIMAL column reads as plain decimal text; UUIDs are lower-cased.
      expect(rows[0]).toEqual([
        1n,
        1n,
        'big one',
        '2024-02-29 10:11:12.000000',
        '2024-02-29',
        '12.5',
        true,
        false,
        7,
        0.25,
        Buffer.from([0, 255]),
        '42',
        '{"a":[]}',
        'abcdef00-0000-4000-8000-000000000000',
        '1000000000000000000000',
        '08:00:00.000000',
      ]);
      // Row 2 has an impossible date: a reject naming the column, and reading went on.
      const rejects = batches.flatMap((b) => b.rejects ?? []);
      expect(rejects).toHaveLength(1);
      expect(rejects[0]).toMatchObject({ code: 'CRM_R4003', column: 'closed' });
      expect(rejects[0].raw).toContain('2024-13-45');
    } finally {
      await connector.close();
    }
  });

  it('keeps a 38-digit decimal and a 64-bit integer exact, stored as text and integer', async () => {
    const connector = await fresh('exact');
    const writer = await connector.writer();
    await writer.createTables([
      table('money', [column('id', { kind: 'bigint' }, false), column('amount', { kind: 'decimal', precision: 38, scale: 10 })]),
    ]);
    const big = '1234567890123456789012345678.1234567890';
    await writer.write(
      'money',
      {
        columns: ['id', 'amount'],
        rows: [
          [9223372036854775807n, big],
          [1n, '-0.0000000001'],
        ],
      },
      { mode: 'insert' },
    );
    await writer.close();
    const rows = (await readAll(connector, 'money', { orderBy: ['id'] })).flatMap((b) => b.rows);
    expect(rows).toEqual([
      [1n, '-0.0000000001'],
      [9223372036854775807n, big],
    ]);
    const schema = await connector.introspect({ tables: ['money'] });
    expect(schema.tables[0].columns[1]).toMatchObject({
      type: { kind: 'decimal', precision: 38, scale: 10 },
      nativeType: 'DECIMAL_TEXT(38,10)',
    });
    await connector.close();
    const raw = new Database(join(dir, 'exact.db'), { readonly: true });
    expect(raw.prepare('SELECT typeof(amount) FROM money').pluck().all()).toEqual(['text', 'text']);
    raw.close();
  });

  it('upserts on a composite key, updating only the columns given', async () => {
    const connector = await fresh('upsert');
    const writer = await connector.writer();
    await writer.createTables([
      table(
        'members',
        [
          column('org', { kind: 'text' }, false),
          column('num', { kind: 'integer' }, false),
          column('name', { kind: 'text' }),
          column('score', { kind: 'float' }),
          column('status', { kind: 'enum', values: ["O'Neil", 'b, c'] }),
        ],
        { primaryKey: ['org', 'num'] },
      ),
    ]);
    await writer.write(
      'members',
      {
        columns: ['org', 'num', 'name', 'score', 'status'],
        rows: [
          ['a', 1, 'Ann', 1.5, "O'Neil"],
          ['a', 2, 'Bob', 2.5, 'b, c'],
        ],
      },
      { mode: 'insert' },
    );
    await writer.write(
      'members',
      {
        columns: ['org', 'num', 'name'],
        rows: [
          ['a', 2, 'Robert'],
          ['b', 1, 'Cy'],
        ],
      },
      { mode: 'upsert', key: ['org', 'num'] },
    );
    const got = await connector.readByKeys(
      'members',
      ['org', 'num'],
      [
        ['a', 1],
        ['a', 2],
        ['b', 1],
        ['z', 9],
      ],
    );
    expect(got.rows.sort((x, y) => String(x[0]).localeCompare(String(y[0])) || Number(x[1]) - Number(y[1]))).toEqual([
      ['a', 1, 'Ann', 1.5, "O'Neil"],
      ['a', 2, 'Robert', 2.5, 'b, c'],
      ['b', 1, 'Cy', null, null],
    ]);
    // The enum's picklist survives introspection and is enforced by its CHECK constraint.
    const schema = await connector.introspect({ tables: ['members'] });
    expect(schema.tables[0].columns[4].type).toEqual({ kind: 'enum', values: ["O'Neil", 'b, c'] });
    await expect(
      writer.write('members', { columns: ['org', 'num', 'status'], rows: [['c', 1, 'Other']] }, { mode: 'insert' }),
    ).rejects.toMatchObject({ code: 'CRM_R4013' });
    // Key-range reads compare the composite key as a tuple.
    const ranged = (
      await readAll(connector, 'members', { orderBy: ['org', 'num'], keyRange: { after: ['a', 1], upTo: ['b', 1] } })
    ).flatMap((b) => b.rows);
    expect(ranged.map((r) => [r[0], r[1]])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    await writer.close();
    await connector.close();
  });

  it('commits nothing of a failed batch and names the failing row and constraint', async () => {
    const connector = await fresh('atomic');
    const writer = await connector.writer();
    const parent = table('parents', [column('id', { kind: 'bigint' }, false)]);
    const child = table(
      'children',
      [column('id', { kind: 'bigint' }, false), column('parent_id', { kind: 'bigint' }), column('name', { kind: 'text' }, false)],
      { foreignKeys: [{ columns: ['parent_id'], referencedTable: 'parents', referencedColumns: ['id'] }] },
    );
    await writer.createTables([parent, child], { foreignKeys: true });
    await writer.write('parents', { columns: ['id'], rows: [[1n]] }, { mode: 'insert' });
    const columns = ['id', 'parent_id', 'name'];
    await expect(
      writer.write(
        'children',
        {
          columns,
          rows: [
            [1n, 1n, 'ok'],
            [2n, 1n, 'ok too'],
            [3n, 1n, null],
          ],
        },
        { mode: 'insert' },
      ),
    ).rejects.toMatchObject({ code: 'CRM_R4007', location: { table: 'children', row: 2 } });
    await expect(writer.write('children', { columns, rows: [[4n, 99n, 'orphan']] }, { mode: 'insert' })).rejects.toMatchObject({
      code: 'CRM_R4009',
    });
    expect(await connector.count('children')).toBe(0);
    expect(await writer.deleteByKeys('parents', ['id'], [[1n]])).toBe(1);
    await writer.close();
    await connector.close();
  });

  it('reports a missing table as CRM_S3001 and a missing file as CRM_C1004, but creates a target file', async () => {
    const connector = await fresh('missing-table');
    const writer = await connector.writer();
    await expect(writer.write('nope', { columns: ['a'], rows: [[1]] }, { mode: 'insert' })).rejects.toMatchObject({ code: 'CRM_S3001' });
    await expect(connector.count('nope')).rejects.toMatchObject({ code: 'CRM_S3001' });
    await expect(connector.readByKeys('nope', ['id'], [[1n]])).rejects.toMatchObject({ code: 'CRM_S3001' });
    await writer.close();
    await connector.close();

    const path = join(dir, 'not-there.db');
    const missing = await openConnector(`sqlite:${path}`);
    await expect(missing.introspect()).rejects.toMatchObject({ code: 'CRM_C1004', location: { file: path } });
    await expect(readAll(missing, 'contacts')).rejects.toMatchObject({ code: 'CRM_C1004' });
    expect(existsSync(path)).toBe(false);
    await (await missing.writer()).close();
    expect(existsSync(path)).toBe(true);
    await missing.close();

    const noFolder = await openConnector(`sqlite:${join(dir, 'no-such-folder', 'x.db')}`);
    await expect(noFolder.writer()).rejects.toMatchObject({ code: 'CRM_C1004' });
  });

  it('streams 200k rows of mixed columns in bounded batches', async () => {
    const connector = await fresh('large');
    const writer = await connector.writer();
    const columns: TableSchema['columns'] = [
      column('id', { kind: 'bigint' }, false),
      column('name', { kind: 'text' }),
      column('email', { kind: 'text', length: 255 }),
      column('amount', { kind: 'decimal', precision: 18, scale: 2 }),
      column('score', { kind: 'float' }),
      column('active', { kind: 'boolean' }),
      column('born', { kind: 'date' }),
      column('updated', { kind: 'timestamp' }),
      column('visits', { kind: 'integer' }),
      column('tags', { kind: 'multiselect' }),
    ];
    await writer.createTables([table('contacts', columns)]);
    const total = 200_000;
    const batchRows = 10_000;
    const names = columns.map((c) => c.name);
    const makeRow = (i: number): Value[] => [
      BigInt(i + 1),
      `Contact ${i}`,
      `c${i}@example.com`,
      `${i}.${String(i % 100).padStart(2, '0')}`,
      i / 7,
      i % 2 === 0,
      `19${String(50 + (i % 50))}-0${1 + (i % 9)}-1${i % 10}`,
      `2024-01-01 00:00:${String(i % 60).padStart(2, '0')}.123456`,
      i % 1000,
      i % 3 === 0 ? ['a', 'b'] : [],
    ];
    const started = performance.now();
    for (let start = 0; start < total; start += batchRows) {
      const rows: Value[][] = [];
      for (let i = start; i < start + batchRows; i++) {
        rows.push(makeRow(i));
      }
      await writer.write('contacts', { columns: names, rows }, { mode: 'insert' });
    }
    const seconds = (performance.now() - started) / 1000;
    console.info(
      `sqlite insert: ${total} rows x ${names.length} columns in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} rows/s`,
    );
    await writer.close();

    let count = 0;
    let batches = 0;
    let last: Value[] | undefined;
    for await (const batch of connector.read('contacts', { batchSize: 5000, orderBy: ['id'] })) {
      expect(batch.rows.length).toBeLessThanOrEqual(5000);
      expect(batch.rejects).toBeUndefined();
      count += batch.rows.length;
      batches++;
      last = batch.rows[batch.rows.length - 1];
    }
    expect(count).toBe(total);
    expect(batches).toBe(total / 5000);
    expect(last).toEqual(makeRow(total - 1));
    expect(await connector.count('contacts', { where: 'active = 1' })).toBe(total / 2);

    // Stopping early releases the cursor; an aborted read stops between batches.
    const controller = new AbortController();
    const aborted = async () => {
      for await (const _ of connector.read('contacts', { batchSize: 100, signal: controller.signal })) controller.abort();
    };
    await expect(aborted()).rejects.toThrow();
    await connector.close();
  });
});
