/**
 * `crmbridge verify` against the migration it checks: the sample legacy CRM generated into a
 * throwaway MariaDB, migrated into a throwaway PostgreSQL with the shipped mapping (timed), then
 * verified as migrated (must be equal), then 10 differences planted in the target across several
 * objects (changed fields, deleted rows, extra rows) and verified again: exactly those 10 must be
 * reported. Both crmbridge commands run as the CLI of the committed HEAD (bench/lib/crmbridge-cli).
 *
 *   npx tsx bench/verify/verify-bench.ts [--contacts 100000]
 *
 * The issue's size is --contacts 1000000 (1.4M rows); the default is a tenth of it.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startMariadb } from '../../test/setup/mariadb-server.js';
import { startPostgres } from '../../test/setup/postgres-server.js';
import { buildCrmbridge, type CrmbridgeBuild, runMigrateCli } from '../lib/crmbridge-cli.js';
import { type Measured, measureCommand } from '../lib/measure.js';
import { countRows, freshDatabase, withClient } from '../lib/postgres-admin.js';
import { writeShippedProject } from '../lib/project-file.js';
import { generate, LEGACY_DB } from '../migrate/mariadb-to-postgres.js';

const { values } = parseArgs({ options: { contacts: { type: 'string', default: '100000' } } });
const contacts = Number(values.contacts);
if (!Number.isSafeInteger(contacts) || contacts < 100)
  throw new Error(`--contacts must be an integer of at least 100, got ${values.contacts}`);

const log = (text: string) => process.stderr.write(`[verify] ${text}\n`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** One reported difference, as the bench plants it and as the verify report lists it. */
type Difference = `${string} ${'missing' | 'extra' | 'changed'} ${string}`;

/**
 * The planted differences, each one SQL statement on the migrated target that returns the key it
 * touched. Deletes and copies stay on tables nothing references (notes, company_people), so no
 * foreign key refuses them; a copy gets a fresh uuid and keeps every other value.
 */
const PLANTS: readonly { object: string; kind: 'missing' | 'extra' | 'changed'; field?: string; sql: string }[] = [
  ...(['first_name', 'last_name', 'job_title'] as const).map((field, i) => ({
    object: 'people',
    kind: 'changed' as const,
    field,
    sql: `UPDATE people SET ${field} = 'planted ' || coalesce(${field}, '') WHERE id = (SELECT id FROM people ORDER BY id OFFSET ${100 + i * 37} LIMIT 1) RETURNING id`,
  })),
  {
    object: 'companies',
    kind: 'changed',
    field: 'name',
    sql: `UPDATE companies SET name = 'planted ' || coalesce(name, '') WHERE id = (SELECT id FROM companies ORDER BY id OFFSET 7 LIMIT 1) RETURNING id`,
  },
  {
    object: 'opportunities',
    kind: 'changed',
    field: 'name',
    sql: `UPDATE opportunities SET name = 'planted ' || coalesce(name, '') WHERE id = (SELECT id FROM opportunities ORDER BY id DESC OFFSET 3 LIMIT 1) RETURNING id`,
  },
  {
    object: 'notes',
    kind: 'missing',
    sql: 'DELETE FROM notes WHERE id = (SELECT id FROM notes ORDER BY id OFFSET 11 LIMIT 1) RETURNING id',
  },
  { object: 'notes', kind: 'missing', sql: 'DELETE FROM notes WHERE id = (SELECT id FROM notes ORDER BY id DESC LIMIT 1) RETURNING id' },
  {
    object: 'company_people',
    kind: 'missing',
    sql: 'DELETE FROM company_people WHERE id = (SELECT id FROM company_people ORDER BY id OFFSET 5 LIMIT 1) RETURNING id',
  },
  { object: 'notes', kind: 'extra', sql: copyRow('notes', 'OFFSET 42') },
  { object: 'companies', kind: 'extra', sql: copyRow('companies', 'OFFSET 3') },
];

/** A copy of one row of `table` under a new random uuid key. */
function copyRow(table: string, offset: string): string {
  return `INSERT INTO ${table} SELECT (jsonb_populate_record(NULL::${table}, to_jsonb(t) || jsonb_build_object('id', gen_random_uuid()))).*
            FROM (SELECT * FROM ${table} ORDER BY id ${offset} LIMIT 1) t RETURNING id`;
}

interface VerifyReport {
  readonly equal: boolean;
  readonly objects: readonly {
    readonly object: string;
    readonly status: string;
    readonly counts: { readonly target: number };
    readonly missing: readonly { key: readonly string[] }[];
    readonly extra: readonly { key: readonly string[] }[];
    readonly changed: readonly { key: readonly string[]; fields: readonly { field: string }[] }[];
  }[];
}

function reported(report: VerifyReport): Difference[] {
  return report.objects
    .flatMap((o) => [
      ...o.missing.map((r): Difference => `${o.object} missing ${r.key.join(',')}`),
      ...o.extra.map((r): Difference => `${o.object} extra ${r.key.join(',')}`),
      ...o.changed.map((r): Difference => `${o.object} changed ${r.key.join(',')} ${r.fields.map((f) => f.field).join(',')}`),
    ])
    .sort();
}

/** `crmbridge verify` as the CLI, timed; exit 1 (differences) is a result, not a failure. */
async function runVerifyCli(build: CrmbridgeBuild, project: string, report: string, env: NodeJS.ProcessEnv): Promise<Measured> {
  const command = `"${process.execPath}" "${build.cli}" verify -p "${project}" --scope all --report "${report}"; code=$?; [ $code -le 1 ] || exit $code`;
  return measureCommand('sh', ['-c', command], { env: { ...process.env, ...env } });
}

async function main(): Promise<void> {
  const workDir = fileURLToPath(new URL(`../out/verify-${contacts}/`, import.meta.url));
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const build = await buildCrmbridge();
  process.stdout.write(
    `date ${new Date().toISOString()}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${load()}\n` +
      `crmbridge ${build.commit}${build.workingTreeDiffers ? ' (committed src measured; the working tree differs)' : ''}\n`,
  );
  const [my, pgServer] = await Promise.all([startMariadb(), startPostgres()]);
  try {
    const admin = new URL(my.url);
    const sourceUrl = (password: string) =>
      `mysql://${decodeURIComponent(admin.username)}:${password}@${admin.hostname}:${admin.port}/${LEGACY_DB}`;
    await generate(my.url, sourceUrl(decodeURIComponent(admin.password)), contacts);
    const targetUrl = await freshDatabase(pgServer.url, 'modern');
    const project = await writeShippedProject(workDir, sourceUrl('${env:BENCH_MYSQL_PASSWORD}'), targetUrl);
    const env = { BENCH_MYSQL_PASSWORD: decodeURIComponent(admin.password) };

    log('migrate…');
    const migrated = await runMigrateCli(build, project, { env });
    const rows = Object.values(await countRows(targetUrl)).reduce((a, b) => a + b, 0);
    log(`migrated ${rows} rows in ${migrated.seconds.toFixed(1)} s; verify as migrated…`);
    const clean = await runVerifyCli(build, project, join(workDir, 'verify-clean.json'), env);
    const cleanReport = JSON.parse(await readFile(join(workDir, 'verify-clean.json'), 'utf8')) as VerifyReport;

    const planted: Difference[] = await withClient(targetUrl, async (client) => {
      const out: Difference[] = [];
      for (const p of PLANTS) {
        const result = await client.query<{ id: string }>(p.sql);
        if (result.rows.length !== 1) throw new Error(`planting ${p.object} ${p.kind} touched ${result.rows.length} rows`);
        out.push(`${p.object} ${p.kind} ${result.rows[0].id}${p.field ? ` ${p.field}` : ''}`);
      }
      return out.sort();
    });
    log(`planted ${planted.length} differences; verify…`);
    const tampered = await runVerifyCli(build, project, join(workDir, 'verify-planted.json'), env);
    const found = reported(JSON.parse(await readFile(join(workDir, 'verify-planted.json'), 'utf8')) as VerifyReport);
    const missed = planted.filter((d) => !found.includes(d));
    const spurious = found.filter((d) => !planted.includes(d));

    const row = (name: string, m: Measured, detail: string) =>
      `| ${name} | ${m.seconds.toFixed(1)} | ${(m.seconds / migrated.seconds).toFixed(2)} | ${m.peakRssMiB.toFixed(0)} | ${m.load.map((l) => l.toFixed(1)).join(' → ')} | ${detail} |`;
    process.stdout.write(
      [
        '',
        `## verify, ${contacts.toLocaleString('en-US')} contacts (${rows.toLocaleString('en-US')} target rows)`,
        '',
        '| run | seconds | × migrate | peak RSS MiB | load (1 min) | result |',
        '|---|---:|---:|---:|---|---|',
        row('migrate (shipped mapping)', migrated, 'completed'),
        row('verify, as migrated', clean, cleanReport.equal ? 'equal' : `NOT EQUAL: ${reported(cleanReport).slice(0, 5).join('; ')}`),
        row(
          'verify, 10 planted differences',
          tampered,
          missed.length + spurious.length === 0
            ? `exactly the ${planted.length} planted differences`
            : `MISSED ${missed.join('; ') || 'none'}; SPURIOUS ${spurious.slice(0, 5).join('; ') || 'none'} (${spurious.length})`,
        ),
        '',
      ].join('\n'),
    );
    if (!cleanReport.equal || missed.length + spurious.length > 0) process.exitCode = 1;
  } finally {
    await Promise.all([my.stop(), pgServer.stop()]);
  }
}

await main();
