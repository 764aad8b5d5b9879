/**
 * `crmbridge diff` at scale: two identical 1,000,000-row tables, one in PostgreSQL and one in
 * MariaDB, compared with the hashing pushed into both databases; then again after 1,000
 * scattered differences (400 changed, 300 missing, 300 extra), which must all be reported.
 *
 *   CRMBRIDGE_BENCH_PG_URL=postgres://… CRMBRIDGE_BENCH_MYSQL_URL=mysql://… npx tsx bench/verify/diff-bench.ts [rows]
 *
 * The URLs are admin URLs; the bench creates and drops a database of its own on each server.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { openConnector } from '../../src/connectors/registry.js';
import type { TableSchema, Value } from '../../src/core/types.js';
import { deterministicUuid } from '../../src/engine/deterministic-uuid.js';
import { diffTables } from '../../src/engine/verify/table-diff.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const BATCH = 50_000;
const col = (name: string, type: TableSchema['columns'][number]['type'], nullable = true) => ({ name, type, nativeType: '', nullable });
const DEALS: TableSchema = {
  name: 'deals',
  columns: [
    col('id', { kind: 'bigint' }, false),
    col('ref', { kind: 'uuid' }),
    col('name', { kind: 'text' }),
    col('amount', { kind: 'decimal', precision: 14, scale: 2 }),
    col('closed_at', { kind: 'timestamp' }),
    col('won', { kind: 'boolean' }),
  ],
  primaryKey: ['id'],
  uniqueKeys: [],
  foreignKeys: [],
  indexes: [],
};

function deal(i: number): Value[] {
  const cents = String((i * 7919) % 10_000_000).padStart(3, '0');
  return [
    BigInt(i),
    deterministicUuid('deal', String(i)),
    i % 97 === 0 ? null : `Deal ${i}`,
    `${cents.slice(0, -2)}.${cents.slice(-2)}`,
    `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00.000000`,
    i % 2 === 0,
  ];
}

const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(2);

async function main(): Promise<void> {
  const pgAdmin = process.env.CRMBRIDGE_BENCH_PG_URL;
  const myAdmin = process.env.CRMBRIDGE_BENCH_MYSQL_URL;
  if (!pgAdmin || !myAdmin) throw new Error('set CRMBRIDGE_BENCH_PG_URL and CRMBRIDGE_BENCH_MYSQL_URL (admin URLs)');
  const name = `bench_diff_${randomBytes(4).toString('hex')}`;
  const withDb = (admin: string) => Object.assign(new URL(admin), { pathname: `/${name}` }).toString();
  const pgc = new pg.Client({ connectionString: pgAdmin });
  await pgc.connect();
  await pgc.query(`CREATE DATABASE ${name}`);
  const myc = await mysql.createConnection(myAdmin);
  await myc.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  const a = await openConnector(withDb(pgAdmin));
  const b = await openConnector(withDb(myAdmin));
  try {
    let t0 = performance.now();
    for (const c of [a, b]) {
      const w = await c.writer();
      await w.createTables([DEALS]);
      for (let i = 1; i <= ROWS; i += BATCH) {
        const rows = Array.from({ length: Math.min(BATCH, ROWS - i + 1) }, (_, k) => deal(i + k));
        await w.write('deals', { columns: DEALS.columns.map((x) => x.name), rows }, { mode: 'insert' });
      }
      await w.close();
    }
    const pgBench = new pg.Client({ connectionString: withDb(pgAdmin) });
    await pgBench.connect();
    await pgBench.query('VACUUM ANALYZE deals');
    console.log(`loaded ${ROWS} rows into PostgreSQL and MariaDB in ${seconds(t0)} s`);

    const options = { a, b, table: { a: 'deals', b: 'deals' }, key: [{ a: 'id', b: 'id' }] };
    t0 = performance.now();
    const same = await diffTables(options);
    console.log(
      `identical: ${same.equal ? 'equal' : 'DIFFERENT'} in ${seconds(t0)} s (pushdown ${JSON.stringify(same.pushdown)}, ${same.stats.segments} segments, ${same.stats.rowsCompared} rows downloaded)`,
    );

    // 1,000 scattered differences on the MariaDB side: 400 changed, 300 missing, 300 extra.
    const step = Math.floor(ROWS / 1000);
    const ids = Array.from({ length: 700 }, (_, k) => 1 + k * step + (k % 7));
    const db = await mysql.createConnection(withDb(myAdmin));
    await db.query(`UPDATE deals SET name = CONCAT('changed ', id) WHERE id IN (${ids.slice(0, 400).join(',')})`);
    await db.query(`DELETE FROM deals WHERE id IN (${ids.slice(400).join(',')})`);
    const extra = Array.from({ length: 300 }, (_, k) => ROWS + 1 + k * 3);
    await db.query(`INSERT INTO deals (id, name, won) VALUES ${extra.map((id) => `(${id}, 'extra', 0)`).join(',')}`);
    await db.end();
    t0 = performance.now();
    const diff = await diffTables(options);
    const found = diff.changed.length + diff.onlyInA.length + diff.onlyInB.length;
    console.log(
      `1,000 differences: ${diff.changed.length} changed, ${diff.onlyInA.length} only in PostgreSQL, ${diff.onlyInB.length} only in MariaDB ` +
        `(${found === 1000 ? 'all found' : `EXPECTED 1000, FOUND ${found}`}) in ${seconds(t0)} s (${diff.stats.segments} segments, ${diff.stats.rowsCompared} rows downloaded)`,
    );
    await pgBench.end();
  } finally {
    await a.close();
    await b.close();
    await pgc.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await pgc.end();
    await myc.query(`DROP DATABASE IF EXISTS ${name}`);
    await myc.end();
  }
}

await main();
