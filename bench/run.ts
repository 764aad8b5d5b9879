import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildCrmbridge } from './lib/crmbridge-cli.js';
import { rowsTable, runsTable, type SuiteResult } from './lib/results.js';
import { csvToPostgres } from './migrate/csv-to-postgres.js';
import { type MariadbTool, mariadbToPostgres } from './migrate/mariadb-to-postgres.js';
import { sqliteToSqlite } from './migrate/sqlite-to-sqlite.js';

/**
 * `npm run bench -- [--contacts 1000000] [--suites mariadb,csv,sqlite] [--memory-factor 3] [--profile]`
 *
 * Runs the migration benchmarks and prints their tables as markdown (for BENCHMARKS.md); the
 * full results go to bench/out/results-<time>.json. --memory-factor F reruns crmbridge alone on
 * F × the contacts, to show whether its peak memory grows with the size of the tables.
 */
const SUITES = ['mariadb', 'csv', 'sqlite'] as const;
type Suite = (typeof SUITES)[number];

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '1000000' },
    suites: { type: 'string', default: SUITES.join(',') },
    tools: { type: 'string', default: 'native,drivers,pgloader,crmbridge' },
    'memory-factor': { type: 'string', default: '0' },
    profile: { type: 'boolean', default: false },
  },
});

const contacts = Number(values.contacts);
if (!Number.isSafeInteger(contacts) || contacts < 1) throw new Error(`--contacts must be a positive integer, got ${values.contacts}`);
const suites = values.suites.split(',').map((s) => s.trim());
for (const s of suites) if (!(SUITES as readonly string[]).includes(s)) throw new Error(`unknown suite ${s}; known: ${SUITES.join(', ')}`);
const tools = values.tools.split(',').map((t) => t.trim()) as MariadbTool[];
const memoryFactor = Number(values['memory-factor']);

const out = fileURLToPath(new URL('./out/', import.meta.url));
await mkdir(out, { recursive: true });
const build = await buildCrmbridge();
const header = [
  `date ${new Date().toISOString()}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
  `crmbridge ${build.commit}${build.workingTreeDiffers ? ' (committed src; the working tree has uncommitted changes, not measured)' : ''}`,
  ...(build.typeErrors ? [`note: that commit has type errors tsc still emits past:\n${build.typeErrors}`] : []),
];
process.stdout.write(`${header.join('\n')}\n`);

const results: SuiteResult[] = [];
const runSuite = async (suite: Suite, size: number, suiteTools: readonly MariadbTool[], profile: boolean): Promise<SuiteResult> => {
  const workDir = join(out, `${suite}-${size}`);
  if (suite === 'mariadb') return mariadbToPostgres({ contacts: size, tools: suiteTools, build, workDir, profile });
  if (suite === 'csv') return csvToPostgres({ contacts: size, build, workDir });
  return sqliteToSqlite({ contacts: size, build, workDir });
};
const report = (r: SuiteResult) => {
  process.stdout.write(
    `\n## ${r.suite}, ${r.contacts.toLocaleString('en-US')} contacts (generated in ${r.generateSeconds.toFixed(0)} s)\n\n${runsTable(r)}\n\n${rowsTable(r)}\n`,
  );
  if (r.notes.length > 0) process.stdout.write(`\n${r.notes.join('\n')}\n`);
};

for (const suite of suites as Suite[]) {
  const r = await runSuite(suite, contacts, tools, values.profile);
  results.push(r);
  report(r);
}
if (memoryFactor > 1 && suites.includes('mariadb')) {
  const r = await runSuite('mariadb', contacts * memoryFactor, ['crmbridge'], false);
  results.push(r);
  report(r);
}
const file = join(out, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, `${JSON.stringify({ header, results }, null, 2)}\n`);
process.stdout.write(`\nresults: ${file}\n`);
