import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { repair } from '../../engine/repair/repair.js';
import { lockProject } from '../command-lock.js';
import { openProject } from '../project-context.js';
import { stateFolder } from '../project-paths.js';
import { runAction } from '../run-action.js';
import { renderVerify, scopeOption, verifyExitCode, writeReport } from './verify-command.js';

export function registerRepair(program: Command): void {
  program
    .command('repair')
    .description(
      'Fix exactly what verify reports (insert missing, update differing rows), journalled so `crmbridge rollback <run>` undoes it; verifies again',
    )
    .option('-p, --project <file>', 'project file', 'crmbridge.yaml')
    .option('--object <names>', 'only these objects, comma-separated')
    .option('--delete-extra', 'also delete target rows that no source row maps to (of the --scope rows only)')
    .addOption(scopeOption())
    .option('--json', 'print the result as JSON')
    .option('--report <file>', 'JSON report file (default: .crmbridge/reports/<run>.json)')
    .option('--no-custom', 'refuse a mapping that runs custom transform code (a project file from an untrusted source)')
    .action(
      runAction(async (opts) => {
        const ctx = await openProject(opts.project, { custom: opts.custom });
        const lock = await lockProject(ctx, 'repair').catch(async (err: unknown) => {
          await ctx.close();
          throw err;
        });
        try {
          const result = await repair({
            plan: ctx.plan,
            source: await ctx.source(),
            target: await ctx.target(),
            state: ctx.state,
            transformContext: ctx.transformContext,
            deleteExtra: opts.deleteExtra ?? false,
            scope: opts.scope,
            ...(opts.object ? { objects: opts.object.split(',').map((s) => s.trim()) } : {}),
          });
          const report = opts.report ?? join(stateFolder(opts.project), 'reports', `${result.runId}.json`);
          await writeReport(report, result);
          if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          else {
            for (const o of result.objects) {
              process.stdout.write(
                `${o.object}: ${o.inserted} inserted, ${o.updated} updated, ${o.deleted} deleted${o.extraKept > 0 ? `, ${o.extraKept} extra kept (--delete-extra removes them)` : ''}\n`,
              );
            }
            process.stdout.write(`Repair run ${result.runId} (undo: crmbridge rollback ${result.runId}). After the repair:\n`);
            process.stdout.write(`${renderVerify(result.after, 20)}Report: ${report}\n`);
          }
          return lock.succeeded(verifyExitCode(result.after));
        } finally {
          await lock.release();
          await ctx.close();
        }
      }),
    );
}
