import type { Command } from '@commander-js/extra-typings';
import Table from 'cli-table3';
import { openProjectState } from '../project-paths.js';
import { runAction } from '../run-action.js';

/** `crmbridge conflicts [run] [--json]`: the two-way sync conflicts, newest first, with both values and the resolution. */
export function registerConflicts(program: Command): void {
  program
    .command('conflicts')
    .description('List two-way sync conflicts: record, field, both values and how sync.conflict resolved them')
    .argument('[run]', 'only the conflicts of this run')
    .option('-p, --project <file>', 'project file', 'crmbridge.yaml')
    .option('--limit <n>', 'show at most this many', '100')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (runId, opts) => {
        const state = await openProjectState(opts.project);
        try {
          const conflicts = await state.listConflicts({ ...(runId ? { runId } : {}), limit: Number(opts.limit) });
          if (opts.json) {
            process.stdout.write(`${JSON.stringify(conflicts, null, 2)}\n`);
            return 0;
          }
          const table = new Table({
            head: ['run', 'object', 'key', 'field', 'source value', 'target value', 'resolution', 'at'],
            style: { head: [], border: [] },
          });
          for (const c of conflicts) {
            table.push([c.runId, c.object, c.sourceKey, c.field, c.sourceValue ?? 'NULL', c.targetValue ?? 'NULL', c.resolution, c.at]);
          }
          process.stdout.write(`${table.toString()}\n`);
          return 0;
        } finally {
          await state.close();
        }
      }),
    );
}
