import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalType } from '../../src/core/types.js';
import { openCsv, tempFolder } from '../fixtures/csv/csv-test-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempFolder('csv-streaming'));
});
afterAll(() => cleanup());

const HEADER = 'id,first_name,last_name,email,company,amount,created_at,notes,status,phone\n';

function record(i: number): string {
  const notes = i % 10 === 0 ? '"multi\nline, ""quoted"""' : i % 3 === 0 ? '""' : '';
  return `${i},José${i},Müller,user${i}@example.com,"Acme, Inc ${i % 97}",${i}.${String(i % 100).padStart(2, '0')},2024-01-${String((i % 28) + 1).padStart(2, '0')} 10:11:12.123456,${notes},New,+1-555-${String(i).padStart(7, '0')}\n`;
}

/** Writes the file in pieces, so the test itself never holds it whole. */
async function writeRows(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write(HEADER);
  let piece = '';
  for (let i = 1; i <= rows; i++) {
    piece += record(i);
    if (piece.length > 256 * 1024) {
      if (!out.write(piece)) await once(out, 'drain');
      piece = '';
    }
  }
  out.end(piece);
  await once(out, 'finish');
}

const TYPES: Record<string, CanonicalType> = {
  id: { kind: 'bigint' },
  amount: { kind: 'decimal' },
  created_at: { kind: 'timestamp' },
};

describe('large files', () => {
  const rows = 200_000;
  beforeAll(() => writeRows(join(dir, 'big.csv'), rows));

  it('streams 200k rows in batches with bounded memory', async () => {
    const conn = await openCsv(dir);
    const batchSize = 2000;
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let total = 0;
    let batches = 0;
    let lastId = 0n;
    let nulls = 0;
    let empties = 0;
    let outOfOrder = 0;
    for await (const batch of conn.read('big', { batchSize, types: TYPES })) {
      expect(batch.rows.length).toBeLessThanOrEqual(batchSize);
      expect(batch.rejects).toEqual([]);
      for (const row of batch.rows) {
        if (row[0] !== lastId + 1n) outOfOrder++;
        lastId = row[0] as bigint;
        if (row[7] === null) nulls++;
        if (row[7] === '') empties++;
      }
      total += batch.rows.length;
      batches++;
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    }
    expect(total).toBe(rows);
    expect(outOfOrder).toBe(0);
    expect(batches).toBe(rows / batchSize);
    // i % 10 === 0 rows hold a multi-line note, other multiples of 3 hold "" and the rest are NULL.
    const tens = rows / 10;
    const threes = Math.floor(rows / 3) - Math.floor(rows / 30);
    expect(empties).toBe(threes);
    expect(nulls).toBe(rows - tens - threes);
    // The whole file as rows would take several hundred MB of heap; streaming keeps a few batches.
    console.log(`csv streaming: peak heap growth ${Math.round(peak / 1024 / 1024)} MB for ${rows} rows`);
    expect(peak).toBeLessThan(96 * 1024 * 1024);
  });

  it('stops with CRM_E6006 when the read is aborted', async () => {
    const conn = await openCsv(dir);
    const controller = new AbortController();
    let seen = 0;
    const read = async () => {
      for await (const batch of conn.read('big', { batchSize: 1000, signal: controller.signal })) {
        seen += batch.rows.length;
        controller.abort();
      }
    };
    await expect(read()).rejects.toMatchObject({ code: 'CRM_E6006' });
    expect(seen).toBeLessThan(rows);
  });

  it('measures read throughput on 400k rows (reported, not asserted)', async () => {
    const hugeRows = 400_000;
    await writeRows(join(dir, 'huge.csv'), hugeRows);
    const conn = await openCsv(dir);
    const started = performance.now();
    let total = 0;
    for await (const batch of conn.read('huge', { batchSize: 5000, types: TYPES })) total += batch.rows.length;
    const seconds = (performance.now() - started) / 1000;
    expect(total).toBe(hugeRows);
    console.log(`csv typed read: ${hugeRows} rows in ${seconds.toFixed(2)} s = ${Math.round(hugeRows / seconds)} rows/s`);
  });
});
