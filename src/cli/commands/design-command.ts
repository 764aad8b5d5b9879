import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import type { TableSchema } from '../../core/types.js';
import { designTargetSchema } from '../../mapping/design/design-target.js';
import type { Plan } from '../../mapping/plan/plan-types.js';
import type { Analysis } from '../../schema/analysis-types.js';
import { introspectTarget } from '../prepare-target.js';
import { openProject } from '../project-context.js';
import { stateFolder } from '../project-paths.js';
import { runAction } from '../run-action.js';

export function registerDesign(program: Command): void {
  program
    .command('design')
    .description('Design the target tables the mapping needs; print their DDL, or create them with --apply')
    .option('-p, --project <file>', 'project file', 'crmbridge.yaml')
    .option('--apply', 'create the missing tables in the target')
    .option('--allow-drop', 'drop and recreate target tables that already exist (their rows are lost)')
    .action(
      runAction(async (opts) => {
        const ctx = await openProject(opts.project);
        try {
          const source = await ctx.source();
          const sourceSchema = await source.introspect({ tables: sourceTables(ctx.plan) });
          const target = await ctx.target();
          const existing = new Set((await introspectTarget(target, ctx.plan)).tables.map((t) => t.name));
          const designed = designTargetSchema(ctx.plan, sourceSchema, savedAnalysis(opts.project), { existingTables: existing });
          // Never drop by default: an existing table is left alone and named, so a rerun is safe.
          const tables = opts.allowDrop ? designed : designed.filter((t) => !existing.has(t.name));
          const kept = designed.filter((t) => existing.has(t.name) && !opts.allowDrop).map((t) => t.name);
          const options = { ifNotExists: !opts.allowDrop, dropExisting: opts.allowDrop === true, foreignKeys: true };
          const writer = await target.writer();
          try {
            if (opts.apply) {
              if (tables.length > 0) await writer.createTables(tables, options);
              process.stdout.write(`${summary(tables, kept, opts.allowDrop === true)}\n`);
            } else {
              const ddl = tables.length > 0 ? writer.ddl(tables, options) : [];
              process.stdout.write(`${ddl.map((s) => `${s.trimEnd().replace(/;$/, '')};`).join('\n\n')}\n`);
              if (kept.length > 0) process.stdout.write(`-- already in the target, left as they are: ${kept.join(', ')}\n`);
            }
          } finally {
            await writer.close();
          }
          return 0;
        } finally {
          await ctx.close();
        }
      }),
    );
}

function sourceTables(plan: Plan): string[] {
  return [
    ...new Set(
      plan.objects.flatMap((o) => [
        o.source.table,
        ...o.source.joins.map((j) => j.table),
        ...o.fields.flatMap((f) => (f.lookup ? [f.lookup.table, ...(f.lookup.through ? [f.lookup.through.table] : [])] : [])),
      ]),
    ),
  ];
}

function savedAnalysis(projectFile: string): Analysis | undefined {
  const path = join(stateFolder(projectFile), 'analysis.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Analysis) : undefined;
}

function summary(created: readonly TableSchema[], kept: readonly string[], dropped: boolean): string {
  const lines = [
    `${dropped ? 'Recreated' : 'Created'} ${created.length} table(s)${created.length > 0 ? `: ${created.map((t) => t.name).join(', ')}` : ''}`,
  ];
  if (kept.length > 0) lines.push(`Already in the target, left as they are: ${kept.join(', ')} (--allow-drop recreates them)`);
  return lines.join('\n');
}
