import type { Command } from '@commander-js/extra-typings';
import Table from 'cli-table3';
import { openProjectState } from '../project-paths.js';
import { runAction } from '../run-action.js';

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('List runs with their status, ledger and duration')
    .argument('[run]', 'show one run in detail')
    .option('-p, --project <file>', 'project file', 'crmbridge.yaml')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (runId, opts) => {
        const state = await openProjectState(opts.project);
        try {
          const runs = runId ? [await state.getRun(runId)].filter((r) => r !== undefined) : await state.listRuns(50);
          const withLedger = await Promise.all(runs.map(async (r) => ({ ...r, ledger: await state.getLedger(r.id) })));
          if (opts.json) {
            process.stdout.write(`${JSON.stringify(withLedger, null, 2)}\n`);
            return 0;
          }
          const table = new Table({
            head: ['run', 'kind', 'status', 'started', 'seconds', 'read', 'written', 'rejected', 'filtered'],
            style: { head: [], border: [] },
          });
          for (const r of withLedger) {
            const sum = (k: 'read' | 'created' | 'updated' | 'unchanged' | 'rejected' | 'filtered') =>
              r.ledger.reduce((n, l) => n + l[k], 0);
            const seconds = r.finishedAt ? ((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1) : '';
            table.push([
              r.id,
              `${r.kind}${r.dryRun ? ' (dry)' : ''}`,
              r.status,
              r.startedAt,
              seconds,
              sum('read'),
              sum('created') + sum('updated'),
              sum('rejected'),
              sum('filtered'),
            ]);
          }
          process.stdout.write(`${table.toString()}\n`);
          if (runId)
            for (const r of withLedger)
              for (const l of r.ledger) process.stdout.write(`  ${l.object}: ${JSON.stringify({ ...l, runId: undefined })}\n`);
          return 0;
        } finally {
          await state.close();
        }
      }),
    );
}
