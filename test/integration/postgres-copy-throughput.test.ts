import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { open } from '../../src/connectors/postgres/index.js';
import type { TableSchema, Value } from '../../src/core/types.js';
import { type FreshDatabase, freshPostgres } from '../helpers/databases.js';

/**
 * Measures (does not assert) COPY write and streamed read throughput for 200k rows of ten mixed
 * columns, and checks that every row arrived intact.
 */
const ROWS = 200_000;
const BATCH = 10_000;

const TABLE: TableSchema = {
  name: 'throughput',
  columns: [
    { name: 'id', type: { kind: 'bigint' }, nativeType: '', nullable: false },
    { name: 'name', type: { kind: 'text', length: 100 }, nativeType: '', nullable: false },
    { name: 'email', type: { kind: 'text' }, nativeType: '', nullable: true },
    { name: 'amount', type: { kind: 'decimal', precision: 14, scale: 2 }, nativeType: '', nullable: true },
    { name: 'score', type: { kind: 'float' }, nativeType: '', nullable: true },
    { name: 'active', type: { kind: 'boolean' }, nativeType: '', nullable: true },
    { name: 'born', type: { kind: 'date' }, nativeType: '', nullable: true },
    { name: 'created_at', type: { kind: 'timestamptz' }, nativeType: '', nullable: true },
    { name: 'stage', type: { kind: 'enum', values: ['new', 'won', 'lost'] }, nativeType: '', nullable: true },
    { name: 'tags', type: { kind: 'multiselect' }, nativeType: '', nullable: true },
  ],
  primaryKey: ['id'],
  uniqueKeys: [],
  foreignKeys: [],
  indexes: [],
};
const COLUMNS = TABLE.columns.map((c) => c.name);
const STAGES = ['new', 'won', 'lost'];

function row(i: number): Value[] {
  return [
    BigInt(i),
    `Contact number ${i}`,
    i % 10 === 0 ? null : `person${i}@example.com`,
    `${i}.${String(i % 100).padStart(2, '0')}`,
    i / 3,
    i % 2 === 0,
    `19${String(50 + (i % 50))}-0${1 + (i % 9)}-1${i % 10}`,
    `2026-01-0${1 + (i % 9)}T10:00:00.${String(i % 1_000_000).padStart(6, '0')}Z`,
    STAGES[i % 3],
    i % 4 === 0 ? [] : ['vip', `tag ${i % 7}`],
  ];
}

let db: FreshDatabase | undefined;
let conn: Connector;

beforeAll(async () => {
  db = await freshPostgres();
  if (!db) return;
  conn = await open({ raw: db.url, resolved: db.url, kind: 'postgres' });
  await (await conn.writer()).createTables([TABLE]);
});
afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

it('writes 200k rows of ten mixed columns by COPY and streams them back', async (ctx) => {
  if (!db) return ctx.skip();
  const writer = await conn.writer();
  let writeMs = 0;
  let written = 0;
  for (let from = 1; from <= ROWS; from += BATCH) {
    const rows = Array.from({ length: BATCH }, (_, i) => row(from + i));
    const start = performance.now();
    written += await writer.write('throughput', { columns: COLUMNS, rows }, { mode: 'insert' });
    writeMs += performance.now() - start;
  }
  const writeSeconds = writeMs / 1000;
  const readStart = performance.now();
  let read = 0;
  let checked = 0;
  for await (const batch of conn.read('throughput', { orderBy: ['id'], batchSize: 5000 })) {
    read += batch.rows.length;
    const sample = batch.rows[0];
    expect(sample).toEqual(row(Number(sample[0])));
    checked++;
  }
  const readSeconds = (performance.now() - readStart) / 1000;
  console.log(
    `[measure] postgres COPY write: ${ROWS} rows in ${writeSeconds.toFixed(2)} s (${Math.round(ROWS / writeSeconds)} rows/s, ` +
      `${BATCH}-row batches); streamed read: ${Math.round(ROWS / readSeconds)} rows/s`,
  );
  expect(written).toBe(ROWS);
  expect(read).toBe(ROWS);
  expect(checked).toBe(ROWS / 5000);
});
