import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTablesDdl } from '../../src/connectors/postgres/postgres-ddl.js';
import { openConnector } from '../../src/connectors/registry.js';
import type { TableSchema } from '../../src/core/types.js';
import { writeLegacyCrm } from '../../src/sample/index.js';
import { startPostgres } from '../../test/setup/postgres-server.js';
import { type CrmbridgeBuild, runMigrateCli } from '../lib/crmbridge-cli.js';
import { type Measured, measureCommand } from '../lib/measure.js';
import { countRows, freshDatabase, indexCount } from '../lib/postgres-admin.js';
import { writeIdentityProject } from '../lib/project-file.js';
import { type SuiteResult, sum, type ToolRun } from '../lib/results.js';

/** The object tables the comparison loads: the three largest people-facing ones. */
const TABLES = ['accounts', 'contacts', 'opportunities'] as const;
const log = (text: string) => process.stderr.write(`[csv→postgres] ${text}\n`);

/**
 * CSV files written by the csv connector (canonical text, NULL as an unquoted empty field, as
 * PostgreSQL's CSV format reads them) loaded into PostgreSQL by `psql \copy` and by crmbridge
 * with a column-for-column mapping: the cost of crmbridge's CSV reading and PostgreSQL writing.
 */
export async function csvToPostgres(options: { contacts: number; build: CrmbridgeBuild; workDir: string }): Promise<SuiteResult> {
  await rm(options.workDir, { recursive: true, force: true });
  const folder = join(options.workDir, 'csv');
  await mkdir(folder, { recursive: true });
  const server = await startPostgres();
  try {
    log(`generating the legacy CRM (${options.contacts.toLocaleString('en-US')} contacts) as CSV…`);
    const started = performance.now();
    const files = await openConnector(folder);
    let schema: readonly TableSchema[];
    let sourceRows: Record<string, number>;
    try {
      const writer = await files.writer();
      const { written } = await writeLegacyCrm(writer, { contacts: options.contacts, seed: 42 });
      await writer.close();
      sourceRows = Object.fromEntries(TABLES.map((t) => [t, written[t]]));
      schema = (await files.introspect({ tables: TABLES })).tables;
    } finally {
      await files.close();
    }
    const generateSeconds = (performance.now() - started) / 1000;
    const runs: ToolRun[] = [];

    log('psql \\copy…');
    const nativeUrl = await freshDatabase(server.url, 'native_csv');
    runs.push(await toolRun('native: psql \\copy', await copyFiles(schema, folder, nativeUrl, join(options.workDir, 'native')), nativeUrl));

    log('crmbridge…');
    const url = await freshDatabase(server.url, 'crmbridge_csv');
    const dir = join(options.workDir, 'crmbridge');
    await mkdir(dir, { recursive: true });
    const tables = schema.map((t) => ({ table: t.name, key: 'id', columns: t.columns.map((c) => c.name) }));
    const project = await writeIdentityProject(dir, folder, url, tables);
    runs.push(await toolRun('crmbridge (column for column)', await runMigrateCli(options.build, project), url));

    return { suite: 'csv-to-postgres', contacts: options.contacts, sourceRows, generateSeconds, runs, baseline: runs[0].tool, notes: [] };
  } finally {
    await server.stop();
  }
}

/** One psql session per table, one after another: create without keys, \copy, then the primary key. */
async function copyFiles(schema: readonly TableSchema[], folder: string, url: string, dir: string): Promise<Measured> {
  await mkdir(dir, { recursive: true });
  const bare = schema.map((t) => ({ ...t, primaryKey: [], uniqueKeys: [], indexes: [], foreignKeys: [] }));
  const statements = [
    ...createTablesDdl('public', bare, { ifNotExists: false, foreignKeys: false }).map((s) => `${s};`),
    ...schema.flatMap((t) => [
      `\\copy "${t.name}" FROM '${join(folder, `${t.name}.csv`)}' WITH (FORMAT csv, HEADER true)`,
      `ALTER TABLE "${t.name}" ADD PRIMARY KEY ("id");`,
    ]),
  ];
  const script = join(dir, 'load.sql');
  await writeFile(script, `${statements.join('\n')}\n`);
  return measureCommand('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', script]);
}

async function toolRun(tool: string, measured: Measured, url: string): Promise<ToolRun> {
  const rowsPerTable = await countRows(url);
  return {
    tool,
    seconds: measured.seconds,
    rows: sum(rowsPerTable),
    rowsPerTable,
    peakRssMiB: measured.peakRssMiB,
    cpuSeconds: measured.cpuSeconds,
    load: measured.load,
    indexes: await indexCount(url),
  };
}
