import type { Command } from '@commander-js/extra-typings';
import type { Connector } from '../../connectors/contract.js';
import { CrmError } from '../../core/errors/index.js';
import type { DatabaseSchema } from '../../core/types.js';
import { surveyLookups } from '../../engine/lookup-survey.js';
import { planTransformContext } from '../../engine/migrate/migrate.js';
import { identifierProblems } from '../../mapping/plan/name-map.js';
import type { Plan, PlanProblem } from '../../mapping/plan/plan-types.js';
import { preflight } from '../../mapping/plan/preflight.js';
import { distinctValuesFromAnalysis } from '../preflight-inputs.js';
import { introspectTarget } from '../prepare-target.js';
import { openProject, type ProjectContext } from '../project-context.js';
import { runAction } from '../run-action.js';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('Compile crmbridge.yaml into the execution plan and run the pre-flight checks')
    .option('-p, --project <file>', 'project file', 'crmbridge.yaml')
    .option('--json', 'print the plan and the problems as JSON')
    .option('--offline', 'do not connect to the source and target (skip the schema checks)')
    .option('--no-custom', 'refuse a mapping that runs custom transform code (a project file from an untrusted source)')
    .action(
      runAction(async (opts) => {
        const ctx = await openProject(opts.project, { custom: opts.custom });
        try {
          const problems = opts.offline
            ? []
            : await checkPlan(ctx.plan, await ctx.source(), await ctx.target(), opts.project, ctx.transformContext);
          // Lookups are surveyed only when the schema checks found no error (their tables and columns exist).
          if (!opts.offline && !problems.some((p) => p.severity === 'error'))
            problems.push(...(await surveyLookups(await ctx.source(), ctx.plan)));
          if (opts.json) process.stdout.write(`${JSON.stringify({ plan: ctx.plan, problems }, null, 2)}\n`);
          else process.stdout.write(renderPlan(ctx.plan, problems));
          return problems.some((p) => p.severity === 'error') ? 1 : 0;
        } finally {
          await ctx.close();
        }
      }),
    );
}

/** Pre-flight against the live schemas: the source must exist; the target may not exist yet. */
export async function checkPlan(
  plan: Plan,
  source: Connector,
  target: Connector,
  projectFile: string,
  transformContext: ProjectContext['transformContext'],
): Promise<PlanProblem[]> {
  const sourceSchema = await source
    .introspect({ tables: [...new Set(plan.objects.flatMap((o) => [o.source.table, ...o.source.joins.map((j) => j.table)]))] })
    .catch((err: unknown) => {
      if (err instanceof CrmError && err.code === 'CRM_S3001') return { tables: [] };
      throw err;
    });
  const targetSchema = await introspectTarget(target, plan);
  const distinctValues = distinctValuesFromAnalysis(projectFile);
  const filterProblems = await checkFilters(plan, source, sourceSchema);
  return [
    ...filterProblems,
    ...identifierProblems(plan, target.capabilities.maxIdentifierLength),
    ...preflight(plan, {
      source: sourceSchema,
      target: targetSchema,
      ...(distinctValues ? { distinctValues } : {}),
      transformContext: planTransformContext(plan, transformContext),
    }),
  ];
}

/**
 * Each object's `source.filter` is SQL in the source's dialect: the source compiles it against
 * the table (reading no rows), so `deleted = 0` on a PostgreSQL boolean fails here, naming the
 * object, the filter and the server's message, instead of at run time.
 */
async function checkFilters(plan: Plan, source: Connector, sourceSchema: DatabaseSchema): Promise<PlanProblem[]> {
  const problems: PlanProblem[] = [];
  for (const object of plan.objects) {
    const filter = object.source.filter;
    if (!filter || !source.checkWhere || !sourceSchema.tables.some((t) => t.name === object.source.table)) continue;
    try {
      await source.checkWhere(object.source.table, filter);
    } catch (err) {
      if (!(err instanceof CrmError)) throw err;
      problems.push({
        severity: 'error',
        code: 'CRM_M5016',
        object: object.name,
        message: `source.filter "${filter}" is not valid on ${source.name} table ${object.source.table}: ${err.message}`,
      });
    }
  }
  return problems;
}

function renderPlan(plan: Plan, problems: readonly PlanProblem[]): string {
  const lines = [
    `Plan ${plan.hash.slice(0, 12)}: ${plan.objects.length} objects, batch ${plan.options.batchSize}, parallelism ${plan.options.parallelism}`,
  ];
  plan.objects.forEach((o, i) => {
    lines.push(
      `${i + 1}. ${o.name}: ${o.source.table}${o.source.filter ? ` where ${o.source.filter}` : ''} → ${o.target.table} (${o.mode} by ${o.target.key.join(', ')})`,
    );
    if (o.source.joins.length > 0)
      lines.push(
        `   joins ${o.source.joins
          .map(
            (j) =>
              `${j.table} on ${Object.entries(j.on)
                .map(([a, b]) => `${a} = ${b}`)
                .join(' and ')}`,
          )
          .join('; ')}`,
      );
    if (o.dependsOn.length > 0) lines.push(`   after ${o.dependsOn.join(', ')}`);
    for (const f of o.fields) {
      const from = f.lookup
        ? `lookup ${f.lookup.table}${f.lookup.through ? ` → ${f.lookup.through.table}` : ''}.${f.lookup.value}`
        : f.constant !== undefined
          ? JSON.stringify(f.constant)
          : f.from.join(' + ');
      const steps = f.steps.map((s) => (typeof s === 'string' ? s : Object.keys(s as object)[0])).join(' | ');
      const ref = f.ref
        ? ` → ref ${f.ref.object}${f.ref.when ? ` when ${JSON.stringify(f.ref.when)}` : ''}${f.ref.deferred ? ' (second pass)' : ''}`
        : '';
      lines.push(`   ${f.target.padEnd(24)} ← ${from}${steps ? ` | ${steps}` : ''}${ref}`);
    }
  });
  if (problems.length === 0) lines.push('Pre-flight: no problems.');
  for (const p of problems) lines.push(`${p.severity}: [${p.code}] ${p.object ?? ''}${p.field ? `.${p.field}` : ''}: ${p.message}`);
  return `${lines.join('\n')}\n`;
}
