import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openConnector } from '../../src/connectors/registry.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { sync } from '../../src/engine/sync/sync.js';
import type { SyncStatus } from '../../src/engine/sync/sync-meter.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { openStateStore } from '../../src/state/index.js';
import { startMariadb } from '../../test/setup/mariadb-server.js';
import { startPostgres } from '../../test/setup/postgres-server.js';
import { type Sql, secretFree, sqlClient } from '../../test/unit/sync/crm-fixture.js';

/**
 * `npx tsx bench/sync/sync-bench.ts [--seconds 60] [--rate 5000] [--rows 50000] [--sources postgres,mariadb]`
 *
 * Log-based sync under a steady stream of source changes: PostgreSQL → PostgreSQL and
 * MariaDB → PostgreSQL on throwaway servers. Paced writers update, insert and delete contacts
 * (80/10/10, in steps of 20 rows) at `--rate` changes/s while `crmbridge sync --follow` (the engine,
 * in this process) applies them through a mapping with transforms. End-to-end lag is measured
 * with a probe: every 50 ms the writer inserts a probe row and notes the time its commit returned;
 * the bench watches the target and takes the time until that row is there (commit → visible in
 * the target). Inserts, not updates: sync applies a change by re-reading the row's current
 * state, so an updated probe would show a later value early. Transactions are applied in
 * commit order, so when a probe row is in the target, every earlier transaction is too. Reported: changes applied per second, p50/p99 lag, and the drain time once the
 * writer stops.
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    rate: { type: 'string', default: '5000' },
    rows: { type: 'string', default: '50000' },
    sources: { type: 'string', default: 'postgres,mariadb' },
  },
});
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const ROWS = Number(values.rows);
const PER_TX = 20;

const PROJECT = (source: string, target: string) => `
source: { url: "${secretFree(source)}" }
target: { url: "${secretFree(target)}" }
options: { batchSize: 2000 }
objects:
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields:
      id: id
      name: { from: [first_name, last_name], transform: [{ concat: { separator: " " } }] }
      email: { from: email, transform: [{ email: { on_invalid: "null" } }] }
    sync: { deletes: delete }
  probes:
    source: { table: probe, key: id }
    target: { table: probe, key: id }
    fields: { id: id, seq: seq }
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

async function seed(sql: Sql): Promise<void> {
  await sql.run('CREATE TABLE contacts (id int PRIMARY KEY, first_name varchar(100), last_name varchar(100), email varchar(200))');
  await sql.run('CREATE TABLE probe (id int PRIMARY KEY, seq int)');
  for (let from = 0; from < ROWS; from += 1000) {
    const ids = Array.from({ length: Math.min(1000, ROWS - from) }, (_, i) => from + i);
    await sql.run(
      `INSERT INTO contacts (id, first_name, last_name, email) VALUES ${ids.map(() => '(?, ?, ?, ?)').join(', ')}`,
      ids.flatMap((i) => [i, `First${i}`, `Last${i}`, `p${i}@example.com`]),
    );
  }
}

interface BenchResult {
  readonly source: string;
  readonly offeredPerSecond: number;
  readonly appliedPerSecond: number;
  readonly lagP50: number;
  readonly lagP99: number;
  readonly drainSeconds: number;
  readonly status: SyncStatus;
}

async function bench(name: string, sourceUrl: string, targetAdmin: string): Promise<BenchResult> {
  const admin = await sqlClient(targetAdmin);
  await admin.run(`DROP DATABASE IF EXISTS bench_${name} WITH (FORCE)`);
  await admin.run(`CREATE DATABASE bench_${name}`);
  await admin.close();
  const targetUrl = targetAdmin.replace(/\/postgres$/, `/bench_${name}`);
  const tsql = await sqlClient(targetUrl);
  await tsql.run('CREATE TABLE people (id int PRIMARY KEY, name text, email text)');
  await tsql.run('CREATE TABLE probe (id int PRIMARY KEY, seq int)');
  const sql = await sqlClient(sourceUrl);
  await seed(sql);

  const dir = await mkdtemp(join(tmpdir(), 'crmbridge-sync-bench-'));
  const plan = compilePlan(parseProject(PROJECT(sourceUrl, targetUrl), 'crmbridge.yaml'));
  const source = await openConnector(sourceUrl);
  const target = await openConnector(targetUrl);
  const state = await openStateStore(join(dir, '.crmbridge'));
  await migrate({ plan, source, target, state, targetSchema: await target.introspect() });

  const stop = new AbortController();
  const running = sync({
    plan,
    source,
    target,
    state,
    targetSchema: await target.introspect(),
    mode: 'cdc',
    follow: true,
    signal: stop.signal,
    statusEveryMs: 60_000,
    onEvent: (e) => {
      if (e.type === 'warning') process.stderr.write(`[${name}] warning: ${e.message}\n`);
    },
  });

  // Writers on 4 connections, paced: every step changes PER_TX rows in three transactions —
  // an UPDATE of 16 existing contacts, an INSERT of 2 new ones and a DELETE of 2 that this lane
  // inserted earlier (80 % updates, 10 % inserts, 10 % deletes).
  const writers = await Promise.all([1, 2, 3, 4].map(() => sqlClient(sourceUrl)));
  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  let offered = 0;
  let version = 0;
  const write = async (w: Sql, lane: number) => {
    const interval = (1000 * PER_TX * writers.length) / RATE;
    const inserted: number[] = [];
    let nextId = ROWS + (lane + 1) * 10_000_000;
    for (let next = Date.now(); Date.now() < deadline; next += interval) {
      const ids = Array.from({ length: PER_TX - 4 }, () => Math.floor(Math.random() * ROWS));
      await w.run(`UPDATE contacts SET first_name = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [`V${lane}-${version++}`, ...ids]);
      const fresh = [nextId++, nextId++];
      await w.run(
        'INSERT INTO contacts (id, first_name, last_name, email) VALUES (?, ?, ?, ?), (?, ?, ?, ?)',
        fresh.flatMap((i) => [i, `New${i}`, `Lane${lane}`, `n${i}@example.com`]),
      );
      inserted.push(...fresh);
      // Deletes trail the inserts by a few steps, so both reach the target as separate changes.
      let deleted = 0;
      if (inserted.length > 10) {
        await w.run('DELETE FROM contacts WHERE id IN (?, ?)', inserted.splice(0, 2));
        deleted = 2;
      }
      offered += ids.length + fresh.length + deleted;
      const wait = next + interval - Date.now();
      if (wait > 0) await sleep(wait);
    }
  };
  // The probe: seq → time its commit returned; the watcher notes when the target has it.
  const committed = new Map<number, number>();
  const lags: number[] = [];
  const probe = (async () => {
    for (let seq = 1; Date.now() < deadline; seq++) {
      await sql.run('INSERT INTO probe (id, seq) VALUES (?, ?)', [seq, seq]);
      committed.set(seq, Date.now());
      await sleep(50);
    }
  })();
  let seen = 0;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const rows = await tsql.rows('SELECT max(seq) AS seq FROM probe');
      const now = Date.now();
      const seq = Number(rows[0]?.seq ?? 0);
      for (let s = seen + 1; s <= seq; s++) {
        const at = committed.get(s);
        if (at !== undefined) lags.push((now - at) / 1000);
      }
      seen = Math.max(seen, seq);
      await sleep(5);
    }
  })();
  await Promise.all([...writers.map((w, i) => write(w, i)), probe]);
  const writerEnd = Date.now();
  // A last probe after every writer transaction: once it is in the target, so is everything.
  const lastSeq = committed.size + 1;
  await sql.run('INSERT INTO probe (id, seq) VALUES (?, ?)', [lastSeq, lastSeq]);
  committed.set(lastSeq, Date.now());
  while (seen < lastSeq && Date.now() - writerEnd < 120_000) await sleep(20);
  const drainSeconds = (Date.now() - writerEnd) / 1000;
  watching = false;
  await watcher;
  stop.abort();
  const result = await running;
  process.stderr.write(
    `[${name}] offered ${offered} changes, applied ${result.summary.events} events in ${result.summary.batches} batches\n`,
  );
  // Integrity under load: every target row equals its source row through the mapping.
  const expected = new Map(
    (await sql.rows('SELECT id, first_name, last_name FROM contacts')).map((r) => [Number(r.id), `${r.first_name} ${r.last_name}`]),
  );
  const actual = await tsql.rows('SELECT id, name FROM people');
  const mismatches = actual.filter((r) => expected.get(Number(r.id)) !== r.name).length + Math.abs(expected.size - actual.length);
  process.stderr.write(`[${name}] rows differing from the source: ${mismatches}\n`);
  const sorted = [...lags].sort((a, b) => a - b);
  for (const w of writers) await w.close();
  await sql.close();
  await tsql.close();
  await state.close();
  await source.close();
  await target.close();
  await rm(dir, { recursive: true, force: true });
  return {
    source: name,
    offeredPerSecond: offered / ((writerEnd - started) / 1000),
    appliedPerSecond: result.summary.events / ((writerEnd - started) / 1000 + drainSeconds),
    lagP50: pct(sorted, 0.5),
    lagP99: pct(sorted, 0.99),
    drainSeconds,
    status: result.summary,
  };
}

const results: BenchResult[] = [];
const pgServer = await startPostgres();
try {
  for (const name of values.sources.split(',')) {
    if (name === 'postgres') {
      const admin = await sqlClient(pgServer.url);
      await admin.run('DROP DATABASE IF EXISTS bench_source WITH (FORCE)');
      await admin.run('CREATE DATABASE bench_source');
      await admin.close();
      results.push(await bench('postgres', pgServer.url.replace(/\/postgres$/, '/bench_source'), pgServer.url));
    } else if (name === 'mariadb') {
      const my = await startMariadb();
      try {
        const admin = await sqlClient(my.url);
        await admin.run('CREATE DATABASE bench_source');
        await admin.close();
        results.push(await bench('mariadb', my.url.replace(/\/mysql$/, '/bench_source'), pgServer.url));
      } finally {
        await my.stop();
      }
    }
  }
} finally {
  await pgServer.stop();
}
process.stdout.write(
  '| source → PostgreSQL | offered changes/s | applied changes/s | lag p50 (s) | lag p99 (s) | drain after stop (s) |\n|---|---|---|---|---|---|\n',
);
for (const r of results) {
  process.stdout.write(
    `| ${r.source} | ${r.offeredPerSecond.toFixed(0)} | ${r.appliedPerSecond.toFixed(0)} | ${r.lagP50.toFixed(3)} | ${r.lagP99.toFixed(3)} | ${r.drainSeconds.toFixed(2)} |\n`,
  );
}
