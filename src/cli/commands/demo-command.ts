import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '@commander-js/extra-typings';
import { openConnector } from '../../connectors/registry.js';
import { analyze } from '../../schema/analyze.js';
import { writePrivateFile } from '../private-files.js';
import { stateFolder } from '../project-paths.js';
import { runAction } from '../run-action.js';
import { MIGRATE_EXIT, runMigrate } from './migrate-command.js';
import { runVerify } from './verify-command.js';

/** The shipped mapping: `examples/` sits three folders above this file in src/ and in dist/ alike. */
/** The demo profiles a sample of each table: it shows what analyze finds without the full cost. */
const PROFILE_ROWS = 20_000;

const SHIPPED_MAPPING = fileURLToPath(new URL('../../../examples/legacy-to-modern/crmbridge.yaml', import.meta.url));

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Generate a sample legacy CRM in SQLite, analyse it, migrate it to the modern CRM model and verify it (no servers)')
    .option('--dir <folder>', 'where the demo writes its files (recreated)', 'demo-out')
    .option('--contacts <n>', 'sample size', '50000')
    .option('--verify', 'finish by verifying the target against the source through the mapping (about half the migration time again)')
    .action(
      runAction(async (opts) => {
        const dir = resolve(opts.dir);
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        const step = (text: string) => process.stdout.write(`\n== ${text}\n`);
        const steps = opts.verify ? 5 : 4;

        step(`1/${steps} Generating the sample legacy CRM (${opts.contacts} contacts) into ${join(opts.dir, 'legacy.db')}`);
        // Loaded on use, not with the CLI (see sample-command.ts).
        const { writeLegacyCrm } = await import('../../sample/index.js');
        const legacy = await openConnector(`sqlite:${join(dir, 'legacy.db')}`);
        const writer = await legacy.writer();
        const { written } = await writeLegacyCrm(writer, { contacts: Number(opts.contacts), seed: 42 });
        await writer.close();
        process.stdout.write(
          `${Object.entries(written)
            .map(([t, n]) => `${t} ${n}`)
            .join(', ')}\n`,
        );

        step(`2/${steps} Analysing it (column profiles on the first ${PROFILE_ROWS} rows of each table)`);
        const project = join(dir, 'crmbridge.yaml');
        const analysis = await analyze(legacy, { sampleRows: PROFILE_ROWS });
        await legacy.close();
        await writePrivateFile(join(stateFolder(project), 'analysis.json'), `${JSON.stringify(analysis, null, 2)}\n`);
        process.stdout.write(
          `${analysis.tables.length} tables; ${analysis.relationships.length} references (${analysis.relationships.filter((r) => r.kind !== 'declared').length} inferred), ` +
            `${analysis.joinTables.length} join tables, ${analysis.polymorphic.length} polymorphic links\n`,
        );

        step(`3/${steps} Using the shipped mapping examples/legacy-to-modern/crmbridge.yaml`);
        await copyFile(SHIPPED_MAPPING, project);

        step(`4/${steps} Migrating to the modern CRM model in ${join(opts.dir, 'modern.db')}`);
        const migrated = await runMigrate({ project });
        // The sample's dirt is planted on purpose, so its rejects are what the demo shows: a run that
        // accounted for every row (with rejects) is the demo working; `migrate` itself still exits 3.
        const demoWorked = migrated === 0 || migrated === MIGRATE_EXIT.completed_with_rejects;
        if (!demoWorked || !opts.verify) {
          if (!opts.verify) process.stdout.write(`Prove it: npx crmbridge verify -p ${join(opts.dir, 'crmbridge.yaml')}\n`);
          return demoWorked ? 0 : migrated;
        }
        step(`5/${steps} Verifying: the target against the source seen through the mapping`);
        return runVerify({ project, limit: '5' });
      }),
    );
}
