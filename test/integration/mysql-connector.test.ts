import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, ReadBatch } from '../../src/connectors/contract.js';
import { open } from '../../src/connectors/mysql/index.js';
import { ddlStatements } from '../../src/connectors/mysql/mysql-ddl.js';
import { parseServerVersion } from '../../src/connectors/mysql/mysql-flavour.js';
import { CrmError } from '../../src/core/errors/index.js';
import type { Row } from '../../src/core/types.js';
import { type FreshDatabase, freshMysql } from '../helpers/databases.js';
import { column, table } from '../helpers/schema-builders.js';
import { freePort } from '../setup/free-port.js';

const openUrl = (url: string) => open({ raw: url, resolved: url, kind: 'mysql' });

/** The rejection of `promise`, which must be a CrmError. */
async function crmErrorOf(promise: Promise<unknown>): Promise<CrmError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CrmError);
  return err as CrmError;
}

async function drain(iterable: AsyncIterable<ReadBatch>): Promise<ReadBatch[]> {
  const batches: ReadBatch[] = [];
  for await (const batch of iterable) batches.push(batch);
  return batches;
}

let db: FreshDatabase | undefined;
let conn: Connector;
let admin: mysql.Connection;

beforeAll(async () => {
  db = await freshMysql();
  if (!db) return;
  conn = await openUrl(db.url);
  admin = await mysql.createConnection({ uri: db.url, multipleStatements: true });
});
afterAll(async () => {
  await admin?.end();
  await conn?.close();
  await db?.drop();
});

describe('mysql connector: connecting', () => {
  const withUrl = (edit: (url: URL) => void) => {
    const url = new URL(db?.url ?? 'mysql://localhost/x');
    edit(url);
    return url.toString();
  };

  it('reports a wrong password as CRM_N2002 without the password', async (ctx) => {
    if (!db) return ctx.skip();
    const err = await crmErrorOf(
      openUrl(
        withUrl((u) => {
          u.password = 'Wrong-Secret-4711';
        }),
      ),
    );
    expect(err.code).toBe('CRM_N2002');
    expect(err.format()).not.toContain('Wrong-Secret-4711');
    expect(JSON.stringify(err.toJSON())).not.toContain('Wrong-Secret-4711');
  });

  it('reports an unreachable server as CRM_N2001', async (ctx) => {
    if (!db) return ctx.skip();
    const port = await freePort();
    const err = await crmErrorOf(
      openUrl(
        withUrl((u) => {
          u.port = String(port);
        }),
      ),
    );
    expect(err.code).toBe('CRM_N2001');
  });

  it('reports a missing database as CRM_N2003', async (ctx) => {
    if (!db) return ctx.skip();
    const err = await crmErrorOf(
      openUrl(
        withUrl((u) => {
          u.pathname = '/no_such_database_here';
        }),
      ),
    );
    expect(err.code).toBe('CRM_N2003');
  });

  it('masks the password in its display name', (ctx) => {
    if (!db) return ctx.skip();
    expect(conn.displayName).toContain(':***@');
    expect(conn.displayName).not.toContain(':crm@');
  });
});

describe('mysql connector: a legacy schema made by hand', () => {
  beforeAll(async () => {
    if (!db) return;
    await admin.query(`
      SET SESSION sql_mode = '';
      CREATE TABLE accounts (
        id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        code VARCHAR(20) NOT NULL,
        name VARCHAR(255) NOT NULL DEFAULT 'unnamed',
        active TINYINT(1) NOT NULL DEFAULT 1,
        tier TINYINT,
        stage ENUM('New', 'In Progress', 'Closed Won'),
        tags SET('vip', 'partner', 'churn-risk'),
        payload JSON,
        created TIMESTAMP(6) NULL,
        huge BIGINT UNSIGNED,
        founded DATE,
        UNIQUE KEY uq_code (code),
        KEY ix_name_stage (name, stage)
      ) ENGINE=InnoDB COMMENT 'accounts';
      CREATE TABLE contacts (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        account_id INT UNSIGNED,
        email VARCHAR(320) COMMENT 'work email',
        CONSTRAINT fk_contacts_account FOREIGN KEY (account_id) REFERENCES accounts (id)
      ) ENGINE=InnoDB;
      CREATE TABLE places (id INT PRIMARY KEY, location POINT);
      INSERT INTO accounts (code, name, active, tier, stage, tags, payload, created, huge, founded) VALUES
        ('A-1', 'Acme', 1, 4, 'In Progress', 'vip,partner', '{"b": 2, "a": [1, 2.50]}', '2024-01-02 03:04:05.123456',
         18446744073709551615, '0000-00-00'),
        ('A-2', 'Broken flag', 4, NULL, NULL, '', NULL, NULL, NULL, '2001-02-03');
    `);
  });

  it('introspects keys, foreign keys, indexes, auto_increment and the canonical type of each column', async (ctx) => {
    if (!db) return ctx.skip();
    const schema = await conn.introspect({ tables: ['accounts', 'contacts'] });
    const accounts = schema.tables.find((t) => t.name === 'accounts');
    const contacts = schema.tables.find((t) => t.name === 'contacts');
    expect(accounts?.primaryKey).toEqual(['id']);
    expect(accounts?.uniqueKeys).toEqual([['code']]);
    expect(accounts?.indexes).toEqual(
      expect.arrayContaining([
        { name: 'uq_code', columns: ['code'], unique: true },
        { name: 'ix_name_stage', columns: ['name', 'stage'], unique: false },
      ]),
    );
    expect(accounts?.rowEstimate).toBeTypeOf('number');
    const types = Object.fromEntries((accounts?.columns ?? []).map((c) => [c.name, c.type]));
    expect(types).toEqual({
      id: { kind: 'bigint' },
      code: { kind: 'text', length: 20 },
      name: { kind: 'text', length: 255 },
      active: { kind: 'boolean' },
      tier: { kind: 'integer' },
      stage: { kind: 'enum', values: ['New', 'In Progress', 'Closed Won'] },
      tags: { kind: 'multiselect', values: ['vip', 'partner', 'churn-risk'] },
      payload: { kind: 'json' },
      created: { kind: 'timestamptz' },
      huge: { kind: 'decimal', precision: 20, scale: 0 },
      founded: { kind: 'date' },
    });
    const id = accounts?.columns.find((c) => c.name === 'id');
    expect(id).toMatchObject({ nullable: false, autoIncrement: true, nativeType: 'int(10) unsigned' });
    expect(accounts?.columns.find((c) => c.name === 'name')).toMatchObject({ default: "'unnamed'", nullable: false });
    expect(contacts?.foreignKeys).toEqual([
      { name: 'fk_contacts_account', columns: ['account_id'], referencedTable: 'accounts', referencedColumns: ['id'] },
    ]);
    expect(contacts?.columns.find((c) => c.name === 'email')?.comment).toBe('work email');
  });

  it('reads SET as string[], TINYINT(1) as boolean, TIMESTAMP as UTC, unsigned BIGINT exactly, a zero date as NULL', async (ctx) => {
    if (!db) return ctx.skip();
    const [batch] = await drain(conn.read('accounts', { orderBy: ['id'] }));
    expect(batch.rows).toHaveLength(1);
    const row = Object.fromEntries(batch.columns.map((c, i) => [c, batch.rows[0][i]]));
    expect(row).toEqual({
      id: 1n,
      code: 'A-1',
      name: 'Acme',
      active: true,
      tier: 4,
      stage: 'In Progress',
      tags: ['vip', 'partner'],
      payload: '{"b": 2, "a": [1, 2.50]}',
      created: '2024-01-02T03:04:05.123456Z',
      huge: '18446744073709551615',
      founded: null,
    });
    // TINYINT(1) = 4 is no boolean: the row becomes a read reject instead of turning into `true`.
    expect(batch.rejects).toEqual([expect.objectContaining({ code: 'CRM_R4003', column: 'active' })]);
  });

  it('writes into native SET and BIT(1) columns and refuses a value outside the SET', async (ctx) => {
    if (!db) return ctx.skip();
    await admin.query("CREATE TABLE flags (id INT PRIMARY KEY, picks SET('red', 'green', 'blue') NOT NULL, done BIT(1)) ENGINE=InnoDB");
    const writer = await conn.writer();
    const rows: Row[] = [
      [1, ['red', 'blue'], true],
      [2, [], false],
      [3, ['green'], null],
    ];
    await writer.write('flags', { columns: ['id', 'picks', 'done'], rows }, { mode: 'insert' });
    const [batch] = await drain(conn.read('flags', { orderBy: ['id'] }));
    expect(batch.rows).toEqual(rows);
    const bad = writer.write('flags', { columns: ['id', 'picks'], rows: [[4, ['purple']]] }, { mode: 'insert' });
    await expect(bad).rejects.toMatchObject({ code: 'CRM_R4003', location: { column: 'picks' } });
  });

  it('refines lossy catalog types with the declared types of a read (CHAR(36) uuid, TINYINT flag, DATETIME in UTC)', async (ctx) => {
    if (!db) return ctx.skip();
    await admin.query(`CREATE TABLE legacy_leads (id INT PRIMARY KEY, ref CHAR(36), hot TINYINT(4), seen DATETIME(3));
      INSERT INTO legacy_leads VALUES (1, 'ABCDEF00-0000-4000-8000-00000000000A', 1, '2024-03-04 05:06:07.890')`);
    const types = { ref: { kind: 'uuid' }, hot: { kind: 'boolean' }, seen: { kind: 'timestamptz' }, id: { kind: 'text' } } as const;
    const [hinted] = await drain(conn.read('legacy_leads', { types }));
    expect(hinted.rows).toEqual([[1, 'abcdef00-0000-4000-8000-00000000000a', true, '2024-03-04T05:06:07.890000Z']]);
    const [plain] = await drain(conn.read('legacy_leads'));
    expect(plain.rows).toEqual([[1, 'ABCDEF00-0000-4000-8000-00000000000A', 1, '2024-03-04 05:06:07.890000']]);
  });

  it('gives a type with no canonical form as opaque, and reads its values as the column’s bytes', async (ctx) => {
    if (!db) return ctx.skip();
    const schema = await conn.introspect({ tables: ['places'] });
    expect(schema.tables[0].columns[1].type).toEqual({ kind: 'opaque', native: 'point', dialect: 'mysql' });
    await admin.query("INSERT INTO places VALUES (1, ST_GeomFromText('POINT(1 2)', 4326))");
    const [batch] = await drain(conn.read('places'));
    // MySQL's internal form: the SRID (4326, little-endian), then the WKB of the point.
    expect(Buffer.from(batch.rows[0][1] as Uint8Array).toString('hex')).toBe('e61000000101000000000000000000f03f0000000000000040');
  });
});

describe('mysql connector: tables it creates', () => {
  it('marks types MySQL lacks in the column comment and gets them back', async (ctx) => {
    if (!db) return ctx.skip();
    const t = table('marked', [
      column('id', { kind: 'text' }, false),
      column('at', { kind: 'timestamptz' }),
      column('uid', { kind: 'uuid' }),
      column('doc', { kind: 'json' }),
      column('picks', { kind: 'multiselect', values: ['a,b', 'c'] }),
      column('amount', { kind: 'decimal' }),
      column('plain', { kind: 'timestamp' }),
    ]);
    const writer = await conn.writer();
    const ddl = writer.ddl([t]).join('\n');
    expect(ddl).toContain(`COMMENT 'crmbridge:{"kind":"timestamptz"}'`);
    expect(ddl).not.toMatch(/`plain` datetime\(6\) COMMENT/);
    await writer.createTables([t]);
    const [schema] = (await conn.introspect({ tables: ['marked'] })).tables;
    expect(schema.columns.map((c) => c.type)).toEqual(t.columns.map((c) => c.type));
    const natives = Object.fromEntries(schema.columns.map((c) => [c.name, c.nativeType]));
    // An unbounded text key gets a bounded VARCHAR (an index cannot cover LONGTEXT).
    expect(natives.id).toBe('varchar(255)');
    expect(natives.at).toBe('datetime(6)');
    expect(natives.uid).toBe('uuid');
    expect(natives.amount).toBe('decimal(65,30)');
    await writer.write(
      'marked',
      {
        columns: ['id', 'at', 'picks', 'amount'],
        rows: [['k', '2024-06-30T22:00:00.000001+02:00', ['a,b'], '0.000000000000000000000000000001']],
      },
      { mode: 'insert' },
    );
    const got = await conn.readByKeys('marked', ['id'], [['k']], ['at', 'picks', 'amount']);
    expect(got.rows).toEqual([['2024-06-30T20:00:00.000001Z', ['a,b'], '0.000000000000000000000000000001']]);
  });

  it('moves long VARCHARs off-page when the row is full, keeping their length enforced and their type', async (ctx) => {
    if (!db) return ctx.skip();
    const names = Array.from({ length: 12 }, (_, i) => `field_${i}`);
    const wide = table('wide', [column('id', { kind: 'bigint' }, false), ...names.map((n) => column(n, { kind: 'text', length: 5000 }))]);
    const writer = await conn.writer();
    await writer.createTables([wide]);
    const [schema] = (await conn.introspect({ tables: ['wide'] })).tables;
    expect(schema.columns.map((c) => c.type)).toEqual(wide.columns.map((c) => c.type));
    expect(schema.columns.filter((c) => c.nativeType === 'longtext').length).toBeGreaterThan(0);
    const offPage = schema.columns.find((c) => c.nativeType === 'longtext')?.name as string;
    const row: Row = [1n, ...names.map(() => 'y'.repeat(5000))];
    await writer.write('wide', { columns: ['id', ...names], rows: [row] }, { mode: 'insert' });
    const tooLong: Row = [2n, ...names.map((n) => (n === offPage ? 'y'.repeat(5001) : 'ok'))];
    const err = await crmErrorOf(writer.write('wide', { columns: ['id', ...names], rows: [tooLong] }, { mode: 'insert' }));
    expect(err.code).toBe('CRM_R4005');
    expect(err.location.column).toBe(offPage);
  });

  it('keeps keys that differ only by trailing spaces apart (NO PAD collation)', async (ctx) => {
    if (!db) return ctx.skip();
    const writer = await conn.writer();
    await writer.createTables([
      table('padded', [column('code', { kind: 'text', length: 10 }, false), column('n', { kind: 'integer' })], { primaryKey: ['code'] }),
    ]);
    await writer.write(
      'padded',
      {
        columns: ['code', 'n'],
        rows: [
          ['a', 1],
          ['a ', 2],
          ['a  ', 3],
        ],
      },
      { mode: 'insert' },
    );
    const got = await conn.readByKeys('padded', ['code'], [['a ']]);
    expect(got.rows).toEqual([['a ', 2]]);
  });

  it('looks up bigint and decimal keys exactly (no comparison through a double)', async (ctx) => {
    if (!db) return ctx.skip();
    const writer = await conn.writer();
    await writer.createTables([
      table('exact_keys', [column('id', { kind: 'bigint' }, false), column('d', { kind: 'decimal', precision: 25, scale: 20 }, false)], {
        primaryKey: ['id', 'd'],
      }),
    ]);
    const rows: Row[] = [
      [9007199254740992n, '1.00000000000000000001'],
      [9007199254740993n, '1.00000000000000000001'],
      [9007199254740993n, '1.00000000000000000002'],
    ];
    await writer.write('exact_keys', { columns: ['id', 'd'], rows }, { mode: 'insert' });
    const got = await conn.readByKeys('exact_keys', ['id', 'd'], [[9007199254740993n, '1.00000000000000000001']]);
    expect(got.rows).toEqual([[9007199254740993n, '1.00000000000000000001']]);
    expect(await writer.deleteByKeys('exact_keys', ['id', 'd'], [[9007199254740993n, '1.00000000000000000002']])).toBe(1);
    expect(await conn.count('exact_keys')).toBe(2);
  });
});

describe('mysql connector: streaming reads', () => {
  const ROWS = 100_000;
  const PAD = 'p'.repeat(1000);

  beforeAll(async () => {
    if (!db) return;
    const writer = await conn.writer();
    await writer.createTables([
      table(
        'big_rows',
        [column('tenant', { kind: 'text', length: 8 }, false), column('id', { kind: 'bigint' }, false), column('pad', { kind: 'text' })],
        { primaryKey: ['tenant', 'id'] },
      ),
    ]);
    for (let start = 0; start < ROWS; start += 20_000) {
      const rows: Row[] = Array.from({ length: 20_000 }, (_, i) => {
        const n = start + i;
        return [n < ROWS / 2 ? 'a' : 'b', BigInt(n), PAD];
      });
      await writer.write('big_rows', { columns: ['tenant', 'id', 'pad'], rows }, { mode: 'insert' });
    }
  });

  it('streams 100k rows (~100 MB) in bounded batches while the server waits for the consumer', async (ctx) => {
    if (!db) return ctx.skip();
    let total = 0;
    let largest = 0;
    let first = true;
    for await (const batch of conn.read('big_rows', { orderBy: ['tenant', 'id'], batchSize: 1000 })) {
      if (first) {
        first = false;
        // Backpressure: while the consumer holds the first batch, the scan must stay blocked on the
        // server. A reader that buffered the table would take in all 100 MB meanwhile and the
        // statement would end, so it is looked for repeatedly, not once.
        for (let look = 0; look < 20; look++) {
          const [running] = await admin.query<mysql.RowDataPacket[]>(
            "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE COMMAND = 'Query' AND INFO LIKE 'SELECT `tenant`, `id`, `pad` FROM `big_rows`%'",
          );
          expect(Number(running[0].n)).toBe(1);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      total += batch.rows.length;
      largest = Math.max(largest, batch.rows.length);
    }
    expect(total).toBe(ROWS);
    expect(largest).toBe(1000);
  });

  it('reads a composite key range with tuple comparison', async (ctx) => {
    if (!db) return ctx.skip();
    const half = BigInt(ROWS / 2);
    const batches = await drain(
      conn.read('big_rows', {
        columns: ['tenant', 'id'],
        orderBy: ['tenant', 'id'],
        keyRange: { after: ['a', half - 30n], upTo: ['b', half + 9n] },
      }),
    );
    const keys = batches.flatMap((b) => b.rows);
    expect(keys.length).toBe(29 + 10);
    expect(keys[0]).toEqual(['a', half - 29n]);
    expect(keys[28]).toEqual(['a', half - 1n]);
    expect(keys[29]).toEqual(['b', half]);
    expect(keys.at(-1)).toEqual(['b', half + 9n]);
  });

  it('stops on an AbortSignal with CRM_E6006 and leaves the pool usable', async (ctx) => {
    if (!db) return ctx.skip();
    const controller = new AbortController();
    let seen = 0;
    const reading = (async () => {
      for await (const batch of conn.read('big_rows', { batchSize: 500, signal: controller.signal })) {
        seen += batch.rows.length;
        if (seen >= 1000) controller.abort();
      }
    })();
    expect((await crmErrorOf(reading)).code).toBe('CRM_E6006');
    expect(seen).toBeLessThan(ROWS);
    expect(await conn.count('big_rows', { where: "tenant = 'a'" })).toBe(ROWS / 2);
  });
});

describe('mysql DDL per server flavour', () => {
  const t = table('people', [column('id', { kind: 'uuid' }, false), column('doc', { kind: 'json' })]);

  it('uses native UUID from MariaDB 10.7 and CHAR(36) with a marker before it and on MySQL', () => {
    const [maria] = ddlStatements([t], parseServerVersion('10.11.19-MariaDB-0+deb12u1'));
    expect(maria).toContain('`id` uuid NOT NULL,');
    expect(maria).toContain('COLLATE=utf8mb4_nopad_bin');
    for (const version of ['10.6.18-MariaDB', '8.0.36']) {
      const [ddl] = ddlStatements([t], parseServerVersion(version));
      expect(ddl).toContain(`\`id\` char(36) NOT NULL COMMENT 'crmbridge:{"kind":"uuid"}'`);
    }
    expect(ddlStatements([t], parseServerVersion('8.0.36'))[0]).toContain('COLLATE=utf8mb4_0900_bin');
  });

  it('keeps JSON as checked LONGTEXT on MySQL too (its binary JSON reorders keys and rounds big numbers)', () => {
    const [ddl] = ddlStatements([t], parseServerVersion('8.4.0'));
    expect(ddl).toContain(`\`doc\` longtext COMMENT 'crmbridge:{"kind":"json"}' CHECK (JSON_VALID(\`doc\`))`);
  });
});
