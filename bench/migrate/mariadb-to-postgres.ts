import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { createTablesDdl } from '../../src/connectors/postgres/postgres-ddl.js';
import { openConnector } from '../../src/connectors/registry.js';
import type { ColumnSchema, TableSchema } from '../../src/core/types.js';
import { LEGACY_TABLE_NAMES, legacyCrmSchema, writeLegacyCrm } from '../../src/sample/index.js';
import { startMariadb } from '../../test/setup/mariadb-server.js';
import { startPostgres } from '../../test/setup/postgres-server.js';
import { summariseProfiles } from '../lib/cpu-profile.js';
import { type CrmbridgeBuild, runMigrateCli } from '../lib/crmbridge-cli.js';
import { type Measured, measureCommand, run } from '../lib/measure.js';
import { countRows, freshDatabase, indexCount, withClient } from '../lib/postgres-admin.js';
import { writeShippedProject } from '../lib/project-file.js';
import { type SuiteResult, sum, type ToolRun } from '../lib/results.js';

export type MariadbTool = 'native' | 'drivers' | 'pgloader' | 'crmbridge';

export interface MariadbSuiteOptions {
  readonly contacts: number;
  readonly tools: readonly MariadbTool[];
  readonly build: CrmbridgeBuild;
  /** Scratch folder (recreated). */
  readonly workDir: string;
  /** Also profile one more crmbridge run with `node --cpu-prof`. */
  readonly profile: boolean;
}

export const LEGACY_DB = 'legacy';
const log = (text: string) => process.stderr.write(`[mariadb→postgres] ${text}\n`);

/**
 * The sample legacy CRM in a throwaway MariaDB, moved into a throwaway PostgreSQL three ways,
 * each into a fresh database and each ending with its tables, keys and indexes in place:
 * the native floor (mariadb | psql \copy, no transforms), pgloader with its defaults, and
 * crmbridge running the shipped mapping through its CLI.
 */
export async function mariadbToPostgres(options: MariadbSuiteOptions): Promise<SuiteResult> {
  await rm(options.workDir, { recursive: true, force: true });
  await mkdir(options.workDir, { recursive: true });
  const [my, pgServer] = await Promise.all([startMariadb(), startPostgres()]);
  try {
    const adminMy = new URL(my.url);
    const source = {
      host: adminMy.hostname,
      port: adminMy.port,
      user: decodeURIComponent(adminMy.username),
      password: decodeURIComponent(adminMy.password),
    };
    const sourceUrl = (password: string) => `mysql://${source.user}:${password}@${source.host}:${source.port}/${LEGACY_DB}`;
    const generateSeconds = await generate(my.url, sourceUrl(source.password), options.contacts);
    const sourceRows = await countSource(sourceUrl(source.password));
    const schema = await introspectSource(sourceUrl(source.password));
    const runs: ToolRun[] = [];
    const notes: string[] = [];

    if (options.tools.includes('native')) {
      const variants: ['sequential' | 'parallel', string][] = [
        ['sequential', 'native: one table after another'],
        ['parallel', 'native: all tables at once'],
      ];
      const native: ToolRun[] = [];
      for (const [mode, tool] of variants) {
        log(`${tool}…`);
        const url = await freshDatabase(pgServer.url, `native_${mode}`);
        const measured = await nativePipe(mode, schema, source, url, join(options.workDir, `native-${mode}`));
        native.push(await toolRun(tool, measured, url, 'public'));
      }
      native.sort((a, b) => a.seconds - b.seconds);
      runs.push(...native);
    }

    if (options.tools.includes('drivers')) {
      log('drivers floor…');
      const url = await freshDatabase(pgServer.url, 'drivers');
      const measured = await driverFloor(options.build, schema, sourceUrl(source.password), url, join(options.workDir, 'drivers'));
      runs.push(await toolRun("drivers: crmbridge's connectors, no mapping", measured, url, 'public'));
    }

    if (options.tools.includes('pgloader')) {
      log('pgloader…');
      const url = await freshDatabase(pgServer.url, 'pgloader');
      // A tool that fails is a result too (pgloader 3.6.7 exhausts its heap at 1M contacts): the
      // failure is recorded and the suite goes on, so the other tools' numbers are not lost.
      try {
        const { measured, version, errors } = await pgloader(sourceUrl(source.password), url, join(options.workDir, 'pgloader'));
        runs.push(await toolRun(version, measured, url, LEGACY_DB));
        if (errors) notes.push(`pgloader reported: ${errors}`);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        notes.push(`pgloader FAILED: ${message.split('\n').slice(0, 3).join(' / ')}`);
        log(`pgloader failed: ${message.split('\n')[1] ?? message}`);
      }
    }

    if (options.tools.includes('crmbridge')) {
      log('crmbridge…');
      const env = { BENCH_MYSQL_PASSWORD: source.password };
      const project = async (name: string) => {
        const url = await freshDatabase(pgServer.url, name);
        const dir = join(options.workDir, name);
        await mkdir(dir, { recursive: true });
        return { url, file: await writeShippedProject(dir, sourceUrl('${env:BENCH_MYSQL_PASSWORD}'), url) };
      };
      const timed = await project('crmbridge');
      const before = await serverCounters(sourceUrl(source.password), timed.url);
      runs.push(await toolRun('crmbridge (shipped mapping)', await runMigrateCli(options.build, timed.file, { env }), timed.url, 'public'));
      notes.push(counterNote(before, await serverCounters(sourceUrl(source.password), timed.url)));
      if (options.profile) {
        log('crmbridge, profiled…');
        const profiled = await project('crmbridge_profiled');
        const profileDir = join(options.workDir, 'profile');
        const result = await runMigrateCli(options.build, profiled.file, { env, profileDir });
        if (result.profiles?.length) notes.push(...profileNotes(await summariseProfiles(result.profiles), result));
      }
    }
    const baseline = options.tools.includes('native') ? runs[0].tool : undefined;
    return { suite: 'mariadb-to-postgres', contacts: options.contacts, sourceRows, generateSeconds, runs, baseline, notes };
  } finally {
    await Promise.all([my.stop(), pgServer.stop()]);
  }
}

/**
 * SuiteCRM's installer creates utf8mb4_general_ci tables; crmbridge's MariaDB writer would create
 * utf8mb4_nopad_bin ones, whose collation id (1070) pgloader 3.6 cannot decode ("1070 fell
 * through ECASE expression"). The legacy tables are therefore created as a real install has them,
 * and the generator then only inserts (its CREATE TABLE IF NOT EXISTS finds them in place).
 */
const SUITECRM_COLLATION = 'utf8mb4_general_ci';

/** Creates the `legacy` database and generates the sample legacy CRM into it; returns the seconds taken. */
export async function generate(adminUrl: string, url: string, contacts: number): Promise<number> {
  const admin = await mysql.createConnection(adminUrl);
  await admin.query(`CREATE DATABASE ${LEGACY_DB} CHARACTER SET utf8mb4 COLLATE ${SUITECRM_COLLATION}`);
  await admin.end();
  log(`generating the legacy CRM (${contacts.toLocaleString('en-US')} contacts) into MariaDB…`);
  const started = performance.now();
  const connector = await openConnector(url);
  try {
    const writer = await connector.writer();
    const ddl = writer
      .ddl(legacyCrmSchema(), { foreignKeys: false })
      .map((s) => s.replace(/COLLATE=utf8mb4_nopad_bin\b/, `COLLATE=${SUITECRM_COLLATION}`));
    if (!ddl.some((s) => s.includes(SUITECRM_COLLATION)))
      throw new Error('the MariaDB writer no longer names utf8mb4_nopad_bin: revisit SUITECRM_COLLATION');
    const conn = await mysql.createConnection(url);
    for (const statement of ddl) await conn.query(statement);
    await conn.end();
    await writeLegacyCrm(writer, { contacts, seed: 42 });
    await writer.close();
  } finally {
    await connector.close();
  }
  const seconds = (performance.now() - started) / 1000;
  log(`generated in ${seconds.toFixed(1)} s`);
  return seconds;
}

async function countSource(url: string): Promise<Record<string, number>> {
  const conn = await mysql.createConnection(url);
  try {
    const counts: Record<string, number> = {};
    for (const table of LEGACY_TABLE_NAMES) {
      const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${table}\``);
      counts[table] = Number(rows[0].n);
    }
    return counts;
  } finally {
    await conn.end();
  }
}

async function introspectSource(url: string): Promise<readonly TableSchema[]> {
  const connector = await openConnector(url);
  try {
    return (await connector.introspect({ tables: LEGACY_TABLE_NAMES })).tables;
  } finally {
    await connector.close();
  }
}

async function toolRun(tool: string, measured: Measured, url: string, schema: string): Promise<ToolRun> {
  const rowsPerTable = await countRows(url, schema);
  return {
    tool,
    seconds: measured.seconds,
    rows: sum(rowsPerTable),
    rowsPerTable,
    peakRssMiB: measured.peakRssMiB,
    cpuSeconds: measured.cpuSeconds,
    load: measured.load,
    indexes: await indexCount(url, schema),
  };
}

// ---------------------------------------------------------------------------------------------
// The native floor

/** Kinds MariaDB prints as text that may hold tabs, line breaks or backslashes. */
const STRING_KINDS = new Set(['text', 'uuid', 'enum', 'json']);
/** Kinds whose MariaDB text form PostgreSQL reads as it is (booleans as 0/1). */
const PLAIN_KINDS = new Set(['integer', 'bigint', 'decimal', 'float', 'boolean', 'date', 'time', 'timestamp', 'timestamptz']);

/**
 * The SELECT list that makes `mariadb --batch --raw` print PostgreSQL's COPY text format: in
 * batch mode NULL and the string 'NULL' print alike, so NULL becomes \N and backslash, tab and
 * line breaks are escaped in the server. That is encoding, not transformation: values arrive as stored.
 */
function selectExpression(column: ColumnSchema): string {
  const name = `\`${column.name}\``;
  if (STRING_KINDS.has(column.type.kind))
    return String.raw`IFNULL(REPLACE(REPLACE(REPLACE(REPLACE(${name}, '\\', '\\\\'), '\t', '\\t'), '\n', '\\n'), '\r', '\\r'), '\\N')`;
  if (PLAIN_KINDS.has(column.type.kind)) return String.raw`IFNULL(${name}, '\\N')`;
  throw new Error(`native pipe: no COPY text encoding for ${column.type.kind} column ${column.name}`);
}

const quote = (name: string) => `"${name}"`;

/**
 * The SQL files both floors use, in `dir`: create.sql (the tables without keys, as bulk loaders
 * create them) and per table its SELECT in COPY text form, its \copy and its keys and indexes.
 */
async function writeFloorScripts(schema: readonly TableSchema[], dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const bare = schema.map((t) => ({ ...t, primaryKey: [], uniqueKeys: [], indexes: [], foreignKeys: [] }));
  await writeFile(join(dir, 'create.sql'), `${createTablesDdl('public', bare, { ifNotExists: false, foreignKeys: false }).join(';\n')};\n`);
  for (const table of schema) {
    const columns = table.columns.map((c) => c.name);
    await writeFile(
      join(dir, `${table.name}.select.sql`),
      `SELECT ${table.columns.map(selectExpression).join(', ')} FROM \`${table.name}\`;\n`,
    );
    await writeFile(join(dir, `${table.name}.copy.sql`), `\\copy ${quote(table.name)} (${columns.map(quote).join(', ')}) FROM PSTDIN\n`);
    const keys = [
      ...(table.primaryKey.length > 0
        ? [`ALTER TABLE ${quote(table.name)} ADD PRIMARY KEY (${table.primaryKey.map(quote).join(', ')})`]
        : []),
      ...table.uniqueKeys.map((k) => `ALTER TABLE ${quote(table.name)} ADD UNIQUE (${k.map(quote).join(', ')})`),
      ...table.indexes.map(
        (i) =>
          `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${quote(`${table.name}_${i.name}`)} ON ${quote(table.name)} (${i.columns.map(quote).join(', ')})`,
      ),
    ];
    await writeFile(join(dir, `${table.name}.keys.sql`), `${keys.join(';\n')};\n`);
  }
}

/**
 * mariadb --quick piped into psql \copy, per table; tables are created first without keys (as
 * bulk loaders do), then each gets its primary key and indexes once loaded. `sequential` runs
 * the tables one after another, `parallel` all at once.
 */
async function nativePipe(
  mode: 'sequential' | 'parallel',
  schema: readonly TableSchema[],
  source: { host: string; port: string; user: string; password: string },
  targetUrl: string,
  dir: string,
): Promise<Measured> {
  await writeFloorScripts(schema, dir);
  const psql = 'psql -X -q -v ON_ERROR_STOP=1 -d "$TARGET_URL"';
  const mariadb = `mariadb --quick --batch --raw --skip-column-names --default-character-set=utf8mb4 -h ${source.host} -P ${source.port} -u ${source.user} ${LEGACY_DB}`;
  const jobs = schema.map((t) => `job ${t.name}`);
  const script = [
    'set -euo pipefail',
    `cd '${dir}'`,
    `job() { ${mariadb} < "$1.select.sql" | ${psql} -f "$1.copy.sql"; ${psql} -f "$1.keys.sql"; }`,
    `${psql} -f create.sql`,
    ...(mode === 'sequential' ? jobs : [...jobs.map((j) => `${j} & pids+=($!)`), 'for pid in "${pids[@]}"; do wait "$pid"; done']),
  ].join('\n');
  await writeFile(join(dir, 'load.sh'), `${script}\n`);
  return measureCommand('bash', [join(dir, 'load.sh')], {
    env: { ...process.env, MYSQL_PWD: source.password, TARGET_URL: targetUrl, PGCLIENTENCODING: 'UTF8' },
  });
}

// ---------------------------------------------------------------------------------------------
// The drivers' floor

const DRIVER_FLOOR_CHILD = fileURLToPath(new URL('./driver-floor-child.mjs', import.meta.url));

/**
 * crmbridge's own connectors with no mapping, state or journal: every table read through the
 * MariaDB connector and written through the PostgreSQL connector's COPY, all tables at once,
 * into the same bare tables as the native floor, keys and indexes added after. What a Node.js
 * tool with these drivers cannot go below; crmbridge's mapping and bookkeeping come on top.
 */
async function driverFloor(build: CrmbridgeBuild, schema: readonly TableSchema[], sourceUrl: string, targetUrl: string, dir: string) {
  await writeFloorScripts(schema, dir);
  const dist = dirname(dirname(build.cli));
  return measureCommand(process.execPath, [DRIVER_FLOOR_CHILD, dist, dir, ...schema.map((t) => t.name)], {
    env: { ...process.env, SOURCE_URL: sourceUrl, TARGET_URL: targetUrl },
  });
}

// ---------------------------------------------------------------------------------------------
// pgloader

/** Debian's pgloader with its defaults for a MySQL source (create tables, indexes, foreign keys, reset sequences). */
async function pgloader(
  sourceUrl: string,
  targetUrl: string,
  dir: string,
): Promise<{ measured: Measured; version: string; errors: string }> {
  await mkdir(dir, { recursive: true });
  const versionOutput = await run('pgloader', ['--version']);
  const version = /pgloader version "([^"]+)"/.exec(versionOutput.stdout)?.[1] ?? 'unknown';
  const loadFile = join(dir, 'legacy.load');
  await writeFile(loadFile, `LOAD DATABASE\n  FROM ${sourceUrl}\n  INTO ${targetUrl.replace(/^postgres:/, 'pgsql:')}\n;\n`);
  const measured = await measureCommand('pgloader', ['--root-dir', dir, '--no-ssl-cert-verification', loadFile]);
  // pgloader exits 0 even when rows were rejected: its summary's error column is the evidence.
  const errors = (measured.stdout + measured.stderr)
    .split('\n')
    .filter((l) => /\b(ERROR|FATAL)\b/.test(l))
    .slice(0, 5)
    .join(' / ');
  await writeFile(join(dir, 'output.txt'), measured.stdout + measured.stderr);
  return { measured, version: `pgloader ${version}`, errors };
}

// ---------------------------------------------------------------------------------------------
// What crmbridge asked of the servers

interface Counters {
  readonly mariadbSelects: number;
  readonly mariadbBytesSent: number;
  readonly pgCommits: number;
  readonly pgRowsFetched: number;
}

/**
 * Server-side counters around the crmbridge run: how many queries it sent to the source and how
 * many transactions and row fetches it caused in the target, i.e. its round trips per batch.
 */
async function serverCounters(mysqlUrl: string, pgUrl: string): Promise<Counters> {
  const conn = await mysql.createConnection(mysqlUrl);
  const [status] = await conn.query<mysql.RowDataPacket[]>("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_select', 'Bytes_sent')");
  await conn.end();
  const value = (name: string) => Number(status.find((r) => r.Variable_name === name)?.Value ?? 0);
  // Backends report their statistics when they finish, at most once a second.
  await new Promise((r) => setTimeout(r, 1500));
  const pgStats = await withClient(pgUrl, (client) =>
    client.query<{ xact_commit: string; tup_fetched: string }>(
      'SELECT xact_commit, tup_fetched FROM pg_stat_database WHERE datname = current_database()',
    ),
  );
  return {
    mariadbSelects: value('Com_select'),
    mariadbBytesSent: value('Bytes_sent'),
    pgCommits: Number(pgStats.rows[0].xact_commit),
    pgRowsFetched: Number(pgStats.rows[0].tup_fetched),
  };
}

function counterNote(before: Counters, after: Counters): string {
  const d = (k: keyof Counters) => (after[k] - before[k]).toLocaleString('en-US');
  return (
    `crmbridge run, server side: ${d('mariadbSelects')} SELECTs to MariaDB (${((after.mariadbBytesSent - before.mariadbBytesSent) / 2 ** 20).toFixed(0)} MiB sent), ` +
    `${d('pgCommits')} PostgreSQL transactions, ${d('pgRowsFetched')} PostgreSQL rows fetched`
  );
}

// ---------------------------------------------------------------------------------------------
// Profile

function profileNotes(summary: Awaited<ReturnType<typeof summariseProfiles>>, runResult: Measured): string[] {
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
  return [
    `profiled crmbridge run: ${runResult.seconds.toFixed(1)} s wall, ${(summary.totalMs / 1000).toFixed(1)} s sampled over ${summary.threads} threads (main + workers; idle counts per thread)`,
    'self time by area:',
    ...summary.areas.map((a) => `  ${pct(a.share).padStart(7)}  ${(a.ms / 1000).toFixed(1).padStart(6)} s  ${a.name}`),
    'top self-time functions:',
    ...summary.functions.map((f) => `  ${pct(f.share).padStart(7)}  ${(f.ms / 1000).toFixed(1).padStart(6)} s  ${f.name}`),
  ];
}
