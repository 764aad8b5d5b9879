import type { Command } from '@commander-js/extra-typings';
import { type RollbackResult, rollback } from '../../engine/rollback.js';
import { withProjectLock } from '../command-lock.js';
import { openProject } from '../project-context.js';
import { runAction } from '../run-action.js';

/** Kept rows listed one per line; past this many, the rest are counted and left to `crmbridge rejects`. */
const LISTED = 50;

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description(
      'Return the target to its state before a run and drop the tables it created (rows changed since, or still referenced, are reported and kept)',
    )
    .argument('<run>', 'run id (see `crmbridge runs`)')
    .option('-p, --project <file>', 'project file', 'crmbridge.yaml')
    .option('--force', 'also overwrite or delete rows that were changed after the run')
    .option('--keep-tables', 'keep the tables the run created (by default they are dropped once empty)')
    .action(
      runAction(async (runId, opts) => {
        const ctx = await openProject(opts.project);
        try {
          const result = await withProjectLock(ctx, 'rollback', async () =>
            rollback({
              runId,
              target: await ctx.target(),
              state: ctx.state,
              force: opts.force ?? false,
              keepTables: opts.keepTables ?? false,
            }),
          );
          process.stdout.write(render(result));
          return result.kept.length > 0 && !result.alreadyRolledBackAt ? 1 : 0;
        } finally {
          await ctx.close();
        }
      }),
    );
}

function render(result: RollbackResult): string {
  const lines: string[] = [];
  if (result.alreadyRolledBackAt) {
    lines.push(
      `Nothing to do: run ${result.runId} was rolled back at ${result.alreadyRolledBackAt} (rollback run ${result.rollbackRunId}).`,
    );
    if (result.kept.length > 0) lines.push(`${result.kept.length} rows were kept then: see \`crmbridge rejects ${result.rollbackRunId}\`.`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`Rolled back run ${result.runId}: ${result.restored} rows restored.`);
  for (const t of result.droppedTables) lines.push(`  dropped table ${t} (created by the run)`);
  for (const t of result.keptTables) lines.push(`  kept table ${t} (created by the run; it still holds rows, or --keep-tables)`);
  for (const k of result.kept.slice(0, LISTED)) lines.push(`  kept ${k.table} ${k.key}: ${k.detail}`);
  if (result.kept.length > LISTED) lines.push(`  … and ${result.kept.length - LISTED} more: \`crmbridge rejects ${result.rollbackRunId}\``);
  if (result.kept.length > 0) {
    lines.push(
      `${result.kept.length} rows were kept (changed since the run, or referenced by rows the run did not create, and the rows they reference); the rest is rolled back.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
