import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { CrmError, type ErrorCode } from '../../core/errors/index.js';
import { migrate, type ObjectResult } from '../../engine/migrate/migrate.js';
import type { RunStatus, StateStore } from '../../state/state-store.js';
import { lockProject } from '../command-lock.js';
import { migrateWorkers } from '../migrate-workers.js';
import { prepareTarget } from '../prepare-target.js';
import { writePrivateFile } from '../private-files.js';
import { openProject } from '../project-context.js';
import { stateFolder } from '../project-paths.js';
import { htmlReport } from '../render/html-report.js';
import { ledgerTable } from '../render/ledger-table.js';
import { type ProgressMode, progressReporter } from '../render/progress.js';
import { runAction } from '../run-action.js';
import { checkPlan } from './plan-command.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Copy the source into the target through the mapping; every source row is accounted for')
    .option('-p, --project <file>', 'project file', 'crmbridge.yaml')
    .option('--dry-run', 'write nothing to the target; predict the counts of the real run')
    .option('--resume', 'continue the last unfinished run of this plan from its checkpoints')
    .option('--retry-rejects [run]', 'load only the rows a run rejected (default: the latest run), after fixing the mapping')
    .option('--max-errors <n>', 'stop cleanly when more rows than this are rejected')
    .option('--max-error-ratio <r>', 'stop cleanly when the share of rejected rows exceeds this (0–1)')
    .option('--json', 'print the run as a stream of JSON events')
    .option('--report <file>', 'HTML report file (default: .crmbridge/reports/<run>.html)')
    .option('--no-custom', 'refuse a mapping that runs custom transform code (a project file from an untrusted source)')
    .action(runAction(runMigrate));
}

export interface MigrateCommandOptions {
  project: string;
  dryRun?: boolean;
  resume?: boolean;
  retryRejects?: string | true;
  maxErrors?: string;
  maxErrorRatio?: string;
  json?: boolean;
  report?: string;
  /** false (`--no-custom`): refuse a mapping that runs custom module code. */
  custom?: boolean;
}

/**
 * Exit codes of `crmbridge migrate`: 0 completed (no rejects, or within a declared maxErrors /
 * maxErrorRatio); 3 completed with rejects (every row accounted for, some not loaded); 1
 * incomplete, stopped at a threshold, or failed; 2 the command could not run (a `[CRM_…]` error,
 * e.g. CRM_E6018 when another command holds the project).
 */
export const MIGRATE_EXIT: Readonly<Record<RunStatus, number>> = {
  completed: 0,
  completed_with_rejects: 3,
  incomplete: 1,
  stopped: 1,
  failed: 1,
  interrupted: 1,
  running: 1,
};

/** `crmbridge migrate`: pre-flight, prepare the target, run, print the ledger, write the report. Returns the exit code. */
export async function runMigrate(opts: MigrateCommandOptions): Promise<number> {
  const ctx = await openProject(opts.project, { custom: opts.custom !== false });
  const lock = await lockProject(ctx, 'migrate').catch(async (err: unknown) => {
    await ctx.close();
    throw err;
  });
  try {
    const source = await ctx.source();
    const target = await ctx.target();
    const problems = await checkPlan(ctx.plan, source, target, opts.project, ctx.transformContext);
    for (const p of problems)
      process.stderr.write(`${p.severity}: [${p.code}] ${p.object ?? ''}${p.field ? `.${p.field}` : ''}: ${p.message}\n`);
    const blocking = problems.filter((p) => p.severity === 'error');
    if (blocking.length > 0) {
      throw new CrmError(
        blocking[0].code as ErrorCode,
        `pre-flight found ${blocking.length} problem(s), nothing was written; fix them and run again (\`crmbridge plan\` lists them)`,
      );
    }
    const prepared = await prepareTarget(ctx.plan, source, target, { dryRun: opts.dryRun ?? false });
    const mode: ProgressMode = opts.json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain';
    // Catalog row estimates (cheap; no count(*) over big tables) give the ETA per object.
    const sourceTables = await source.introspect({ tables: [...new Set(ctx.plan.objects.map((o) => o.source.table))] });
    const estimates = new Map(
      ctx.plan.objects.flatMap((o) => {
        const estimate = sourceTables.tables.find((t) => t.name === o.source.table)?.rowEstimate;
        return estimate ? [[o.name, estimate] as const] : [];
      }),
    );
    const progress = progressReporter(mode, estimates);
    // Custom transform modules were imported by openProject and are, by path, again in each worker thread.
    const { customModules } = ctx.transformContext;
    const result = await migrate({
      plan: ctx.plan,
      source,
      target,
      state: ctx.state,
      targetSchema: prepared.schema,
      missingTables: prepared.missing,
      completeAfterLoad: prepared.completeAfterLoad,
      createdTables: prepared.created,
      dryRun: opts.dryRun ?? false,
      resume: opts.resume ?? false,
      ...(opts.retryRejects ? { retryRejectsOf: opts.retryRejects === true ? await latestRunId(ctx.state) : opts.retryRejects } : {}),
      ...(opts.maxErrors !== undefined ? { maxErrors: Number(opts.maxErrors) } : {}),
      ...(opts.maxErrorRatio !== undefined ? { maxErrorRatio: Number(opts.maxErrorRatio) } : {}),
      onEvent: progress.onEvent,
      transformContext: { customModules },
      workers: migrateWorkers({
        ...ctx.endpoints,
        stateFolder: stateFolder(opts.project),
        ...(customModules.size > 0 ? { custom: ctx.custom } : {}),
      }),
    }).finally(progress.stop);
    const byReason = await ctx.state.countRejects(result.runId);
    const examples = await Promise.all(
      byReason.map(async (r) => ({
        ...r,
        examples: (await ctx.state.listRejects(result.runId, { object: r.object, reason: r.reason, limit: 3 })).map((x) => ({
          key: x.sourceKey,
          ...(x.field ? { field: x.field } : {}),
          ...(x.rawValue !== undefined ? { value: x.rawValue } : {}),
          message: x.message,
        })),
      })),
    );
    const reportPath = opts.report ?? join(stateFolder(opts.project), 'reports', `${result.runId}.html`);
    await writePrivateFile(reportPath, htmlReport(result, examples));
    if (!opts.json) {
      process.stdout.write(`${ledgerTable(result.objects)}\n`);
      for (const r of byReason) process.stdout.write(`  rejected ${r.object}: ${r.count} × ${r.reason}\n`);
      process.stdout.write(
        `Run ${result.runId} ${result.dryRun ? '(dry run) ' : ''}${result.status} in ${result.seconds.toFixed(1)} s. Report: ${reportPath}\n`,
      );
      for (const line of missingShares(result.objects)) process.stdout.write(`${line}\n`);
      if (result.status === 'completed_with_rejects')
        process.stdout.write('See `crmbridge rejects` and the report; fix the mapping, then `crmbridge migrate --retry-rejects`.\n');
      else if (result.status !== 'completed')
        process.stdout.write('See `crmbridge rejects` and the report; fix, then `crmbridge migrate --resume`.\n');
    }
    return lock.succeeded(MIGRATE_EXIT[result.status]);
  } finally {
    await lock.release();
    await ctx.close();
  }
}

/** One plain line per object some of whose rows did not arrive: how many of how many, and the share. */
export function missingShares(objects: readonly ObjectResult[]): string[] {
  return objects
    .filter((o) => o.ledger.rejected > 0)
    .map((o) => {
      const share = o.ledger.read === 0 ? 0 : (100 * o.ledger.rejected) / o.ledger.read;
      return `${o.object}: ${o.ledger.rejected} of ${o.ledger.read} rows (${share.toFixed(1)} %) rejected, not in the target`;
    });
}

async function latestRunId(state: StateStore): Promise<string> {
  const run = (await state.listRuns(20)).find((r) => r.kind === 'migrate' && !r.dryRun);
  if (!run) throw new CrmError('CRM_E6003', 'no earlier migrate run to retry the rejects of');
  return run.id;
}
