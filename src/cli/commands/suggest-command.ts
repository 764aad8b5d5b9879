import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { parse as parseYaml } from 'yaml';
import { openConnector } from '../../connectors/registry.js';
import { CrmError } from '../../core/errors/index.js';
import { MODERN_CRM } from '../../mapping/models/modern-crm.js';
import { renderSuggestion } from '../../mapping/suggest/render-suggestion.js';
import { DEFAULT_THRESHOLD, type SuggestTarget, suggestMapping } from '../../mapping/suggest/suggest-mapping.js';
import type { SuggestReport } from '../../mapping/suggest/suggest-types.js';
import type { Analysis } from '../../schema/analysis-types.js';
import { analyze } from '../../schema/analyze.js';
import { stateFolder } from '../project-paths.js';
import { runAction } from '../run-action.js';

const MODERN = 'modern';

export function registerSuggest(program: Command): void {
  program
    .command('suggest')
    .description('Draft crmbridge.yaml from an analysis of the source: objects, fields, references and picklists, each with a confidence')
    .argument('<source>', 'connection string of the source (as for analyze)')
    .option('--target <target>', `"${MODERN}" (the built-in modern CRM model) or the connection string of an existing target`, MODERN)
    .option('-o, --out <file>', 'the project file to write', 'crmbridge.yaml')
    .option('--threshold <confidence>', 'suggestions below this confidence are written commented out', String(DEFAULT_THRESHOLD))
    .option('--force', 'overwrite an existing project file')
    .action(
      runAction(async (source, opts) => {
        if (existsSync(opts.out) && !opts.force) throw new CrmError('CRM_C1005', `${opts.out} exists`);
        const threshold = Number(opts.threshold);
        if (!(threshold >= 0 && threshold <= 1))
          throw new CrmError('CRM_C1001', `--threshold must be between 0 and 1, got ${opts.threshold}`);
        const analysis = await analysisOf(source, opts.out);
        const target = await targetOf(opts.target);
        const report = suggestMapping(analysis, target, { threshold });
        const text = renderSuggestion(report, {
          sourceUrl: source,
          targetUrl: opts.target === MODERN ? (existingTargetUrl(opts.out) ?? 'sqlite:modern.db') : opts.target,
          targetLabel: opts.target === MODERN ? 'the built-in modern CRM model' : 'the existing target tables',
          threshold,
        });
        await writeFile(opts.out, text);
        process.stdout.write(`${summary(report, opts.out)}\n`);
        return 0;
      }),
    );
}

/**
 * The target of the project file being overwritten (`crmbridge init <source> <target>` then
 * `suggest --force`): the model is the target's design, the connection string stays the user's.
 */
function existingTargetUrl(projectFile: string): string | undefined {
  if (!existsSync(projectFile)) return undefined;
  try {
    const url = (parseYaml(readFileSync(projectFile, 'utf8')) as { target?: { url?: unknown } } | null)?.target?.url;
    return typeof url === 'string' ? url : undefined;
  } catch {
    // Not YAML: the file is overwritten anyway, and the default target is as good as any.
    return undefined;
  }
}

/** The saved analysis (`crmbridge analyze`) beside the project file, else a fresh one. */
async function analysisOf(source: string, projectFile: string): Promise<Analysis> {
  const saved = join(stateFolder(projectFile), 'analysis.json');
  if (existsSync(saved)) {
    process.stderr.write(`using the analysis in ${saved} (rerun \`crmbridge analyze\` after the source changed)\n`);
    return JSON.parse(readFileSync(saved, 'utf8')) as Analysis;
  }
  const connector = await openConnector(source);
  try {
    return await analyze(connector);
  } finally {
    await connector.close();
  }
}

async function targetOf(target: string): Promise<SuggestTarget> {
  if (target === MODERN) return { model: MODERN_CRM };
  const connector = await openConnector(target);
  try {
    return { tables: (await connector.introspect()).tables };
  } finally {
    await connector.close();
  }
}

function summary(report: SuggestReport, file: string): string {
  const fields = report.objects.flatMap((o) => o.fields);
  const accepted = fields.filter((f) => f.accepted).length;
  const lines = [
    `Wrote ${file}: ${report.objects.length} objects, ${accepted} field mappings, ${fields.length - accepted} more commented out for review.`,
  ];
  if (report.unmappedRequired.length > 0)
    lines.push(`Required target fields with no mapping: ${report.unmappedRequired.map((u) => `${u.object}.${u.field}`).join(', ')}`);
  if (report.unmappedTables.length > 0) lines.push(`Source tables not mapped: ${report.unmappedTables.join(', ')}`);
  if (report.unmappedSource.length > 0)
    lines.push(`Source columns not mapped: ${report.unmappedSource.length} (listed at the end of the file)`);
  lines.push('Review it, then: crmbridge design, crmbridge plan, crmbridge migrate --dry-run');
  return lines.join('\n');
}
