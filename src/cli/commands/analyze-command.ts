import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { openConnector } from '../../connectors/registry.js';
import { analyze } from '../../schema/analyze.js';
import { renderAnalysis } from '../../schema/render-analysis.js';
import { writePrivateFile } from '../private-files.js';
import { stateFolder } from '../project-paths.js';
import { runAction } from '../run-action.js';

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('Profile a source: tables, types, keys, relationships, picklists and dirt')
    .argument('<source>', 'connection string: postgres://…, mysql://…, sqlite:path, a CSV/JSON file or folder')
    .option('--tables <names>', 'comma-separated tables to analyse (default: all)')
    .option('--sample <rows>', 'profile at most this many rows per table (estimates are marked as such)')
    .option('--json', 'print the analysis as JSON')
    .option('--project <file>', 'project file whose .crmbridge/ folder keeps the result', 'crmbridge.yaml')
    .action(
      runAction(async (source, opts) => {
        const connector = await openConnector(source);
        try {
          const result = await analyze(connector, {
            ...(opts.tables ? { tables: opts.tables.split(',').map((t) => t.trim()) } : {}),
            ...(opts.sample ? { sampleRows: Number(opts.sample) } : {}),
            onProgress:
              opts.json || !process.stderr.isTTY ? undefined : (table, rows) => process.stderr.write(`\ranalysing ${table}: ${rows} rows`),
          });
          if (!opts.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
          const saved = join(stateFolder(opts.project), 'analysis.json');
          await writePrivateFile(saved, `${JSON.stringify(result, null, 2)}\n`);
          process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderAnalysis(result)}\nSaved to ${saved}\n`);
          return 0;
        } finally {
          await connector.close();
        }
      }),
    );
}
