import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, ReadBatch } from '../../src/connectors/contract.js';
import { open } from '../../src/connectors/postgres/index.js';
import { CrmError } from '../../src/core/errors/index.js';
import type { Value } from '../../src/core/types.js';
import { type FreshDatabase, freshPostgres } from '../helpers/databases.js';
import { column, table, textColumn } from '../helpers/schema-builders.js';

const openUrl = (url: string) => open({ raw: url, resolved: url, kind: 'postgres' });

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

describe('postgres connector', () => {
  let db: FreshDatabase | undefined;
  let conn: Connector;
  let sql: pg.Client;

  beforeAll(async () => {
    db = await freshPostgres();
    if (!db) return;
    conn = await openUrl(db.url);
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await conn?.close();
    await db?.drop();
  });

  describe('connection failures', () => {
    it('reports an unreachable server as retriable CRM_N2001 without the password', async (ctx) => {
      if (!db) return ctx.skip();
      const url = new URL(db.url);
      url.port = '1';
      url.username = 'crm_user';
      url.password = 'Sup3rSecretPw';
      const err = await crmErrorOf(openUrl(url.toString()));
      expect(err.code).toBe('CRM_N2001');
      expect(err.retriable).toBe(true);
      expect(err.message).toContain('127.0.0.1:1');
      for (const text of [err.message, err.format(), JSON.stringify(err.toJSON())]) expect(text).not.toContain('Sup3rSecretPw');
    });

    it('reports a missing database as CRM_N2003', async (ctx) => {
      if (!db) return ctx.skip();
      const url = new URL(db.url);
      url.pathname = '/no_such_database_here';
      const err = await crmErrorOf(openUrl(url.toString()));
      expect(err.code).toBe('CRM_N2003');
    });

    it('reports an unknown role as CRM_N2002', async (ctx) => {
      if (!db) return ctx.skip();
      const url = new URL(db.url);
      url.username = 'no_such_role';
      const err = await crmErrorOf(openUrl(url.toString()));
      expect(err.code).toBe('CRM_N2002');
    });

    it('reports a missing privilege as CRM_N2004', async (ctx) => {
      if (!db) return ctx.skip();
      await sql.query('CREATE TABLE private_notes (id int PRIMARY KEY)');
      await sql.query(`DO $$ BEGIN CREATE ROLE crm_reader LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
      const url = new URL(db.url);
      url.username = 'crm_reader';
      const reader = await openUrl(url.toString());
      try {
        const err = await crmErrorOf(reader.count('private_notes'));
        expect(err.code).toBe('CRM_N2004');
        expect(err.location.table).toBe('private_notes');
      } finally {
        await reader.close();
      }
    });

    it('masks the password in displayName', async (ctx) => {
      if (!db) return ctx.skip();
      const url = new URL(db.url);
      url.password = 'An0therSecret';
      const c = new URL(db.url);
      const other = await openUrl(url.toString()).catch(() => undefined);
      // trust authentication accepts any password, so the connector opens.
      expect(other?.displayName).toBe(`postgres://${c.username}:***@${c.host}${c.pathname}`);
      await other?.close();
    });
  });

  describe('introspection', () => {
    it('gives a type with no canonical form as opaque, and reads its values as the server prints them', async (ctx) => {
      if (!db) return ctx.skip();
      await sql.query(`CREATE TABLE places (id int PRIMARY KEY, location point, search tsvector);
        INSERT INTO places VALUES (1, '(1.5,-2)', 'b:2 a:1')`);
      const schema = await conn.introspect({ tables: ['places'] });
      expect(schema.tables[0].columns.map((c) => c.type)).toEqual([
        { kind: 'integer' },
        { kind: 'opaque', native: 'point', dialect: 'postgres' },
        { kind: 'opaque', native: 'tsvector', dialect: 'postgres' },
      ]);
      const [batch] = await drain(conn.read('places'));
      expect(batch.rows).toEqual([[1, '(1.5,-2)', "'a':1 'b':2"]]);
    });

    it('reads keys, foreign keys, indexes, defaults, identity and enum columns', async (ctx) => {
      if (!db) return ctx.skip();
      await sql.query(`
        CREATE TYPE deal_stage AS ENUM ('new', 'won', 'lost');
        CREATE DOMAIN email_address AS varchar(320);
        CREATE TABLE accounts (
          region text NOT NULL, number int NOT NULL, name varchar(80) NOT NULL DEFAULT 'unnamed',
          PRIMARY KEY (region, number), UNIQUE (name));
        CREATE TABLE deals (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          legacy_id serial,
          region text, account_number int,
          stage deal_stage NOT NULL DEFAULT 'new',
          amount numeric(12,2), owner email_address, tags text[],
          created_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT deals_account_fk FOREIGN KEY (region, account_number) REFERENCES accounts (region, number));
        CREATE INDEX deals_by_stage ON deals (stage, created_at);
        CREATE UNIQUE INDEX deals_legacy ON deals (legacy_id);
        CREATE INDEX deals_lower_owner ON deals (lower(owner));
        COMMENT ON COLUMN deals.amount IS 'in account currency';
        INSERT INTO accounts SELECT 'eu', g, 'account ' || g FROM generate_series(1, 50) g;
        ANALYZE accounts;`);
      const schema = await conn.introspect({ tables: ['accounts', 'deals'] });
      const accounts = schema.tables.find((t) => t.name === 'accounts');
      const deals = schema.tables.find((t) => t.name === 'deals');
      expect(accounts?.primaryKey).toEqual(['region', 'number']);
      expect(accounts?.uniqueKeys).toEqual([['name']]);
      expect(accounts?.rowEstimate).toBe(50);
      expect(accounts?.columns.find((c) => c.name === 'name')).toMatchObject({
        type: { kind: 'text', length: 80 },
        nativeType: 'character varying(80)',
        nullable: false,
        default: "'unnamed'::character varying",
      });
      expect(deals?.foreignKeys).toEqual([
        {
          name: 'deals_account_fk',
          columns: ['region', 'account_number'],
          referencedTable: 'accounts',
          referencedColumns: ['region', 'number'],
        },
      ]);
      expect(deals?.indexes).toEqual([
        { name: 'deals_by_stage', columns: ['stage', 'created_at'], unique: false },
        { name: 'deals_legacy', columns: ['legacy_id'], unique: true },
      ]);
      expect(deals?.uniqueKeys).toEqual([['legacy_id']]);
      const col = (name: string) => deals?.columns.find((c) => c.name === name);
      expect(col('id')).toMatchObject({ type: { kind: 'bigint' }, autoIncrement: true, nullable: false });
      expect(col('legacy_id')?.autoIncrement).toBe(true);
      expect(col('legacy_id')?.default).toMatch(/^nextval\(/);
      expect(col('region')?.autoIncrement).toBeUndefined();
      expect(col('stage')).toMatchObject({ type: { kind: 'enum', values: ['new', 'won', 'lost'] }, default: "'new'::deal_stage" });
      expect(col('amount')).toMatchObject({ type: { kind: 'decimal', precision: 12, scale: 2 }, comment: 'in account currency' });
      expect(col('owner')?.type).toEqual({ kind: 'text', length: 320 });
      expect(col('tags')?.type).toEqual({ kind: 'multiselect' });
      expect(col('created_at')).toMatchObject({ type: { kind: 'timestamptz' }, default: 'now()' });
    });

    it('gives back canonical types PostgreSQL cannot express, recorded in the column comment', async (ctx) => {
      if (!db) return ctx.skip();
      const written = table('leads', [
        column('id', { kind: 'bigint' }, false),
        { ...column('status', { kind: 'enum', values: ['Open', 'Closed'] }), comment: 'lead status' },
        column('colors', { kind: 'multiselect', values: ['Red', 'Blue'] }),
        column('score', { kind: 'decimal', precision: 9, scale: 3 }),
      ]);
      const writer = await conn.writer();
      await writer.createTables([written]);
      const [leads] = (await conn.introspect({ tables: ['leads'] })).tables;
      expect(leads.columns.map((c) => [c.type, c.nativeType, c.comment])).toEqual([
        [{ kind: 'bigint' }, 'bigint', undefined],
        [{ kind: 'enum', values: ['Open', 'Closed'] }, 'text', 'lead status'],
        [{ kind: 'multiselect', values: ['Red', 'Blue'] }, 'text[]', undefined],
        [{ kind: 'decimal', precision: 9, scale: 3 }, 'numeric(9,3)', undefined],
      ]);
    });

    it('creates foreign keys and indexes, and creating again changes nothing', async (ctx) => {
      if (!db) return ctx.skip();
      const parent = table('owners', [column('id', { kind: 'bigint' }, false), textColumn('email')], { uniqueKeys: [['email']] });
      const child = table(
        'tasks',
        [column('id', { kind: 'bigint' }, false), column('owner_id', { kind: 'bigint' }), textColumn('subject')],
        {
          foreignKeys: [{ columns: ['owner_id'], referencedTable: 'owners', referencedColumns: ['id'] }],
          indexes: [{ name: 'by_subject', columns: ['subject'], unique: false }],
        },
      );
      const writer = await conn.writer();
      // Child first: foreign keys are added after all tables exist.
      await writer.createTables([child, parent]);
      await writer.createTables([child, parent]);
      const schema = await conn.introspect({ tables: ['owners', 'tasks'] });
      const tasks = schema.tables.find((t) => t.name === 'tasks');
      expect(tasks?.foreignKeys).toEqual([
        { name: 'tasks_owner_id_fkey', columns: ['owner_id'], referencedTable: 'owners', referencedColumns: ['id'] },
      ]);
      expect(tasks?.indexes).toEqual([{ name: 'tasks_by_subject', columns: ['subject'], unique: false }]);
      expect(schema.tables.find((t) => t.name === 'owners')?.uniqueKeys).toEqual([['email']]);
      const err = await crmErrorOf(writer.write('tasks', { columns: ['id', 'owner_id'], rows: [[1n, 404n]] }, { mode: 'insert' }));
      expect(err.code).toBe('CRM_R4009');
      expect(err.location).toMatchObject({ table: 'tasks', row: 0 });
    });
  });

  describe('streamed reads', () => {
    const ROWS = 100_000;
    const BATCH = 1000;

    beforeAll(async () => {
      if (!db) return;
      // Every thousandth row the server produces through the view takes a transaction-level
      // advisory lock, which other sessions see in pg_locks: a gauge of how far the server has
      // read. The volatile column keeps the view from being flattened, so it is evaluated.
      await sql.query(`
        CREATE TABLE big (id bigint PRIMARY KEY, label text NOT NULL, amount numeric(14,4));
        INSERT INTO big SELECT g, 'row ' || g, g / 7.0 FROM generate_series(1, ${ROWS}) g;
        CREATE VIEW big_watched AS
          SELECT id, label, amount, CASE WHEN id % 1000 = 0 THEN pg_try_advisory_xact_lock(770077, id::int) END AS mark
            FROM big ORDER BY id;`);
    });

    it('yields the first batch long before the server has produced the table, with bounded batches', async (ctx) => {
      if (!db) return ctx.skip();
      let batches = 0;
      let rows = 0;
      let largest = 0;
      let producedAtFirstBatch = -1;
      let lastId = 0n;
      for await (const batch of conn.read('big_watched', { columns: ['id', 'label', 'amount'], batchSize: BATCH })) {
        if (batches === 0) {
          const marks = await sql.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 770077",
          );
          producedAtFirstBatch = marks.rows[0].n * 1000;
        }
        batches++;
        rows += batch.rows.length;
        largest = Math.max(largest, batch.rows.length);
        for (const row of batch.rows) {
          expect(row[0] as bigint).toBeGreaterThan(lastId);
          lastId = row[0] as bigint;
        }
      }
      expect(rows).toBe(ROWS);
      expect(batches).toBe(ROWS / BATCH);
      expect(largest).toBe(BATCH);
      // The cursor runs at most one batch ahead of the consumer.
      expect(producedAtFirstBatch).toBeGreaterThanOrEqual(BATCH);
      expect(producedAtFirstBatch).toBeLessThanOrEqual(3 * BATCH);
    });

    it('releases its connection when the consumer stops early, and stays usable', async (ctx) => {
      if (!db) return ctx.skip();
      // More early exits than the pool has connections: a leak would hang here.
      for (let i = 0; i < 15; i++) {
        for await (const batch of conn.read('big', { batchSize: 10 })) {
          expect(batch.rows.length).toBe(10);
          break;
        }
      }
      expect(await conn.count('big')).toBe(ROWS);
    });

    it('stops with CRM_E6006 when aborted, and releases its connection', async (ctx) => {
      if (!db) return ctx.skip();
      const controller = new AbortController();
      let seen = 0;
      const err = await crmErrorOf(
        (async () => {
          for await (const batch of conn.read('big', { batchSize: 500, signal: controller.signal })) {
            seen += batch.rows.length;
            if (seen >= 1500) controller.abort();
          }
        })(),
      );
      expect(err.code).toBe('CRM_E6006');
      expect(seen).toBe(1500);
      const activity = await sql.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'",
      );
      expect(Number(activity.rows[0].n)).toBe(0);
    });

    it('reads composite key ranges with a filter', async (ctx) => {
      if (!db) return ctx.skip();
      await sql.query(`
        CREATE TABLE notes (account text, seq int, body text, PRIMARY KEY (account, seq));
        INSERT INTO notes SELECT a, s, a || '-' || s FROM unnest(ARRAY['a', 'b', 'c']) a, generate_series(1, 5) s;`);
      const batches = await drain(
        conn.read('notes', { orderBy: ['account', 'seq'], keyRange: { after: ['a', 4], upTo: ['c', 2] }, where: 'seq <> 3', batchSize: 3 }),
      );
      expect(batches.flatMap((b) => b.rows.map((r) => r[2]))).toEqual(['a-5', 'b-1', 'b-2', 'b-4', 'b-5', 'c-1', 'c-2']);
      expect(batches.map((b) => b.rows.length)).toEqual([3, 3, 1]);
      expect(await conn.count('notes', { where: "account = 'b'" })).toBe(5);
      const skipped = await drain(conn.read('notes', { orderBy: ['account', 'seq'], skip: 13, columns: ['body'] }));
      expect(skipped.flatMap((b) => b.rows)).toEqual([['c-4'], ['c-5']]);
      const byKey = await conn.readByKeys(
        'notes',
        ['account', 'seq'],
        [
          ['b', 2],
          ['c', 5],
          ['z', 1],
        ],
        ['body'],
      );
      expect(byKey.rows.map((r) => r[0]).sort()).toEqual(['b-2', 'c-5']);
    });
  });

  describe('writes', () => {
    const contacts = table(
      'contacts',
      [
        textColumn('region', false),
        column('number', { kind: 'bigint' }, false),
        textColumn('email', true, 12),
        textColumn('name', false),
        column('score', { kind: 'decimal', precision: 5, scale: 2 }),
      ],
      { primaryKey: ['region', 'number'] },
    );
    const columns = ['region', 'number', 'email', 'name', 'score'];
    const rows = (from: number, count: number): Value[][] =>
      Array.from({ length: count }, (_, i) => ['eu', BigInt(from + i), `c${from + i}@x.io`, `Contact ${from + i}`, '1.50']);

    beforeAll(async () => {
      if (!db) return;
      const writer = await conn.writer();
      await writer.createTables([contacts]);
      await writer.write('contacts', { columns, rows: rows(1, 10) }, { mode: 'insert' });
    });

    it('upserts on a composite key, updating only the columns in the batch', async (ctx) => {
      if (!db) return ctx.skip();
      const writer = await conn.writer();
      const written = await writer.write(
        'contacts',
        {
          columns: ['number', 'region', 'email'],
          rows: [
            [2n, 'eu', 'new@x.io'],
            [3n, 'eu', null],
          ],
        },
        { mode: 'upsert', key: ['region', 'number'] },
      );
      expect(written).toBe(2);
      const got = await conn.readByKeys(
        'contacts',
        ['region', 'number'],
        [
          ['eu', 2n],
          ['eu', 3n],
        ],
        ['number', 'email', 'name', 'score'],
      );
      expect(got.rows.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
        [2n, 'new@x.io', 'Contact 2', '1.50'],
        [3n, null, 'Contact 3', '1.50'],
      ]);
    });

    it('rejects an upsert batch that holds a key twice, naming the repeat', async (ctx) => {
      if (!db) return ctx.skip();
      const writer = await conn.writer();
      const before = await conn.readByKeys('contacts', ['region', 'number'], [['eu', 4n]], ['name']);
      const batch = {
        columns: ['region', 'number', 'name'],
        rows: [
          ['eu', 4n, 'first'],
          ['eu', 600n, 'new'],
          ['eu', 4n, 'second'],
        ],
      };
      const err = await crmErrorOf(writer.write('contacts', batch, { mode: 'upsert', key: ['region', 'number'] }));
      expect(err.code).toBe('CRM_R4008');
      expect(err.location.row).toBe(2);
      expect(await conn.readByKeys('contacts', ['region', 'number'], [['eu', 4n]], ['name'])).toEqual(before);
    });

    it('reads and writes tables and columns by names longer than 63 bytes', async (ctx) => {
      if (!db) return ctx.skip();
      const long = (s: string) => `${'legacy_custom_object_with_a_very_long_api_name_'.repeat(2)}${s}`;
      const writer = await conn.writer();
      await writer.createTables([table(long('t'), [column('id', { kind: 'bigint' }, false), textColumn(long('c'))])]);
      await writer.write(
        long('t'),
        {
          columns: ['id', long('c')],
          rows: [
            [1n, 'one'],
            [2n, 'two'],
          ],
        },
        { mode: 'upsert', key: ['id'] },
      );
      const batches = await drain(conn.read(long('t'), { columns: [long('c')], orderBy: ['id'] }));
      expect(batches[0]).toEqual({ columns: [long('c')], rows: [['one'], ['two']] });
      expect(await writer.deleteByKeys(long('t'), ['id'], [[1n]])).toBe(1);
    });

    it('fails an upsert without a matching unique key with CRM_S3004', async (ctx) => {
      if (!db) return ctx.skip();
      const writer = await conn.writer();
      const err = await crmErrorOf(
        writer.write('contacts', { columns: ['number', 'name'], rows: [[1n, 'x']] }, { mode: 'upsert', key: ['number'] }),
      );
      expect(err.code).toBe('CRM_S3004');
    });

    let nextFreshNumber = 5000;
    it.for([
      ['a missing required value', 3, { name: null }, 'CRM_R4007', 'name'],
      ['a duplicate key', 2, { number: 5n }, 'CRM_R4008', undefined],
      ['a value too long', 4, { email: 'much-too-long@example.com' }, 'CRM_R4005', 'email'],
      ['a number out of range', 1, { score: '12345.5' }, 'CRM_R4006', 'score'],
      ['a malformed number', 2, { score: '1.2.3' }, 'CRM_R4003', 'score'],
      ['a NUL character', 3, { name: 'bad\u0000name' }, 'CRM_R4003', 'name'],
    ] as const)('commits nothing of a COPY batch with %s and names the row', async ([, badRow, change, code, column], ctx) => {
      if (!db) return ctx.skip();
      const writer = await conn.writer();
      const before = await conn.count('contacts');
      const batch = rows(1000, 6);
      for (const [name, value] of Object.entries(change)) batch[badRow][columns.indexOf(name)] = value;
      const err = await crmErrorOf(writer.write('contacts', { columns, rows: batch }, { mode: 'insert' }));
      expect(err.code).toBe(code);
      expect(err.location.table).toBe('contacts');
      expect(err.location.row).toBe(badRow);
      if (column) expect(err.location.column).toBe(column);
      expect(await conn.count('contacts')).toBe(before);
      // The connection survived the failed COPY: the next batch goes through.
      expect(await writer.write('contacts', { columns, rows: rows(nextFreshNumber++, 1) }, { mode: 'insert' })).toBe(1);
    });

    it('deletes by composite key', async (ctx) => {
      if (!db) return ctx.skip();
      const writer = await conn.writer();
      expect(
        await writer.deleteByKeys(
          'contacts',
          ['region', 'number'],
          [
            ['eu', 9n],
            ['eu', 10n],
            ['us', 9n],
          ],
        ),
      ).toBe(2);
      expect((await conn.readByKeys('contacts', ['region', 'number'], [['eu', 9n]])).rows).toEqual([]);
    });

    it('keeps explicit values of a GENERATED ALWAYS identity on insert and upsert', async (ctx) => {
      if (!db) return ctx.skip();
      await sql.query('CREATE TABLE tickets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text)');
      const writer = await conn.writer();
      await writer.write('tickets', { columns: ['id', 'title'], rows: [[100n, 'copied']] }, { mode: 'insert' });
      await writer.write(
        'tickets',
        {
          columns: ['id', 'title'],
          rows: [
            [100n, 'updated'],
            [200n, 'upserted'],
          ],
        },
        { mode: 'upsert', key: ['id'] },
      );
      const got = await drain(conn.read('tickets', { orderBy: ['id'] }));
      expect(got[0].rows).toEqual([
        [100n, 'updated'],
        [200n, 'upserted'],
      ]);
    });

    it('works in the schema named by ?schema=', async (ctx) => {
      if (!db) return ctx.skip();
      const url = new URL(db.url);
      url.searchParams.set('schema', 'crm');
      const scoped = await openUrl(url.toString());
      try {
        const writer = await scoped.writer();
        await writer.createTables([{ ...contacts, name: 'people' }]);
        await writer.write('people', { columns, rows: rows(1, 3) }, { mode: 'insert' });
        expect(await scoped.count('people')).toBe(3);
        expect((await scoped.introspect()).tables.map((t) => t.name)).toEqual(['people']);
        const inSchema = await sql.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'crm'");
        expect(inSchema.rows[0].n).toBe(1);
      } finally {
        await scoped.close();
      }
    });
  });
});
