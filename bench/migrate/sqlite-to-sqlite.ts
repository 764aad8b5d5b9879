import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openConnector } from '../../src/connectors/registry.js';
import { writeLegacyCrm } from '../../src/sample/index.js';
import { type CrmbridgeBuild, runMigrateCli } from '../lib/crmbridge-cli.js';
import { writeShippedProject } from '../lib/project-file.js';
import { type SuiteResult, sum } from '../lib/results.js';

const log = (text: string) => process.stderr.write(`[sqlite→sqlite] ${text}\n`);

/**
 * The demo's path, timed: the sample legacy CRM in SQLite through the shipped mapping into a new
 * SQLite file. No servers and no network, so this is crmbridge's own throughput: reading,
 * transforms, lookups, id maps and bookkeeping.
 */
export async function sqliteToSqlite(options: { contacts: number; build: CrmbridgeBuild; workDir: string }): Promise<SuiteResult> {
  await rm(options.workDir, { recursive: true, force: true });
  await mkdir(options.workDir, { recursive: true });
  const legacy = join(options.workDir, 'legacy.db');
  log(`generating the legacy CRM (${options.contacts.toLocaleString('en-US')} contacts) into SQLite…`);
  const started = performance.now();
  const connector = await openConnector(`sqlite:${legacy}`);
  let sourceRows: Record<string, number>;
  try {
    const writer = await connector.writer();
    sourceRows = { ...(await writeLegacyCrm(writer, { contacts: options.contacts, seed: 42 })).written };
    await writer.close();
  } finally {
    await connector.close();
  }
  const generateSeconds = (performance.now() - started) / 1000;

  log('crmbridge…');
  const modern = join(options.workDir, 'modern.db');
  const project = await writeShippedProject(options.workDir, `sqlite:${legacy}`, `sqlite:${modern}`);
  const measured = await runMigrateCli(options.build, project);
  const rowsPerTable = countRows(modern);
  return {
    suite: 'sqlite-to-sqlite',
    contacts: options.contacts,
    sourceRows,
    generateSeconds,
    runs: [
      {
        tool: 'crmbridge (shipped mapping)',
        seconds: measured.seconds,
        rows: sum(rowsPerTable),
        rowsPerTable,
        peakRssMiB: measured.peakRssMiB,
        cpuSeconds: measured.cpuSeconds,
        load: measured.load,
      },
    ],
    notes: [],
  };
}

function countRows(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      name: string;
    }[];
    return Object.fromEntries(
      tables.map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]),
    );
  } finally {
    db.close();
  }
}
