import type { Command } from '@commander-js/extra-typings';
import { rollback } from '../../engine/rollback.js';
import { withProjectLock } from '../command-lock.js';
import { openProject } from '../project-context.js';
import { runAction } from '../run-action.js';

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description('Return the target to its state before a run (rows others changed since are reported and kept unless --force)')
    .argument('<run>', 'run id (see `crmbridge runs`)')
    .option('-p, --project <file>', 'project file', 'crmbridge.yaml')
    .option('--force', 'also overwrite rows that were changed after the run')
    .action(
      runAction(async (runId, opts) => {
        const ctx = await openProject(opts.project);
        try {
          const result = await withProjectLock(ctx, 'rollback', async () =>
            rollback({ runId, target: await ctx.target(), state: ctx.state, force: opts.force ?? false }),
          );
          process.stdout.write(`Rolled back run ${runId}: ${result.restored} rows restored.\n`);
          for (const c of result.conflicts) process.stdout.write(`  kept (changed since the run): ${c.table} ${c.key}\n`);
          if (result.conflicts.length > 0)
            process.stdout.write(
              `${result.conflicts.length} rows were changed after the run and left alone; use --force to overwrite them.\n`,
            );
          return result.conflicts.length > 0 ? 1 : 0;
        } finally {
          await ctx.close();
        }
      }),
    );
}
