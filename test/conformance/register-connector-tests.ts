import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Connector, ReadBatch } from '../../src/connectors/contract.js';
import { toCanonicalText } from '../../src/core/canonical.js';
import { CrmError } from '../../src/core/errors/index.js';
import type { CanonicalType, RowBatch, TableSchema, Value } from '../../src/core/types.js';
import { EDGE_COLUMNS, EDGE_ROWS, EDGE_TABLE } from './edge-values.js';

/** A fresh, empty, writable location for one connector (a new database, a new folder). */
export interface ConformanceTarget {
  readonly connector: Connector;
  /** Opens a second connector on the same location (to read back with a fresh connection). */
  reopen(): Promise<Connector>;
  cleanup(): Promise<void>;
  /**
   * SQL databases: creates `name (code <text> PRIMARY KEY, n <integer> NOT NULL)` with raw DDL
   * whose text key sorts by a linguistic, case-insensitive collation rather than by bytes (a
   * table the writer never creates), so a split that orders differently from `read` shows.
   */
  createCollatedKeyTable?(name: string): Promise<void>;
}

/** A table of a bigint key `id` and one nullable text column. */
function idAndText(name: string, column: string): TableSchema {
  return {
    name,
    columns: [
      { name: 'id', type: { kind: 'bigint' }, nativeType: '', nullable: false },
      { name: column, type: { kind: 'text' }, nativeType: '', nullable: true },
    ],
    primaryKey: ['id'],
    uniqueKeys: [],
    foreignKeys: [],
    indexes: [],
  };
}

/** Mixed case, accents, non-Latin: each collation (bytes, linguistic, case-insensitive) orders them differently. */
const SPLIT_PREFIXES = ['a', 'B', 'é', 'A', 'b', 'É', 'z', 'Ö', 'ß', '_', 'ñ', 'Z', '日'];
const SPLIT_ROWS = 1000;

function splitTable(name: string, key: readonly { name: string; type: CanonicalType }[]): TableSchema {
  return {
    name,
    columns: [...key, { name: 'n', type: { kind: 'integer' } as CanonicalType }].map((c) => ({ ...c, nativeType: '', nullable: false })),
    primaryKey: key.map((c) => c.name),
    uniqueKeys: [],
    foreignKeys: [],
    indexes: [],
  };
}

/** `split_text (code text PRIMARY KEY, n)`: code 'a0', 'B1', 'é2', …; n = 0 … 999. */
const SPLIT_TEXT = splitTable('split_text', [{ name: 'code', type: { kind: 'text' } }]);
const textKeyRows = (): Value[][] => Array.from({ length: SPLIT_ROWS }, (_, i) => [`${SPLIT_PREFIXES[i % SPLIT_PREFIXES.length]}${i}`, i]);
/** `split_pair (grp text, seq bigint, n, PRIMARY KEY (grp, seq))`: 7 groups of mixed case, seq repeating across them. */
const SPLIT_PAIR = splitTable('split_pair', [
  { name: 'grp', type: { kind: 'text' } },
  { name: 'seq', type: { kind: 'bigint' } },
]);
const pairKeyRows = (): Value[][] => Array.from({ length: SPLIT_ROWS }, (_, i) => [SPLIT_PREFIXES[i % 7], BigInt(Math.floor(i / 7)), i]);

/** A key as text that tells the JS types apart (a bigint 5n is not the number 5). */
const keyText = (key: readonly Value[]) =>
  JSON.stringify(key.map((v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' ? `${v}#` : v)));

/**
 * Splits `table` and checks the cuts against one full ordered read: each cut is the key of a
 * read row, typed as `read` types it, in ascending order, never the last row's key; reading the
 * ranges one after the other yields every row exactly once, in order (`anyPeerOrder`: the order
 * of rows with equal keys is free). Returns the cuts and the row count of each range.
 */
async function expectExactSplit(
  connector: Connector,
  table: string,
  key: readonly string[],
  parts: number,
  options: { where?: string; anyPeerOrder?: boolean } = {},
): Promise<{ cuts: Value[][]; sizes: number[] }> {
  const { where } = options;
  if (!connector.splitKeyRange) throw new Error(`${connector.name} has no splitKeyRange`);
  const cuts = await connector.splitKeyRange(table, key, parts, where ? { where } : undefined);
  expect(cuts.length).toBeLessThanOrEqual(parts - 1);
  const columns = [...key, 'n'];
  const full = rowsOf(await readAll(connector, table, { orderBy: key, columns, where }), columns);
  const lastIndex = new Map(full.map((row, i) => [keyText(row.slice(0, key.length)), i]));
  const at = cuts.map((cut) => lastIndex.get(keyText(cut)) ?? Number.NaN);
  expect(at.every(Number.isInteger), `every cut is the key of a row, typed as read types it: ${cuts.map(keyText).join(' ')}`).toBe(true);
  for (let i = 1; i < at.length; i++) expect(at[i], 'cuts ascend, no duplicates').toBeGreaterThan(at[i - 1]);
  if (at.length > 0) expect(at[at.length - 1], 'the last range is never empty').toBeLessThan(full.length - 1);
  const bounds = [undefined, ...cuts, undefined];
  const ranges: Value[][][] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const keyRange = { after: bounds[i], upTo: bounds[i + 1] };
    ranges.push(rowsOf(await readAll(connector, table, { orderBy: key, columns, where, keyRange }), columns));
  }
  const joined = ranges.flat();
  if (options.anyPeerOrder) {
    const byN = (rows: Value[][]) => rows.map((r) => r[r.length - 1] as number).sort((a, b) => a - b);
    expect(byN(joined)).toEqual(byN(full));
    expect(joined.map((r) => keyText(r.slice(0, key.length)))).toEqual(full.map((r) => keyText(r.slice(0, key.length))));
  } else {
    expect(joined).toEqual(full);
  }
  return { cuts, sizes: ranges.map((r) => r.length) };
}

export const TIME_ZONES = ['Asia/Singapore', 'America/Los_Angeles'] as const;

const TYPES: Record<string, CanonicalType> = Object.fromEntries(EDGE_TABLE.columns.map((c) => [c.name, c.type]));

async function readAll(connector: Connector, table: string, options: Parameters<Connector['read']>[1] = {}): Promise<ReadBatch[]> {
  const batches: ReadBatch[] = [];
  for await (const batch of connector.read(table, options)) batches.push(batch);
  return batches;
}

function rowsOf(batches: readonly RowBatch[], columns: readonly string[]): Value[][] {
  const out: Value[][] = [];
  for (const b of batches) {
    const idx = columns.map((c) => b.columns.indexOf(c));
    for (const r of b.rows) out.push(idx.map((i) => r[i]));
  }
  return out;
}

/** JS type per kind: exactness is also about never handing out a `number` for a bigint or a decimal. */
function jsTypeOk(value: Value, type: CanonicalType): boolean {
  if (value === null) return true;
  switch (type.kind) {
    case 'bigint':
      return typeof value === 'bigint';
    case 'integer':
    case 'float':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'binary':
      return value instanceof Uint8Array;
    case 'multiselect':
      return Array.isArray(value);
    default:
      return typeof value === 'string';
  }
}

/** Compares rows exactly, through the lossless canonical text form, and the JS type of each value. */
export function expectSameRows(actual: Value[][], expected: Value[][], columns: readonly string[], types = TYPES): void {
  expect(actual.length).toBe(expected.length);
  for (let r = 0; r < expected.length; r++) {
    for (let c = 0; c < columns.length; c++) {
      const type = types[columns[c]];
      const a = actual[r][c];
      const e = expected[r][c];
      const where = `row ${r} column ${columns[c]}`;
      expect(jsTypeOk(a, type), `${where}: JS type of ${String(a)}`).toBe(true);
      expect(a === null ? null : toCanonicalText(a, type), where).toBe(e === null ? null : toCanonicalText(e, type));
    }
  }
}

/**
 * The conformance suite every connector runs. `open` makes a fresh empty location. File
 * connectors hold no key order, so the key-range checks run only where `capabilities.keyRanges`.
 */
export function registerConnectorTests(name: string, open: () => Promise<ConformanceTarget | undefined>): void {
  describe(`connector conformance: ${name}`, () => {
    let target: ConformanceTarget | undefined;
    beforeAll(async () => {
      target = await open();
    });
    afterAll(async () => {
      await target?.connector.close();
      await target?.cleanup();
    });
    const conn = () => {
      if (!target) throw new Error('no target');
      return target.connector;
    };
    /** Creates `table` and inserts each batch of rows (values in the table's column order). */
    const createFilled = async (table: TableSchema, ...batches: Value[][][]) => {
      const writer = await conn().writer();
      await writer.createTables([table]);
      const columns = table.columns.map((c) => c.name);
      for (const rows of batches) await writer.write(table.name, { columns, rows }, { mode: 'insert' });
      await writer.close();
    };

    it('round-trips every canonical type with edge values exactly, under two time zones', async (ctx) => {
      if (!target) return ctx.skip();
      await createFilled(EDGE_TABLE, EDGE_ROWS);
      const originalTz = process.env.TZ;
      try {
        for (const tz of TIME_ZONES) {
          process.env.TZ = tz;
          const fresh = await target.reopen();
          try {
            const batches = await readAll(fresh, 'edge_values', { types: TYPES, orderBy: ['id'] });
            const rows = rowsOf(batches, EDGE_COLUMNS).sort((a, b) => Number(a[0]) - Number(b[0]));
            expectSameRows(rows, EDGE_ROWS, EDGE_COLUMNS);
          } finally {
            await fresh.close();
          }
        }
      } finally {
        process.env.TZ = originalTz;
      }
    });

    it('introspects the written table with its canonical types and key', async (ctx) => {
      if (!target) return ctx.skip();
      const schema = await conn().introspect({ tables: ['edge_values'] });
      const table = schema.tables.find((t) => t.name === 'edge_values');
      expect(table).toBeDefined();
      expect(table?.columns.map((c) => c.name)).toEqual(EDGE_COLUMNS);
      if (conn().capabilities.keyRanges) {
        expect(table?.primaryKey).toEqual(['id']);
        for (const col of EDGE_TABLE.columns) {
          const got = table?.columns.find((c) => c.name === col.name);
          expect(got?.type.kind, col.name).toBe(col.type.kind);
        }
      }
    });

    it('counts rows exactly and fetches rows by key', async (ctx) => {
      if (!target) return ctx.skip();
      expect(await conn().count('edge_values')).toBe(EDGE_ROWS.length);
      const got = await conn().readByKeys('edge_values', ['id'], [[2n], [5n], [99n]], ['id', 't_big', 't_dec']);
      const rows = rowsOf([got], ['id', 't_big', 't_dec']).sort((a, b) => Number(a[0]) - Number(b[0]));
      expectSameRows(
        rows,
        [
          [2n, 9223372036854775807n, '1234567890123456789012345678.1234567890'],
          [5n, null, null],
        ],
        ['id', 't_big', 't_dec'],
      );
    });

    it('streams in batches of the requested size, and by key range where supported', async (ctx) => {
      if (!target) return ctx.skip();
      const table = idAndText('many_rows', 'label');
      const rows: Value[][] = Array.from({ length: 2500 }, (_, i) => [BigInt(i + 1), `row ${i + 1}`]);
      await createFilled(table, rows.slice(0, 1200), rows.slice(1200));
      const types = { id: table.columns[0].type, label: table.columns[1].type };
      const batches = await readAll(conn(), 'many_rows', { batchSize: 1000, orderBy: ['id'], types });
      expect(batches.map((b) => b.rows.length)).toEqual([1000, 1000, 500]);
      if (conn().capabilities.keyRanges) {
        const ranged = await readAll(conn(), 'many_rows', { orderBy: ['id'], keyRange: { after: [100n], upTo: [250n] }, batchSize: 64 });
        const ids = rowsOf(ranged, ['id']).map((r) => r[0]);
        expect(ids.length).toBe(150);
        expect(ids[0]).toBe(101n);
        expect(ids[149]).toBe(250n);
      } else {
        const skipped = await readAll(conn(), 'many_rows', { skip: 2400, types });
        expect(rowsOf(skipped, ['id']).map((r) => r[0])).toEqual(rows.slice(2400).map((r) => r[0]));
      }
    });

    it('fetches rows by a long key list: every match once, missing keys skipped (lookups split and run at once)', async (ctx) => {
      if (!target) return ctx.skip();
      await createFilled(
        idAndText('lookup_rows', 'label'),
        Array.from({ length: 2000 }, (_, i) => [BigInt(i + 1), `row ${i + 1}`]),
      );
      // More keys than one wave of concurrent statements, 50 of them with no row.
      const keys = Array.from({ length: 1950 }, (_, i) => [BigInt(i + 101)]);
      const got = rowsOf([await conn().readByKeys('lookup_rows', ['id'], keys, ['id', 'label'])], ['id', 'label']);
      const ids = got.map((r) => Number(r[0])).sort((a, b) => a - b);
      expect(ids).toEqual(Array.from({ length: 1900 }, (_, i) => i + 101));
      for (const [id, label] of got) expect(label).toBe(`row ${id}`);
    });

    it('answers key lookups and counts while more scans are open than a pool holds sessions', async (ctx) => {
      if (!target) return ctx.skip();
      // The engine keeps a scan open while its consumer looks keys up (joins, lookups); with
      // `parallelism` scans at once, lookups waiting behind them would hang the run forever.
      await createFilled(
        idAndText('scanned_rows', 'label'),
        Array.from({ length: 200 }, (_, i) => [BigInt(i + 1), `row ${i + 1}`]),
      );
      const scans = Array.from({ length: 12 }, () =>
        conn()
          .read('scanned_rows', { batchSize: 10, orderBy: ['id'] })
          [Symbol.asyncIterator](),
      );
      const within = <T>(promise: Promise<T>, what: string) =>
        Promise.race([
          promise,
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} waited behind the open scans`)), 15_000)),
        ]);
      try {
        const started = await within(Promise.all(scans.map((scan) => scan.next())), 'a scan');
        expect(started.every((r) => !r.done)).toBe(true);
        const [found, count] = await within(
          Promise.all([conn().readByKeys('scanned_rows', ['id'], [[7n]], ['id', 'label']), conn().count('scanned_rows')]),
          'a lookup',
        );
        expect(rowsOf([found], ['id', 'label'])).toEqual([[7n, 'row 7']]);
        expect(count).toBe(200);
      } finally {
        await within(Promise.all(scans.map((scan) => scan.return?.())), 'closing a scan').catch(() => {});
      }
    });

    it('ends a batch early when its rows are large (maxBatchBytes), never with an empty batch', async (ctx) => {
      if (!target) return ctx.skip();
      const table = idAndText('big_rows', 'body');
      // 40 rows of ~20 KB text (~40 KB each in memory), one of 300 KB: larger than the cap alone.
      const rows: Value[][] = Array.from({ length: 40 }, (_, i) => [
        BigInt(i + 1),
        (i === 20 ? 'y' : 'x').repeat(i === 20 ? 300_000 : 20_000),
      ]);
      await createFilled(table, rows);
      const types = { id: table.columns[0].type, body: table.columns[1].type };
      const batches = await readAll(conn(), 'big_rows', { batchSize: 1000, maxBatchBytes: 200_000, orderBy: ['id'], types });
      expect(rowsOf(batches, ['id']).map((r) => r[0])).toEqual(rows.map((r) => r[0]));
      expect(batches.every((b) => b.rows.length > 0)).toBe(true);
      // ~40 KB rows under a 200 KB cap: 5 rows a batch, and the 300 KB row cuts its batch at once.
      expect(Math.max(...batches.map((b) => b.rows.length))).toBeLessThanOrEqual(5);
      expect(batches.length).toBeGreaterThanOrEqual(8);
    });

    it('a read whose signal is aborted stops with CRM_E6006 (interrupted, resumable)', async (ctx) => {
      if (!target) return ctx.skip();
      const abort = new AbortController();
      abort.abort();
      await createFilled(idAndText('aborted_read', 'note'), [[1n, 'x']]);
      const reading = readAll(conn(), 'aborted_read', { signal: abort.signal });
      await expect(reading).rejects.toMatchObject({ code: 'CRM_E6006' });
    });

    it('upserts by key: existing rows updated, new rows inserted, nothing duplicated', async (ctx) => {
      if (!target || !conn().capabilities.keyRanges) return ctx.skip();
      const writer = await conn().writer();
      await writer.write(
        'edge_values',
        {
          columns: ['id', 't_text', 't_dec'],
          rows: [
            [1n, 'Acme Corp (renamed)', '1.5'],
            [7n, 'new row', null],
          ],
        },
        { mode: 'upsert', key: ['id'] },
      );
      await writer.close();
      expect(await conn().count('edge_values')).toBe(EDGE_ROWS.length + 1);
      const got = await conn().readByKeys('edge_values', ['id'], [[1n], [7n]], ['id', 't_text', 't_dec', 't_int']);
      const rows = rowsOf([got], ['id', 't_text', 't_dec', 't_int']).sort((a, b) => Number(a[0]) - Number(b[0]));
      // Columns not in the batch keep their values on update.
      expectSameRows(
        rows,
        [
          [1n, 'Acme Corp (renamed)', '1.5', 42],
          [7n, 'new row', null, null],
        ],
        ['id', 't_text', 't_dec', 't_int'],
      );
    });

    it('upserts a batch that lacks a NOT NULL column: existing rows updated, their other columns kept', async (ctx) => {
      if (!target || !conn().capabilities.keyRanges) return ctx.skip();
      const base = idAndText('partial_upsert', 'note');
      const table = {
        ...base,
        columns: [...base.columns, { name: 'name', type: { kind: 'text' as const }, nativeType: '', nullable: false }],
      };
      const writer = await conn().writer();
      await writer.createTables([table]);
      await writer.write(
        'partial_upsert',
        {
          columns: ['id', 'name', 'note'],
          rows: [
            [1n, 'Ann', null],
            [2n, 'Bob', 'old'],
          ],
        },
        { mode: 'insert' },
      );
      await writer.write(
        'partial_upsert',
        {
          columns: ['id', 'note'],
          rows: [
            [1n, 'set'],
            [2n, null],
          ],
        },
        { mode: 'upsert', key: ['id'] },
      );
      await writer.close();
      const got = await conn().readByKeys('partial_upsert', ['id'], [[1n], [2n]], ['id', 'name', 'note']);
      expectSameRows(
        rowsOf([got], ['id', 'name', 'note']).sort((a, b) => Number(a[0]) - Number(b[0])),
        [
          [1n, 'Ann', 'set'],
          [2n, 'Bob', null],
        ],
        ['id', 'name', 'note'],
        Object.fromEntries(table.columns.map((c) => [c.name, c.type])),
      );
    });

    it('rejects a whole batch atomically when one row violates the key', async (ctx) => {
      if (!target || !conn().capabilities.atomicBatches) return ctx.skip();
      const writer = await conn().writer();
      const before = await conn().count('many_rows');
      await expect(
        writer.write(
          'many_rows',
          {
            columns: ['id', 'label'],
            rows: [
              [5001n, 'fine'],
              [1n, 'duplicate key'],
            ],
          },
          { mode: 'insert' },
        ),
      ).rejects.toBeInstanceOf(CrmError);
      await writer.close();
      expect(await conn().count('many_rows')).toBe(before);
    });

    it('deletes by key', async (ctx) => {
      if (!target || !conn().capabilities.keyRanges) return ctx.skip();
      const writer = await conn().writer();
      expect(await writer.deleteByKeys('many_rows', ['id'], [[1n], [2n], [999999n]])).toBe(2);
      await writer.close();
      expect(await conn().count('many_rows')).toBe(2498);
    });

    it('shortens identifiers over the dialect limit deterministically and uniquely', async (ctx) => {
      if (!target) return ctx.skip();
      const limit = conn().capabilities.maxIdentifierLength;
      if (!Number.isFinite(limit)) return ctx.skip();
      const long = (suffix: string) => `${'a_very_long_custom_field_name_from_a_legacy_crm_'.repeat(2)}${suffix}`;
      const table: TableSchema = {
        name: 'long_names',
        columns: [
          { name: 'id', type: { kind: 'integer' }, nativeType: '', nullable: false },
          { name: long('one'), type: { kind: 'text' }, nativeType: '', nullable: true },
          { name: long('two'), type: { kind: 'text' }, nativeType: '', nullable: true },
        ],
        primaryKey: ['id'],
        uniqueKeys: [],
        foreignKeys: [],
        indexes: [],
      };
      const writer = await conn().writer();
      const ddl = writer.ddl([table]).join('\n');
      expect(writer.ddl([table]).join('\n')).toBe(ddl);
      await writer.createTables([table]);
      await writer.close();
      const schema = await conn().introspect({ tables: ['long_names'] });
      const names = schema.tables[0].columns.map((c) => c.name);
      expect(names.length).toBe(3);
      expect(new Set(names).size).toBe(3);
      for (const n of names) expect(Buffer.byteLength(n)).toBeLessThanOrEqual(limit);
    });

    /** Keyed connectors must offer splitKeyRange; file connectors have none and skip. */
    const splitting = (ctx: TestContext): Connector | undefined => {
      if (!target) return ctx.skip();
      if (!conn().capabilities.keyRanges) {
        expect(conn().splitKeyRange).toBeUndefined();
        return ctx.skip();
      }
      expect(conn().splitKeyRange).toBeTypeOf('function');
      return conn();
    };

    it('splits a table into key ranges of equal row count that read every row once (text, composite and collated keys)', async (ctx) => {
      const c = splitting(ctx);
      if (!c) return;
      const writer = await c.writer();
      await writer.createTables([SPLIT_TEXT, SPLIT_PAIR, { ...SPLIT_TEXT, name: 'split_empty' }]);
      await writer.write('split_text', { columns: ['code', 'n'], rows: textKeyRows() }, { mode: 'insert' });
      await writer.write('split_pair', { columns: ['grp', 'seq', 'n'], rows: pairKeyRows() }, { mode: 'insert' });
      await writer.close();
      const text = await expectExactSplit(c, 'split_text', ['code'], 4);
      expect(text.cuts.length).toBe(3);
      expect(text.sizes).toEqual([250, 250, 250, 250]);
      const pair = await expectExactSplit(c, 'split_pair', ['grp', 'seq'], 4);
      expect(pair.cuts.length).toBe(3);
      expect(pair.sizes).toEqual([250, 250, 250, 250]);
      expect(typeof pair.cuts[0][1]).toBe('bigint');
      const uneven = await expectExactSplit(c, 'split_text', ['code'], 7);
      expect(uneven.cuts.length).toBe(6);
      for (const size of uneven.sizes) expect(Math.abs(size - SPLIT_ROWS / 7)).toBeLessThan(1);
      if (target?.createCollatedKeyTable) {
        await target.createCollatedKeyTable('split_collated');
        const collatedWriter = await c.writer();
        await collatedWriter.write('split_collated', { columns: ['code', 'n'], rows: textKeyRows() }, { mode: 'insert' });
        await collatedWriter.close();
        const collated = await expectExactSplit(c, 'split_collated', ['code'], 4);
        expect(collated.sizes).toEqual([250, 250, 250, 250]);
      }
    });

    it('splits only the rows matching a filter', async (ctx) => {
      const c = splitting(ctx);
      if (!c) return;
      // n = 0, 3, …, 999: 334 rows.
      const text = await expectExactSplit(c, 'split_text', ['code'], 4, { where: 'n % 3 = 0' });
      expect(text.cuts.length).toBe(3);
      expect(text.sizes.reduce((a, b) => a + b)).toBe(334);
      for (const size of text.sizes) expect([83, 84]).toContain(size);
      const pair = await expectExactSplit(c, 'split_pair', ['grp', 'seq'], 3, { where: 'n >= 400' });
      expect(pair.sizes).toEqual([200, 200, 200]);
    });

    it('gives fewer cuts for fewer rows than parts, none for an empty table or one part', async (ctx) => {
      const c = splitting(ctx);
      if (!c?.splitKeyRange) return;
      expect((await expectExactSplit(c, 'split_text', ['code'], 4, { where: 'n < 3' })).sizes).toEqual([1, 1, 1]);
      expect((await expectExactSplit(c, 'split_pair', ['grp', 'seq'], 4, { where: 'n < 2' })).sizes).toEqual([1, 1]);
      expect(await c.splitKeyRange('split_text', ['code'], 4, { where: 'n = 5' })).toEqual([]);
      expect(await c.splitKeyRange('split_text', ['code'], 4, { where: 'n < 0' })).toEqual([]);
      expect(await c.splitKeyRange('split_empty', ['code'], 4)).toEqual([]);
      expect(await c.splitKeyRange('split_text', ['code'], 1)).toEqual([]);
      expect((await c.splitKeyRange('split_text', ['code'], 5000)).length).toBe(SPLIT_ROWS - 1);
      await expect(c.splitKeyRange('split_text', ['code'], 0)).rejects.toMatchObject({ code: 'CRM_C1003' });
      await expect(c.splitKeyRange('no_such_table', ['code'], 4)).rejects.toMatchObject({ code: 'CRM_S3001' });
    });

    it('never repeats a cut on a key with repeated values, and still reads every row once', async (ctx) => {
      const c = splitting(ctx);
      if (!c) return;
      // 7 groups of about 143 rows: each of the 3 part ends falls in a different group, none in the last.
      const four = await expectExactSplit(c, 'split_pair', ['grp'], 4, { anyPeerOrder: true });
      expect(four.cuts.length).toBe(3);
      // More parts than distinct keys: at most one cut per group but the last.
      const many = await expectExactSplit(c, 'split_pair', ['grp'], 20, { anyPeerOrder: true });
      expect(many.cuts.length).toBe(6);
    });

    it('fails with CRM_S3001 naming a missing table', async (ctx) => {
      if (!target) return ctx.skip();
      const read = async () => {
        for await (const _ of conn().read('no_such_table')) {
          // drain
        }
      };
      await expect(read()).rejects.toMatchObject({ code: 'CRM_S3001' });
    });
  });
}
