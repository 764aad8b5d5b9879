import type { Command } from '@commander-js/extra-typings';
import { openConnector } from '../../connectors/registry.js';
import { runAction } from '../run-action.js';

export function registerSample(program: Command): void {
  program
    .command('sample')
    .description('Generate the sample legacy CRM (SugarCRM-style, with realistic dirt) into a database or as CSV exports')
    .argument('<target>', 'sqlite:legacy.db, postgres://…, mysql://…, or with --csv a folder')
    .option('--contacts <n>', 'number of contacts (accounts, opportunities and activities scale with it)', '1000')
    .option('--seed <n>', 'random seed: the same seed gives the same data, byte for byte', '42')
    .option('--csv', "write the CRM's CSV exports (human headers, $25,000.00, 11/24/2026 dates) into the folder")
    .action(
      runAction(async (target, opts) => {
        const options = { contacts: Number(opts.contacts), seed: Number(opts.seed) };
        // Loaded here, not with the CLI: its word lists would otherwise stay in the memory of
        // every command, migrate's main thread included.
        const { writeLegacyCrm, writeLegacyCrmCsvExport } = await import('../../sample/index.js');
        if (opts.csv) {
          await writeLegacyCrmCsvExport(target, options);
          process.stdout.write(`Wrote the CSV exports of ${options.contacts} contacts to ${target}\n`);
          return 0;
        }
        const connector = await openConnector(target);
        try {
          const writer = await connector.writer();
          const { written } = await writeLegacyCrm(writer, options);
          await writer.close();
          const total = Object.values(written).reduce((a, b) => a + b, 0);
          process.stdout.write(`Wrote ${total} rows in ${Object.keys(written).length} tables to ${connector.displayName}\n`);
          return 0;
        } finally {
          await connector.close();
        }
      }),
    );
}
